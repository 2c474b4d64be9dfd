import { z } from 'zod';

/** Largest landscape grid side a client may ask for (the engine computes at most 51). */
export const MAX_LANDSCAPE_RESOLUTION = 51;

/**
 * A request for the loss landscape around a run's current weights. It changes
 * nothing in the run and is not logged: the engine answers it between two
 * steps (also while paused) with a `LandscapeFrame`.
 */
export const LandscapeRequest = z.object({
  /** Grid points per side (odd, so the current weights sit at the centre; default 31). */
  resolution: z
    .number({ error: 'resolution must be a number' })
    .int('resolution must be a whole number')
    .min(5, 'resolution must be at least 5')
    .max(MAX_LANDSCAPE_RESOLUTION, `resolution must be at most ${MAX_LANDSCAPE_RESOLUTION}`)
    .refine((r) => r % 2 === 1, 'resolution must be odd')
    .default(31),
  /** How far the grid reaches along each filter-normalised direction (default 1). */
  range: z.number({ error: 'range must be a number' }).gt(0, 'range must be greater than 0').max(10, 'range must be at most 10').default(1),
});
export type LandscapeRequest = z.infer<typeof LandscapeRequest>;
export type LandscapeRequestInput = z.input<typeof LandscapeRequest>;

/** A loss that did not come out finite (a diverged network) travels as null. */
const Loss = z.number().nullable();

/** The loss landscape of a run at one step, or why it could not be computed. */
export const LandscapeFrame = z.object({
  runId: z.string(),
  step: z.number().int(),
  samples: z.number().int(),
  /** Set when the engine could not compute the landscape; the other fields are then absent. */
  error: z.string().optional(),
  landscape: z
    .object({
      resolution: z.number().int(),
      range: z.number(),
      /** Coordinates along each axis, from -range to +range. */
      axis: z.array(z.number()),
      /** Loss at (alpha = axis[c], beta = axis[r]), row by row. */
      losses: z.array(Loss),
      /** Loss at the current weights. */
      center: Loss,
      /** Kept checkpoints projected onto the plane, oldest first. */
      trajectory: z.array(z.object({ step: z.number().int(), alpha: z.number(), beta: z.number(), loss: Loss })),
    })
    .optional(),
});
export type LandscapeFrame = z.infer<typeof LandscapeFrame>;

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The wire form of a computed landscape: non-finite losses become null (JSON and zod take no NaN). */
export function landscapeFrameOf(
  at: { runId: string; step: number; samples: number },
  l: { resolution: number; range: number; axis: number[]; losses: number[]; center: number; trajectory: Array<{ step: number; alpha: number; beta: number; loss: number }> },
): LandscapeFrame {
  return {
    ...at,
    landscape: {
      resolution: l.resolution,
      range: l.range,
      axis: l.axis,
      losses: l.losses.map(finite),
      center: finite(l.center),
      trajectory: l.trajectory.map((p) => ({ step: p.step, alpha: finite(p.alpha) ?? 0, beta: finite(p.beta) ?? 0, loss: finite(p.loss) })),
    },
  };
}
