import type { LandscapeFrame, LandscapeRequest } from '../../shared/landscape.schema.ts';
import { ErrorCode, type RoomErrorMessage } from '../../shared/protocol.ts';
import type { Trainer } from '../trainer/trainer.port.ts';

/** How long a landscape request may stay unanswered before another is accepted (ms). */
export const LANDSCAPE_TIMEOUT_MS = 30_000;

/** A playground's loss landscapes: one request at a time, and the last answer for clients that join later. */
export class LandscapeDesk {
  /** The last landscape computed for the current run. */
  last?: LandscapeFrame;
  private askedAt = 0;

  /** Asks for a landscape of `runId`; a refusal (one is being computed) or the trainer's failure goes to `refused`. */
  ask(trainer: Pick<Trainer, 'requestLandscape'>, runId: string, request: LandscapeRequest, refused: (refusal: RoomErrorMessage) => void): void {
    if (this.askedAt && Date.now() - this.askedAt < LANDSCAPE_TIMEOUT_MS) return refused({ code: ErrorCode.WrongPhase, message: 'a loss landscape is being computed: it will come to everyone in the room', about: 'landscape' });
    this.askedAt = Date.now();
    trainer.requestLandscape(runId, request).catch((err: unknown) => {
      this.askedAt = 0;
      refused({ code: ErrorCode.Internal, message: `the landscape could not be asked for: ${err instanceof Error ? err.message : String(err)}`, about: 'landscape' });
    });
  }

  /** The answer came (to everyone in the room). */
  answered(landscape: LandscapeFrame): void {
    this.askedAt = 0;
    if (!landscape.error) this.last = landscape;
  }

  /** A new run: nothing asked, nothing to show. */
  reset(): void {
    this.last = undefined;
    this.askedAt = 0;
  }
}
