import { beforeAll, describe, expect, it } from 'vitest';
import type { Control, LoggedControl } from '../../shared/control.schema.ts';
import { replayForkJob } from '../../contract/fork-job.ts';
import { MAX_KEPT_CHECKPOINTS, oldestRewindStep } from '../../shared/kept-checkpoints.ts';
import { TrainJob, type RunEvent, type TrainJobInput } from '../../shared/run.schema.ts';
import { initBackend } from './tf-backend.ts';
import { runTraining } from './training-loop.ts';

const BATCH = 10;
const job = (steps: number, more: Partial<TrainJobInput> = {}) =>
  TrainJob.parse({ runId: 'kept', spec: { layers: [{ units: 4, activation: 'tanh' }], optimizer: 'sgd', learningRate: 0.03, batchSize: BATCH }, task: { name: 'spiral', samples: 500 }, seed: 2, budget: steps * BATCH, ...more });

/** The steps a refused rewind lists as the run's checkpoints at that moment. */
const listed = (e: RunEvent | undefined) => {
  const m = /checkpoints: ([\d, ]+)$/.exec(e?.message ?? '');
  if (!m) throw new Error(`no checkpoint list in ${JSON.stringify(e?.message)}`);
  return m[1]!.split(', ').map(Number);
};

/** Runs `j`, asking once (live) for a rewind to step 99,999, which these runs never reach, after step `askAt`: the refusal lists what is kept then. Returns that list and the steps kept at the end. */
async function keptSteps(j: TrainJob, askAt: number): Promise<{ then: number[]; atEnd: number[] }> {
  let step = 0;
  let asked = false;
  const events: RunEvent[] = [];
  let atEnd: number[] = [];
  await runTraining(j, {
    onFrame: (f) => void (step = f.step),
    onEvent: (e) => events.push(e),
    pullControls: (): Control[] => (step >= askAt && !asked ? ((asked = true), [{ type: 'rewind', toStep: 99_999 }]) : []),
    onFinish: (s) => void (atEnd = [...s.checkpoints.keys()].sort((a, b) => a - b)),
  });
  return { then: listed(events.find((e) => e.type === 'controlRefused')), atEnd };
}

