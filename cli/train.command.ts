import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { preprocessingOf } from '../contract/model-preprocessing.ts';
import { DEFAULT_SPEC, ModelSpec } from '../shared/model-spec.schema.ts';
import { metricsToCsv } from '../shared/metrics-export.ts';
import { runFileOf, newTrainJob, TrainJob, type TelemetryFrame } from '../shared/run.schema.ts';
import { MNIST_DIGITS, TaskName, TaskSpec } from '../shared/task.schema.ts';
import { checkSpecSize, describeZodError } from '../shared/validation.ts';
import { saveLayersModel } from '../workers/engine/model-export.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { runTraining } from '../workers/engine/training-loop.ts';
import { progressLine, writeProgress } from './progress-bar.ts';
import { bestSoFar, etaOf, etaText, RateWindow, TREND_ARROW, trendOf, type CurvePoint } from '../shared/run-outlook.ts';
import { UsageError } from './usage-error.ts';

export const TRAIN_USAGE = `arena train [--task spiral] [--budget 20000] [--seed 1] [--samples N] [--model spec.json] [--export DIR] [--json]
  Trains one model here, without a server. --json prints one JSON line per telemetry frame
  and a last {"summary":…} line; otherwise a progress bar is drawn when stdout is a terminal.
  --export DIR writes model.json + weights.bin (tf.loadLayersModel reads them; model.json's
  userDefinedMetadata.preprocessing says what the inputs and outputs are), metrics.csv,
  metrics.json and run.json (replay it with "arena replay DIR/run.json").
  --samples N: points in the task's dataset (default: 1000, and all ${MNIST_DIGITS.toLocaleString('en')} digits for mnist),
  split 60/20/20 into training, validation and held-out. --model takes a spec file (examples/ has some,
  e.g. examples/conv-mnist.json, a small conv net).
  Tasks: ${TaskName.options.join(', ')}.`;

const Args = z.object({
  task: TaskName.default('spiral'),
  budget: z.coerce.number().int().min(1).default(20_000),
  seed: z.coerce.number().int().min(0).max(2 ** 31 - 1).default(1),
  samples: z.coerce.number().int().optional(),
  model: z.string().optional(),
  export: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

async function loadSpec(file: string | undefined): Promise<ModelSpec> {
  if (!file) return DEFAULT_SPEC;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--model ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = ModelSpec.safeParse(raw);
  if (!parsed.success) throw new UsageError(`--model ${file}: ${describeZodError(parsed.error).message}`);
  return parsed.data;
}

/** `arena train`: one real training run, reported as JSON lines or a progress bar. */
export async function trainCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { task: { type: 'string' }, budget: { type: 'string' }, seed: { type: 'string' }, samples: { type: 'string' }, model: { type: 'string' }, export: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  });
  const args = Args.safeParse(values);
  if (!args.success) throw new UsageError(describeZodError(args.error).message.replace(/^(\w+):/, '--$1:'));
  const spec = await loadSpec(args.data.model);
  const parsedTask = TaskSpec.safeParse({ name: args.data.task, samples: args.data.samples ?? (args.data.task === 'mnist' ? MNIST_DIGITS : undefined) });
  if (!parsedTask.success) throw new UsageError(describeZodError(parsedTask.error).message.replace(/^(\w+):/, '--$1:'));
  const task = parsedTask.data;
  const tooLarge = checkSpecSize(spec, task);
  if (tooLarge) throw new UsageError(tooLarge.message);
  const job = newTrainJob({ runId: 'cli', spec, task, seed: args.data.seed, budget: args.data.budget });

  const backend = await initBackend();
  const tty = process.stdout.isTTY && !args.data.json;
  const frames: TelemetryFrame[] = [];
  const rate = new RateWindow({ minSpanMs: 500 }); // a terminal sees frames many times a second: half a second is enough to measure
  const curve: CurvePoint[] = [];
  let best: CurvePoint | null = null;
  const exportDir = args.data.export;
  const result = await runTraining(job, {
    onFinish: exportDir ? (session) => saveLayersModel(session.net, exportDir, preprocessingOf(spec, task)) : undefined,
    onFrame: (frame) => {
      frames.push(frame);
      if (args.data.json) process.stdout.write(`${JSON.stringify(frame)}\n`);
      else if (tty) {
        rate.observe(performance.now(), frame.samples);
        if (Number.isFinite(frame.valAccuracy)) curve.push({ samples: frame.samples, value: frame.valAccuracy });
        best = bestSoFar([...(best ? [best] : []), ...curve.slice(-1)]);
        const trend = trendOf(curve);
        const bestText = best ? ` · best ${(best.value * 100).toFixed(1)}% at ${best.samples}` : '';
        const extra = `loss ${frame.loss.toFixed(3)} · val acc ${(frame.valAccuracy * 100).toFixed(1)}%${trend ? ` ${TREND_ARROW[trend.direction]} ${trend.direction}` : ''}${bestText} · ${Math.round(frame.samplesPerSec)} samples/s`;
        writeProgress(process.stdout, progressLine(frame.samples, job.budget, etaText(etaOf(rate, { samples: frame.samples, budget: job.budget })), extra));
      }
    },
  });
  const summary = {
    samples: result.samples,
    final: result.final,
    heldOutAccuracy: result.heldOutAccuracy,
    weightsHash: result.weightsHash,
    backend,
    samplesPerSec: result.samplesPerSec,
  };
  if (exportDir) {
    await writeFile(path.join(exportDir, 'metrics.csv'), metricsToCsv(frames));
    await writeFile(path.join(exportDir, 'metrics.json'), JSON.stringify(frames));
    await writeFile(path.join(exportDir, 'run.json'), JSON.stringify(runFileOf(job, result), null, 2));
  }
  if (tty) process.stdout.write('\n');
  process.stdout.write(`${JSON.stringify({ summary })}\n`);
}
