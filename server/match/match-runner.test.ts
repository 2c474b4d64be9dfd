import { beforeAll, describe, expect, it } from 'vitest';
import type { Control } from '../../shared/control.schema.ts';
import { SPEC_TEMPLATES } from '../../shared/spec-templates.ts';
import type { RunEvent, TrainJob } from '../../shared/run.schema.ts';
import { TaskSpec } from '../../shared/task.schema.ts';
import { initBackend } from '../../workers/engine/tf-backend.ts';
import { runTraining } from '../../workers/engine/training-loop.ts';
import type { RunListener, Trainer } from '../trainer/trainer.port.ts';
import { MatchLifecycle } from './lifecycle.ts';
import { runMatch } from './match-runner.ts';

/** The engine itself behind the trainer port, in this process: each run trains for real and takes live controls. */
function engineTrainer(): Trainer & { events: RunEvent[] } {
  const inboxes = new Map<string, Control[]>();
  const events: RunEvent[] = [];
  const port: Partial<Trainer> = {
    submit: async (job: TrainJob, listener: RunListener) => {
      const inbox: Control[] = [];
      inboxes.set(job.runId, inbox);
      runTraining(job, {
        onFrame: (f) => listener.onFrame(f),
        onEvent: (e) => {
          events.push(e);
          listener.onEvent?.(e);
        },
        pullControls: () => inbox.splice(0),
      }).then(
        (result) => listener.onDone(result),
        (err: unknown) => listener.onFailed(String(err)),
      );
    },
    control: async (runId: string, control: Control) => {
      inboxes.get(runId)!.push(control);
    },
    cancel: async () => {},
  };
  return Object.assign(port as Trainer, { events });
}

describe('runMatch logs controls where they took effect', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('a rewind is in the match log at the step the engine applied it, as in the run’s own log (not the step it went back to)', async () => {
    const trainer = engineTrainer();
    const task = TaskSpec.parse({ name: 'xor', samples: 200 });
    const match = new MatchLifecycle({ id: 'm', kind: 'race', roomId: 'r', options: { task, budget: 8000 }, seed: 7 });
    match.transition('running');
    const entry = { seat: 0, player: 'ada', playerId: 'p-ada', spec: SPEC_TEMPLATES[0]!.spec };
    let asked: number | undefined;
    const running = runMatch(
      trainer,
      { task, budget: 8000, seed: 7 },
      [entry],
      {
        onFrame: (_seat, frame) => {
          // Past the second automatic checkpoint: back to the first, and a learning rate after it.
          if (asked === undefined && frame.step > 100) {
            asked = frame.step;
            const runId = running.jobs.get(0)!.runId;
            void trainer.control(runId, { type: 'rewind', toStep: 50 });
            void trainer.control(runId, { type: 'setLearningRate', learningRate: 0.02 });
          }
        },
      },
      match,
    );
    const [outcome] = await running.done;
    const runLog = outcome!.result!.controls;
    expect(runLog.map((c) => c.control.type)).toEqual(['rewind', 'setLearningRate']);
    const rewound = runLog[0]!;
    expect(rewound.step).toBeGreaterThanOrEqual(asked!); // asked for after that frame, taken before the next step
    expect(runLog[1]!.step).toBe(50); // the run went back: the next control applies at the step it went back to
    // The match log (what a resumed run replays) agrees with the run's own log, step for step.
    expect(match.controls(outcome!.job.runId)).toEqual(runLog);
    expect(match.events.filter((e) => e.type === 'control')).toEqual([
      expect.objectContaining({ playerId: 'p-ada', control: { type: 'rewind', toStep: 50 }, step: rewound.step }),
      expect.objectContaining({ playerId: 'p-ada', control: { type: 'setLearningRate', learningRate: 0.02 }, step: 50 }),
    ]);
    // The engine's event stands where the run is after the rewind; it says where the rewind took effect.
    const event = trainer.events.find((e) => e.type === 'control' && (e.control as Control).type === 'rewind')!;
    expect(event.step).toBe(50);
    expect(event.appliedAt).toBe(rewound.step);
  }, 60_000);
});
