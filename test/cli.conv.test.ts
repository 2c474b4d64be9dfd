import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunFile } from '../shared/run.schema.ts';
import { generateTaskData } from '../workers/engine/task-data.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';

const run = promisify(execFile);
const ARENA = fileURLToPath(new URL('../cli/arena.ts', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../examples/conv-mnist.json', import.meta.url));
const arena = (...args: string[]) => run(process.execPath, [ARENA, ...args], { timeout: 150_000 });
const summaryOf = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!).summary;

/**
 * The conv acceptance at the level a user meets it, on a small budget so the suite stays quick (the README
 * gives the figures of the full `--budget 60000` run): the example conv spec trains on MNIST from the CLI,
 * twice to the same weights, and its export loads in plain tf.js and scores what the CLI reported.
 */
describe('npm run arena -- train with a conv spec', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'arena-conv-cli-'));
  beforeAll(async () => {
    await initBackend();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains examples/conv-mnist.json twice to one weights hash; the exported model reproduces the held-out accuracy in plain tf.js', async () => {
    const args = ['train', '--task', 'mnist', '--budget', '960', '--seed', '1', '--model', EXAMPLE, '--json'];
    const [first, second] = await Promise.all([arena(...args, '--export', dir), arena(...args)]);
    const summary = summaryOf(first.stdout);
    expect(summary).toMatchObject({ samples: 960, backend: 'wasm' });
    expect(summaryOf(second.stdout).weightsHash).toBe(summary.weightsHash);
    expect(summary.heldOutAccuracy).toBeGreaterThan(0.3); // 30 steps; ten classes, chance is 0.1

    const modelJson = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    const weights = readFileSync(path.join(dir, modelJson.weightsManifest[0].paths[0]));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) }),
    );
    expect(model.layers.map((l) => l.getClassName())).toEqual(['Reshape', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense']);
    const file = RunFile.parse(JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')));
    expect(file.task).toMatchObject({ name: 'mnist', samples: 10_000 }); // the CLI trains MNIST on all its digits by default
    const held = generateTaskData(file.task, file.seed).heldOut;
    const predicted = tf.tidy(() => Array.from(tf.argMax(model.predict(tf.tensor2d(held.x, [held.count, 784])) as tf.Tensor, 1).dataSync()));
    const accuracy = predicted.filter((p, i) => p === held.y[i]).length / held.count;
    expect(accuracy).toBeCloseTo(summary.heldOutAccuracy, 6);
    model.dispose();

    const replay = await arena('replay', path.join(dir, 'run.json'));
    expect(replay.stdout).toContain(`replayed bit for bit: ${summary.weightsHash}`);
  });

  it('refuses a conv spec on a task without images, in words', async () => {
    const spec = path.join(dir, 'conv-spiral.json');
    writeFileSync(spec, readFileSync(EXAMPLE));
    const err = await arena('train', '--task', 'spiral', '--model', spec).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toContain("spec.layers.0: layer 0 (conv2d) needs an image task such as mnist: spiral's inputs are 2 features, not an image");
  });
});
