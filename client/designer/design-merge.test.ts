import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '../../shared/model-spec.schema.ts';
import { SPEC_TEMPLATES } from '../../shared/spec-templates.ts';
import { planMerge, syncedCopy } from './design-merge.ts';
import type { SavedSpec } from './saved-specs.ts';

const other = SPEC_TEMPLATES[0]!.spec;
const local = (name: string, savedAt: number, extra: Partial<SavedSpec> = {}): SavedSpec => ({ name, spec: DEFAULT_SPEC, savedAt, ...extra });
const remote = (name: string, savedAt: number) => ({ name, spec: other, savedAt, shareId: `${name.padEnd(16, '_')}`.slice(0, 16) });

describe('merging the browser’s saved specs with the account’s', () => {
  it('uploads what the account lacks and what was saved here later; the newest save of a name wins', () => {
    const plan = planMerge([local('only here', 5), local('newer here', 9), local('older here', 1), local('same', 4)], [remote('newer here', 8), remote('older here', 2), remote('same', 4), remote('only there', 3)]);
    expect(plan.upload.map((s) => s.name)).toEqual(['only here', 'newer here']);
    expect(plan.forget).toEqual([]);
  });

  it('forgets a copy the account had and deleted since, unless it was saved again here after the last sync', () => {
    const plan = planMerge([local('deleted elsewhere', 3, { shareId: 'a'.repeat(16), syncedAt: 10 }), local('edited offline', 12, { shareId: 'b'.repeat(16), syncedAt: 10 })], []);
    expect(plan.forget).toEqual(['deleted elsewhere']);
    expect(plan.upload.map((s) => s.name)).toEqual(['edited offline']);
  });

  it('keeps the account’s list in the browser, each marked synced', () => {
    const copy = syncedCopy([remote('a', 3), remote('b', 50)], 20);
    expect(copy).toEqual([
      { name: 'a', spec: other, savedAt: 3, shareId: remote('a', 3).shareId, syncedAt: 20 },
      { name: 'b', spec: other, savedAt: 50, shareId: remote('b', 50).shareId, syncedAt: 50 },
    ]);
    expect(planMerge(copy, []).forget).toEqual(['a', 'b']);
  });

  it('never uploads a copy that belongs to another player who signed in on this browser before', () => {
    const plan = planMerge([local('ada’s, synced', 3, { owner: 'ada', syncedAt: 5 }), local('ada’s, saved offline', 9, { owner: 'ada' }), local('bob’s own', 4, { owner: 'bob' }), local('signed out', 6)], [], 'bob');
    expect(plan.upload.map((s) => s.name)).toEqual(['bob’s own', 'signed out']);
    expect(plan.forget).toEqual(['ada’s, synced', 'ada’s, saved offline']);
    expect(syncedCopy([remote('a', 3)], 20, 'bob')[0]!.owner).toBe('bob');
  });
});
