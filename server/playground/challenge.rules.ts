import { ChallengeStatus, type Challenge } from '../../shared/challenge.schema.ts';
import type { LoggedControl } from '../../shared/control.schema.ts';

const pct = (v: number) => `${+(v * 100).toFixed(1)}%`;

/** A challenge in words, as the page shows it. */
export function describeChallenge(c: Challenge): string {
  switch (c.kind) {
    case 'target':
      return `reach ${pct(c.accuracy)} on the held-out split within the budget`;
    case 'smallest':
      return `reach ${pct(c.accuracy)} on the held-out split with at most ${c.maxParameters} parameters`;
    case 'robust':
      return `reach ${pct(c.accuracy)} on the held-out split although the weights get noise of strength ${c.noise} at half the budget`;
  }
}

/** Why a network of `parameters` parameters may not take the challenge, or undefined when it may. */
export function specRefusal(c: Challenge | undefined, parameters: number): string | undefined {
  if (c?.kind !== 'smallest' || parameters <= c.maxParameters) return undefined;
  return `this challenge allows at most ${c.maxParameters} parameters: this network has ${parameters}`;
}

/**
 * The shock a robustness challenge gives, as a control scheduled in the run's
 * own log: at the first step where half the budget is spent at the spec's
 * batch size (a batch size changed during the run moves it in samples, not in
 * steps). Undefined for other challenges.
 */
export function challengeShock(c: Challenge | undefined, budget: number, batchSize: number): LoggedControl | undefined {
  if (c?.kind !== 'robust') return undefined;
  return { step: Math.ceil(budget / 2 / batchSize), control: { type: 'injectNoise', target: 'weights', strength: c.noise } };
}

/** What a finished (or failed) run did, for judging. */
export interface ChallengeOutcome {
  status: 'finished' | 'diverged' | 'failed';
  heldOutAccuracy: number | null;
  parameters: number;
  /** Whether the robustness shock took effect during the run. */
  shocked: boolean;
}

/** The verdict on a run, with the reason in words. */
export function judgeChallenge(c: Challenge, o: ChallengeOutcome): { status: ChallengeStatus; detail: string } {
  const failed = (detail: string) => ({ status: ChallengeStatus.Failed, detail });
  if (o.status !== 'finished' || o.heldOutAccuracy === null) return failed(`the run ${o.status === 'diverged' ? 'diverged' : 'failed'} before the end of its budget`);
  if (c.kind === 'smallest' && o.parameters > c.maxParameters) return failed(`${o.parameters} parameters is over the limit of ${c.maxParameters}`);
  if (c.kind === 'robust' && !o.shocked) return failed('the run ended before the noise shock: it was not tested');
  const reached = o.heldOutAccuracy >= c.accuracy;
  const what = `${pct(o.heldOutAccuracy)} on the held-out split against a target of ${pct(c.accuracy)}`;
  const size = c.kind === 'smallest' ? ` with ${o.parameters} parameters` : '';
  return reached ? { status: ChallengeStatus.Passed, detail: `passed: ${what}${size}` } : failed(`missed: ${what}${size}`);
}
