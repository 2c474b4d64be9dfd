import { describe, expect, it } from 'vitest';
import { TrainJob } from '../../shared/run.schema.ts';
import { SPEC_TEMPLATES } from '../../shared/spec-templates.ts';
import { runWeight } from './run-weight.ts';

const job = (template: number, extra: Record<string, unknown> = {}) =>
  TrainJob.parse({ runId: `w-${template}`, spec: SPEC_TEMPLATES[template]!.spec, task: { name: 'spiral' }, seed: 1, budget: 20_000, paceMs: 60_000, ...extra });

describe('runWeight', () => {
  it('weighs a paced run by its FLOPs per sample times the samples per second its pace asks for', () => {
    const deep = runWeight({ type: 'train', job: job(0) }); // 3 × 32 ReLU
    const tiny = runWeight({ type: 'train', job: job(3) }); // 8 units
    expect(deep / tiny).toBeGreaterThan(20);
    // Twice the budget over the same pace asks for twice the work.
    expect(runWeight({ type: 'train', job: job(0, { budget: 40_000 }) })).toBeCloseTo(2 * deep, 6);
  });

  it('a race of the CLI templates 0–3, placed seat by seat on the lighter of two threads, splits into even halves', () => {
    const weights = [0, 1, 2, 3].map((t) => runWeight({ type: 'train', job: job(t) }));
    const threads = [0, 0];
    for (const w of weights) threads[threads[0]! <= threads[1]! ? 0 : 1]! += w;
    // By count, seats 0 and 2 (the two costliest) would share a thread: 3 × 32 and 2 × 24 against 2 × 16 and 8.
    const byCount = [weights[0]! + weights[2]!, weights[1]! + weights[3]!];
    expect(Math.max(...threads) / Math.min(...threads)).toBeLessThan(Math.max(...byCount) / Math.min(...byCount));
  });
});