describe('checkpoints kept in memory', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it("keeps to the job's keepCheckpoints: the first and the latest, manual ones counted, even between two automatic ones", async () => {
    // An automatic checkpoint every 50 steps, and a manual one at each step from 101 to 140 (before the automatic one at 150).
    const manual: LoggedControl[] = Array.from({ length: 40 }, (_, i) => ({ step: 101 + i, control: { type: 'checkpoint' } }));
    const { then, atEnd } = await keptSteps(job(300, { checkpointEverySteps: 50, frameEverySteps: 1, keepCheckpoints: 8, controls: manual }), 141);
    expect(then, 'just after the burst of manual checkpoints').toEqual([0, 134, 135, 136, 137, 138, 139, 140]);
    expect(atEnd, 'the automatic ones at 150, 200 and 250 push out the oldest manual ones').toEqual([0, 137, 138, 139, 140, 150, 200, 250]);
  });

  it("holds on to early stopping's best, however long the patience, so keep best comes back to it", async () => {
    // A checkpoint every 100 samples and a patience of 3,000: the best is 30 checkpoints back when the run stops, 8 are kept.
    const j = job(2000, { spec: { layers: [{ units: 8, activation: 'tanh' }], optimizer: 'sgd', learningRate: 0.3, batchSize: BATCH, earlyStopping: { patience: 3000 } }, checkpointEverySteps: 10, keepCheckpoints: 8 });
    let atEnd: number[] = [];
    const result = await runTraining(j, { onFinish: (s) => void (atEnd = [...s.checkpoints.keys()].sort((a, b) => a - b)) });
    const stop = result.controls.find((c) => c.control.type === 'keepBest');
    expect(stop, 'early stopping ended the run').toBeDefined();
    const best = stop!.control.type === 'keepBest' ? stop!.control.toStep! : -1;
    expect(best, 'the best is the checkpoint a patience before the stop').toBe(stop!.step - 3000 / BATCH);
    expect(stop!.step - best).toBeGreaterThan(8 * 10);
    expect(atEnd).toEqual([0, best]);
  });

  it('a fork with a limit replays a parent that kept to the old rule, however far back its log rewinds', async () => {
    // The parent (a stored run: no limit) rewinds 13 checkpoints back; its fork keeps 8.
    const parent = job(300, { checkpointEverySteps: 10, controls: [{ step: 150, control: { type: 'rewind', toStep: 20 } }] });
    const result = await runTraining(parent);
    expect(result.controls.map((c) => c.control.type)).toEqual(['rewind']);
    const at = { step: 100, controlsApplied: 1 }; // the checkpoint at step 100 taken after the rewind
    const unbounded = await runTraining(replayForkJob(parent, result.controls, at, 'fork-old-rule'));
    const bounded = await runTraining({ ...replayForkJob(parent, result.controls, at, 'fork-limited'), keepCheckpoints: 8 });
    expect(bounded.weightsHash).toBe(unbounded.weightsHash);
    expect(bounded.samples).toBe(unbounded.samples);
  });

  it("a race's run (automatic checkpoints only) holds every checkpoint from oldestRewindStep of the highest step it reached, rewound or not", async () => {
    const base = job(400, { checkpointEverySteps: 10, frameEverySteps: 1, keepCheckpoints: 8 });
    // At step 200 (its checkpoint not yet taken) the run goes back to 140, which it holds then, and trains on from there.
    const j = { ...base, controls: [{ step: 200, control: { type: 'rewind' as const, toStep: oldestRewindStep(base, 200) } }] };
    expect(j.controls[0]!.control.toStep).toBe(140);
    let step = 0;
    let highest = 0;
    let rewound = false;
    let asked: number[] = [];
    const events: RunEvent[] = [];
    let atEnd: number[] = [];
    const result = await runTraining(j, {
      onFrame: (f) => void ((step = f.step), (highest = Math.max(highest, f.step))),
      onEvent: (e) => events.push(e),
      onControlApplied: (c) => void (c.control.type === 'rewind' && ((rewound = true), (step = -1))),
      // 30 steps after the rewind (at step 170, the highest reached 200), ask for a checkpoint it never took: the refusal lists what it holds.
      pullControls: (): Control[] => (rewound && step >= 170 && asked.length === 0 ? ((asked = [step, highest]), [{ type: 'rewind', toStep: 99_999 }]) : []),
      onFinish: (s) => void (atEnd = [...s.checkpoints.keys()].sort((a, b) => a - b)),
    });
    expect(result.controls.map((c) => c.control.type)).toEqual(['rewind']);
    const [at, high] = asked as [number, number];
    expect([at, high]).toEqual([170, 200]);
    // A rewind lets go of the checkpoints after its step; those before it stay, and the run takes new ones from there.
    const then = listed(events.find((e) => e.type === 'controlRefused'));
    expect(then).toEqual([0, 130, 140, 150, 160]);
    const oldest = oldestRewindStep(j, high);
    expect(oldest).toBe(140);
    for (let s = oldest; s <= 160; s += 10) expect(then, `the checkpoint at ${s}`).toContain(s);
    expect(then, 'by the current step it would name one let go').not.toContain(oldestRewindStep(j, at));
    // At the end (the rewound 60 steps' samples spent too, so 340 steps, the last checkpoint at 330): the first and the latest 7.
    expect(highest).toBe(340);
    expect(atEnd).toEqual([0, 270, 280, 290, 300, 310, 320, 330]);
    for (let s = oldestRewindStep(j, highest); s <= 330; s += 10) expect(atEnd, `the checkpoint at ${s}`).toContain(s);
    // Early stopping's best takes a place of its own; a job with no limit keeps the old rule's 200.
    expect(oldestRewindStep({ ...j, spec: { ...j.spec, earlyStopping: { patience: 100 } } }, 200)).toBe(150);
    expect(oldestRewindStep({ ...j, keepCheckpoints: undefined }, 5000)).toBe(5000 - 198 * 10);
  });

  it('keeps to the old rule when the job names no limit, as stored runs replay (200, one dropped at each automatic checkpoint)', async () => {
    const { then, atEnd } = await keptSteps(job(260, { checkpointEverySteps: 1, frameEverySteps: 1 }), 30);
    expect(then).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(atEnd).toHaveLength(MAX_KEPT_CHECKPOINTS);
    expect(atEnd.slice(0, 2)).toEqual([0, 61]); // 260 taken (steps 0 to 259), the 60 oldest after the first dropped
    expect(atEnd.at(-1)).toBe(259);
  });
});
