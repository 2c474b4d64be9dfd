import type { GanFrame, GanJob, GanResult } from '../../shared/gan.schema.ts';
import type { RoomNoticeMessage } from '../../shared/protocol.ts';
import { figure, type MatchLifecycle } from '../match/index.ts';
import { recoveryNotice, type Trainer } from '../trainer/trainer.port.ts';

/**
 * A GAN battle's rounds through the trainer, one at a time: each round's job is logged in the battle's
 * lifecycle as it is launched and its end as a result; frames and the end of a round that is no longer
 * the current one are dropped.
 */
export class GanRounds {
  private readonly trainer: Pick<Trainer, 'submitGan' | 'cancel'>;
  private readonly match: MatchLifecycle;
  private readonly notice: (notice: RoomNoticeMessage) => void;
  private runId?: string;

  constructor(trainer: Pick<Trainer, 'submitGan' | 'cancel'>, match: MatchLifecycle, notice: (notice: RoomNoticeMessage) => void) {
    this.trainer = trainer;
    this.match = match;
    this.notice = notice;
  }

  /** Trains one round: `onFrame` hears its frames, `onEnd` its result or why it failed, once. */
  play(job: GanJob, onFrame: (frame: GanFrame) => void, onEnd: (result: GanResult | undefined, error?: string) => void): void {
    this.runId = job.runId;
    this.match.record({ type: 'launch', runId: job.runId, job });
    const current = () => this.runId === job.runId;
    const end = (result?: GanResult, error?: string): void => {
      if (!current()) return;
      this.runId = undefined;
      const f = result?.final;
      this.match.record({ type: 'result', runId: job.runId, status: result ? 'finished' : 'failed', samples: result?.iterations ?? 0, loss: figure(f?.gLoss), valAccuracy: figure(f?.dAccuracy), heldOutAccuracy: null, weightsHash: result?.weightsHash ?? null, ...(error ? { error } : {}) });
      onEnd(result, error);
    };
    this.trainer
      .submitGan(job, {
        onFrame: (frame) => current() && onFrame(frame),
        onDone: (result) => end(result),
        onFailed: (message) => end(undefined, message),
        onRecovered: (info) => current() && this.notice(recoveryNotice(info)),
      })
      .catch((err: unknown) => end(undefined, err instanceof Error ? err.message : String(err)));
  }

  /** Stops the round under way, if any. */
  async cancel(): Promise<void> {
    if (this.runId) await this.trainer.cancel(this.runId);
  }
}
