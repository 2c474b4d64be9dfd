import { FRAME_EVERY_STEPS } from '../../shared/run.schema.ts';

/**
 * What an empty learning-curve chart is waiting for, from the room's phase: the start of the run, or its first
 * telemetry frame (a curve point comes with every frame, FRAME_EVERY_STEPS steps apart). No fraction is given:
 * the room's step moves only with those frames, so the page cannot know how far the first one is.
 */
export function curveWaitText(phase: string): string {
  switch (phase) {
    case 'design':
      return 'waiting for the run to start: the curves appear once it trains';
    case 'lobby':
      return 'waiting for the race to start: the curves appear once it trains';
    case 'countdown':
      return 'starting: the curves appear with the first frame…';
    case 'training':
      return `waiting for the first frame at step ${FRAME_EVERY_STEPS}…`;
    case 'finished':
    case 'failed':
      return 'this run recorded no curve points';
    default:
      return `waiting for the first curve point (${phase})…`;
  }
}
