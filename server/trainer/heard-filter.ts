/**
 * What a run's listener has already heard, so that a trainer never tells it twice: after the run was resumed
 * from a checkpoint (its worker died) it repeats frames, probes and events from that checkpoint on, and a
 * listener attached to a run it partly knows (`AttachOptions.afterSamples`) has the beginning already.
 * Positions are samples (a GAN run: iterations), which only grow within a run's telemetry.
 */
export class HeardFilter {
  /** The latest frame, probe and event samples passed on, and how many events came at those samples. */
  private heard: { frame: number; probe: number; event: { samples: number; count: number } };
  /** While set: what the listener had heard when the run went back; repeats up to it are dropped. */
  private replay?: { frame: number; probe: number; event: { samples: number; count: number } };
  /** Attached after some point and nothing newer has passed yet. */
  private catchingUp: boolean;

  /** @param afterSamples everything at or before these samples is dropped (default -1: nothing is). */
  constructor(afterSamples = -1) {
    this.heard = { frame: afterSamples, probe: afterSamples, event: { samples: afterSamples, count: afterSamples >= 0 ? Infinity : 0 } };
    if (afterSamples >= 0) this.replay = structuredClone(this.heard);
    this.catchingUp = afterSamples >= 0;
  }

  /** Whether a frame (`kind` frame) or probe at `at` samples is news; notes it if so. */
  fresh(kind: 'frame' | 'probe', at: number): boolean {
    if (this.replay && at <= this.replay[kind]) return false;
    this.heard[kind] = at;
    this.catchingUp = false;
    return true;
  }

  /** Like `fresh`, for events: several can come at the same samples. */
  freshEvent(samples: number): boolean {
    const seen = this.replay?.event;
    if (seen && (samples < seen.samples || (samples === seen.samples && seen.count > 0))) {
      if (samples === seen.samples) seen.count--;
      return false;
    }
    const heard = this.heard.event;
    this.heard.event = samples === heard.samples ? { samples, count: heard.count + 1 } : { samples, count: 1 };
    this.catchingUp = false;
    return true;
  }

  /**
   * The run went back to a checkpoint: what follows repeats what was heard, up to where it was heard.
   * Returns whether the listener should hear of the recovery: not when it happened before the point
   * the listener was attached at (it is part of what the listener already has).
   */
  wentBack(): boolean {
    this.replay = structuredClone(this.heard);
    return !this.catchingUp;
  }
}
