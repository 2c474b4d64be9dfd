import type { Room } from '@colyseus/sdk';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelPreprocessing } from '../contract/model-preprocessing.ts';
import type { PlaygroundResultMessage } from '../shared/playground.messages.ts';
import type { PlaygroundState } from '../shared/playground.state.ts';
import { RunFile } from '../shared/run.schema.ts';
import { generateTaskData } from '../workers/engine/task-data.ts';
import { guests, nextMessage, startTestArena, waitFor } from './support/arena.ts';

/**
 * Exports of a stored run over HTTP, as a user meets them: a playground run trained through @colyseus/sdk, then
 * its curve, run file and model fetched from /api/runs/:id/…, the model loaded by plain tf.js from its URL.
 */
describe('run exports: GET /api/runs/:id/metrics.csv|metrics.json|run.json|model.json|weights.bin', () => {
  let t: Awaited<ReturnType<typeof startTestArena>>;
  let runId = '';
  const SEED = 11;
  beforeAll(async () => {
    t = await startTestArena();
    const owner: Room<any, PlaygroundState> = await (await guests(t.url)('ada')).create<PlaygroundState>('playground', { budget: 40_000, seed: SEED, task: { name: 'spiral' } });
    for (const type of ['probe', 'points', 'welcome', 'notice']) owner.onMessage(type, () => {});
    // Playground's sin(x) is not this sin(π·x): the model only scores its accuracy if the inputs are computed as its block says.
    owner.send('spec', { spec: { layers: [{ units: 12, activation: 'tanh' }, { units: 8, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.03, batchSize: 16, features: ['x1', 'x2', 'sinx1', 'sinx2'] } });
    await waitFor(() => owner.state.summary?.startsWith('4-12-8-2'), 'the spec to be taken');
    const result = nextMessage<PlaygroundResultMessage>(owner, 'result', 120_000);
    owner.send('start', {});
    // A control in the log, so the model is the replay of a steered run, not of its spec alone.
    owner.send('control', { control: { type: 'pause' } });
    await waitFor(() => owner.state.paused, 'the run to pause');
    owner.send('control', { control: { type: 'setLearningRate', learningRate: 0.01 } });
    owner.send('control', { control: { type: 'resume' } });
    const r = await result;
    expect(r).toMatchObject({ run: 'a', status: 'finished', stored: true });
    runId = r.runId;
    await owner.leave();
  });
  afterAll(async () => t?.stop());

  const get = (path: string) => fetch(`${t.url}${path}`);

  it('metrics.csv and metrics.json give the stored curve, training and validation side by side', async () => {
    const csv = await get(`/api/runs/${runId}/metrics.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe('samples,loss,accuracy,valLoss,valAccuracy');
    const rows = lines.slice(1).map((l) => l.split(',').map(Number));
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.every((row) => row.length === 5 && row.every(Number.isFinite))).toBe(true);
    expect(rows.at(-1)![0], 'the curve runs to the end of the budget').toBe(40_000);
    const json = await (await get(`/api/runs/${runId}/metrics.json`)).json();
    expect(json.columns).toEqual(['samples', 'loss', 'accuracy', 'valLoss', 'valAccuracy']);
    expect(json.points).toHaveLength(rows.length);
    expect(json.points.at(-1)).toEqual(Object.fromEntries(json.columns.map((c: string, i: number) => [c, rows.at(-1)![i]])));
    const run = await (await get(`/api/runs/${runId}`)).json();
    expect(json.points.at(-1).valAccuracy).toBeCloseTo(run.final.valAccuracy, 5);
  });

  it('run.json is the run file, with the control log', async () => {
    const file = RunFile.parse(await (await get(`/api/runs/${runId}/run.json`)).json());
    expect(file.controls.map((c) => c.control.type)).toEqual(['pause', 'setLearningRate', 'resume']);
    expect(file.expected?.samples).toBe(40_000);
  });

  it('model.json + weights.bin load in plain tf.js, and its preprocessing block, followed as documented, reproduces the held-out accuracy', async () => {
    const run = await (await get(`/api/runs/${runId}`)).json();
    // What the README shows: load by URL, read the block, compute the features, predict.
    const model = await tf.loadLayersModel(`${t.url}/api/runs/${runId}/model.json`);
    const { preprocessing } = model.getUserDefinedMetadata() as { preprocessing: unknown };
    const block = ModelPreprocessing.parse(preprocessing);
    if (block.input.kind !== 'point') throw new Error('a spiral model takes points');
    expect(block.input.features.map((f) => f.formula)).toEqual(['x1', 'x2', 'sin(π·x1)', 'sin(π·x2)']);
    expect(block.input.range).toEqual([[-1, 1], [-1, 1]]);
    expect(block.output).toMatchObject({ kind: 'logits', units: 2 });
    const features = block.input.features.map((f) => new Function('x1', 'x2', `return ${f.expression};`) as (x1: number, x2: number) => number);

    // The held-out split (the server's to keep; the test regenerates it from the task and seed to check the score).
    const heldOut = generateTaskData(RunFile.parse(run.runFile).task, SEED).heldOut;
    const rows = Array.from({ length: heldOut.count }, (_, i) => features.map((f) => f(heldOut.x[2 * i]!, heldOut.x[2 * i + 1]!)));
    const predicted = tf.tidy(() => (tf.argMax(model.predict(tf.tensor2d(rows)) as tf.Tensor, 1) as tf.Tensor).dataSync());
    const correct = Array.from(predicted).filter((p, i) => p === heldOut.y[i]).length;
    expect(correct / heldOut.count).toBe(run.heldOutAccuracy);
    expect(run.heldOutAccuracy).toBeGreaterThan(0.6);
    model.dispose();

    const weights = await get(`/api/runs/${runId}/weights.bin`);
    expect(weights.headers.get('content-type')).toBe('application/octet-stream');
    expect((await weights.arrayBuffer()).byteLength).toBe(4 * (4 * 12 + 12 + 12 * 8 + 8 + 8 * 2 + 2));
  });

  it.each([
    ['/api/runs/not-a-run/model.json', 400, 'id must be a run id (a UUID)'],
    ['/api/runs/00000000-0000-4000-8000-000000000000/metrics.csv', 404, 'no run with id'],
    ['/api/runs/00000000-0000-4000-8000-000000000000/model.json', 404, 'no run with id'],
  ])('%s answers %i naming the problem', async (path, status, words) => {
    const r = await get(path);
    expect(r.status).toBe(status);
    expect((await r.json()).error.message).toContain(words);
  });

  it('an unknown export file answers 400 listing the files there are', async () => {
    const r = await get(`/api/runs/${runId}/secrets.txt`);
    expect(r.status).toBe(400);
    expect((await r.json()).error.message).toContain('metrics.csv, metrics.json, run.json, model.json, weights.bin');
  });
});
