import { describe, expect, it } from 'vitest';
import type { Control, LoggedControl } from '../../shared/control.schema.ts';
import { listedCheckpointLimit } from '../../shared/kept-checkpoints.ts';
import { DEFAULT_SPEC } from '../../shared/model-spec.schema.ts';
import { PlaygroundFork } from '../../shared/playground.state.ts';
import { TrainJob } from '../../shared/run.schema.ts';
import { initBackend } from '../../workers/engine/tf-backend.ts';
import { runTraining } from '../../workers/engine/training-loop.ts';
import { viewOfSpec } from './playground.rules.ts';
import { RunSteering } from './run-steering.ts';

describe('run steering', () => {
  it('mirrors what the controls set, pauses and rewind targets into the state', () => {
    const state = new PlaygroundFork();
    const run = new RunSteering(state, 50, viewOfSpec(DEFAULT_SPEC));
    expect([...state.activations]).toEqual(['relu', 'relu']);
    expect([...state.checkpoints]).toEqual([0]);
    run.reached(120);
    run.applied({ type: 'pause' }, 120);
    run.applied({ type: 'setActivation', layer: 1, activation: 'tanh' }, 120);
    run.applied({ type: 'freeze', layer: 0, frozen: true }, 120);
    expect(state.paused).toBe(true);
    expect([...state.activations]).toEqual(['relu', 'tanh']);
    expect([...state.frozen]).toEqual([true, false, false]);
    expect([...state.checkpoints]).toEqual([0, 50, 100]);
    run.applied({ type: 'resume' }, 120);
    run.applied({ type: 'rewind', toStep: 50 }, 121);
    expect(state.paused).toBe(false);
    expect([...state.activations], 'the view at the checkpoint').toEqual(['relu', 'relu']);
    expect([...state.checkpoints]).toEqual([0, 50]);
    run.applied({ type: 'pause' }, 60);
    run.ended();
    expect(state.paused).toBe(false);
  });

  it("replays a parent's log to the view at its checkpoint, and starts a fork's rewind targets there", () => {
    const log = [
      { step: 10, control: { type: 'setActivation' as const, layer: 0, activation: 'tanh' as const } },
      { step: 30, control: { type: 'checkpoint' as const } },
      { step: 40, control: { type: 'setActivation' as const, layer: 0, activation: 'sigmoid' as const } },
      { step: 70, control: { type: 'setOptimizer' as const, optimizer: 'sgd' as const } },
      { step: 80, control: { type: 'rewind' as const, toStep: 50 } },
    ];
    // The automatic checkpoint at 50 came after the sigmoid switch at 40 and before the optimizer switch at 70.
    expect(RunSteering.replay(viewOfSpec(DEFAULT_SPEC), 50, log)).toMatchObject({ optimizer: 'adam', activations: ['sigmoid', 'relu'] });
    expect(RunSteering.replay(viewOfSpec(DEFAULT_SPEC), 50, log.slice(0, 4))).toMatchObject({ optimizer: 'sgd', activations: ['sigmoid', 'relu'] });

    const state = new PlaygroundFork();
    const fork = new RunSteering(state, 50, viewOfSpec(DEFAULT_SPEC), 120);
    expect([...state.checkpoints]).toEqual([120]);
    fork.reached(210);
    expect([...state.checkpoints]).toEqual([120, 150, 200]);
  });

  it("lists the checkpoints the engine keeps under the job's limit: the first and the latest, manual ones and rewinds too", async () => {
    await initBackend();
    const controls: LoggedControl[] = [
      ...Array.from({ length: 40 }, (_, i) => ({ step: 101 + i, control: { type: 'checkpoint' } as Control })),
      { step: 200, control: { type: 'rewind', toStep: 150 } },
      { step: 220, control: { type: 'checkpoint' } },
    ];
    const job = TrainJob.parse({ runId: 'mirror', spec: { ...DEFAULT_SPEC, batchSize: 10 }, task: { name: 'spiral', samples: 500 }, seed: 5, budget: 4000, checkpointEverySteps: 50, keepCheckpoints: 8, controls });
    const heard: Array<{ frame: number } | LoggedControl> = [];
    let kept: number[] = [];
    await runTraining(job, {
      onFrame: (f) => heard.push({ frame: f.step }),
      onControlApplied: (logged) => heard.push(logged),
      onFinish: (session) => void (kept = [...session.checkpoints.keys()].sort((a, b) => a - b)),
    });
    const state = new PlaygroundFork();
    const steering = new RunSteering(state, job.checkpointEverySteps, viewOfSpec(job.spec), 0, listedCheckpointLimit(job));
    for (const h of heard) {
      if ('frame' in h) steering.reached(h.frame);
      else steering.applied(h.control, h.step);
    }
    expect(kept).toHaveLength(8);
    expect([...state.checkpoints]).toEqual(kept);
  });
});

