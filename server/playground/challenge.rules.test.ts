import { describe, expect, it } from 'vitest';
import { Challenge } from '../../shared/challenge.schema.ts';
import { describeZodError } from '../../shared/validation.ts';
import { challengeShock, describeChallenge, judgeChallenge, specRefusal } from './challenge.rules.ts';

const finished = { status: 'finished' as const, heldOutAccuracy: 0.91, parameters: 50, shocked: true };

describe('playground challenges', () => {
  it('validates options, naming the bad field', () => {
    expect(Challenge.parse({ kind: 'robust', accuracy: 0.8 })).toEqual({ kind: 'robust', accuracy: 0.8, noise: 0.5 });
    const bad = Challenge.safeParse({ kind: 'smallest', accuracy: 0.8, maxParameters: 0 });
    expect(bad.success).toBe(false);
    expect(describeZodError(bad.error!)).toMatchObject({ field: 'maxParameters', message: expect.stringContaining('at least 3') });
    expect(describeZodError(Challenge.safeParse({ kind: 'fastest' }).error!).message).toContain('target, smallest or robust');
  });

  it('passes a run that reaches the target on the held-out split, and says by how much it missed otherwise', () => {
    const c = Challenge.parse({ kind: 'target', accuracy: 0.9 });
    expect(describeChallenge(c)).toBe('reach 90% on the held-out split within the budget');
    expect(judgeChallenge(c, finished)).toEqual({ status: 'passed', detail: 'passed: 91% on the held-out split against a target of 90%' });
    expect(judgeChallenge(c, { ...finished, heldOutAccuracy: 0.85 })).toEqual({ status: 'failed', detail: 'missed: 85% on the held-out split against a target of 90%' });
    expect(judgeChallenge(c, { ...finished, status: 'diverged' }).status).toBe('failed');
  });

  it('keeps the smallest-network challenge to its size limit', () => {
    const c = Challenge.parse({ kind: 'smallest', accuracy: 0.8, maxParameters: 60 });
    expect(specRefusal(c, 60)).toBeUndefined();
    expect(specRefusal(c, 61)).toBe('this challenge allows at most 60 parameters: this network has 61');
    expect(specRefusal(undefined, 10_000)).toBeUndefined();
    expect(judgeChallenge(c, { ...finished, parameters: 80 }).detail).toBe('80 parameters is over the limit of 60');
    expect(judgeChallenge(c, finished).detail).toContain('with 50 parameters');
  });

  it('shocks a robustness run at half its budget, and only judges it once shocked', () => {
    const c = Challenge.parse({ kind: 'robust', accuracy: 0.85, noise: 0.4 });
    // 50,000.5 samples at batch 32: the shock comes before step 1563.
    expect(challengeShock(c, 100_001, 32)).toEqual({ step: 1563, control: { type: 'injectNoise', target: 'weights', strength: 0.4 } });
    expect(challengeShock(Challenge.parse({ kind: 'target', accuracy: 0.9 }), 1000, 32)).toBeUndefined();
    expect(judgeChallenge(c, { ...finished, shocked: false }).status).toBe('failed');
    expect(judgeChallenge(c, finished).status).toBe('passed');
  });
});
