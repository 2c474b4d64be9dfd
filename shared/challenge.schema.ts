import { z } from 'zod';

const target = z
  .number({ error: 'accuracy must be a number' })
  .min(0.5, 'accuracy must be at least 0.5')
  .max(0.999, 'accuracy must be at most 0.999');

/**
 * A playground challenge, judged on the held-out split when the run ends:
 * - `target`: reach `accuracy` within the room's budget;
 * - `smallest`: reach `accuracy` with a network of at most `maxParameters`
 *   parameters (the room refuses bigger specs);
 * - `robust`: reach `accuracy` although the room injects noise of `noise`
 *   strength into the weights when half the budget is spent.
 */
export const Challenge = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('target'), accuracy: target }),
    z.object({
      kind: z.literal('smallest'),
      accuracy: target,
      maxParameters: z.number({ error: 'maxParameters must be a number' }).int('maxParameters must be a whole number').min(3, 'maxParameters must be at least 3'),
    }),
    z.object({
      kind: z.literal('robust'),
      accuracy: target,
      noise: z.number({ error: 'noise must be a number' }).min(0.05, 'noise must be at least 0.05').max(1, 'noise must be at most 1').default(0.5),
    }),
  ],
  { error: 'challenge kind must be target, smallest or robust' },
);
export type Challenge = z.infer<typeof Challenge>;
export type ChallengeKind = Challenge['kind'];

/** Where a challenge stands. */
export const ChallengeStatus = { Open: 'open', Passed: 'passed', Failed: 'failed' } as const;
export type ChallengeStatus = (typeof ChallengeStatus)[keyof typeof ChallengeStatus];

/** The challenges the page offers, by name. */
export const CHALLENGE_PRESETS: ReadonlyArray<{ id: string; label: string; challenge: Challenge }> = [
  { id: 'target-90', label: 'Reach 90% within the budget', challenge: { kind: 'target', accuracy: 0.9 } },
  { id: 'smallest-80', label: 'Reach 80% with at most 60 parameters', challenge: { kind: 'smallest', accuracy: 0.8, maxParameters: 60 } },
  { id: 'robust-85', label: 'Reach 85% through a weight-noise shock', challenge: { kind: 'robust', accuracy: 0.85, noise: 0.5 } },
];
