import type { AccountDesign } from '../../shared/design.schema.ts';
import type { SavedSpec } from './saved-specs.ts';

/** What syncing the browser's copy with the account does. */
export interface MergePlan {
  /** Browser copies to save to the account: names it lacks, and copies saved later than the account's. */
  upload: SavedSpec[];
  /** Names to forget in the browser: on the account once, deleted there since, and not changed here after. */
  forget: string[];
}

/**
 * Newest wins per name. A browser copy the account does not have is uploaded, unless it came from the
 * account (`syncedAt`) and was not saved again since: then another device deleted it, and it goes.
 * A copy that belongs to another player's account (`owner`, another player signed in on this browser
 * before) is never uploaded: it goes from this browser's list and stays on its own account.
 */
export function planMerge(local: readonly SavedSpec[], remote: readonly AccountDesign[], me?: string): MergePlan {
  const byName = new Map(remote.map((d) => [d.name, d]));
  const upload: SavedSpec[] = [];
  const forget: string[] = [];
  for (const s of local) {
    if (s.owner !== undefined && me !== undefined && s.owner !== me) {
      forget.push(s.name);
      continue;
    }
    const r = byName.get(s.name);
    if (r) {
      if (s.savedAt > r.savedAt) upload.push(s);
    } else if (s.syncedAt !== undefined && s.savedAt <= s.syncedAt) forget.push(s.name);
    else upload.push(s);
  }
  return { upload, forget };
}

/** The browser's copy after a sync: the account's designs, each marked synced at `now`. */
export function syncedCopy(remote: readonly AccountDesign[], now: number, owner?: string): SavedSpec[] {
  return remote.map((d) => ({ name: d.name, spec: d.spec, savedAt: d.savedAt, shareId: d.shareId, syncedAt: Math.max(now, d.savedAt), ...(owner ? { owner } : {}) }));
}
