import type { AccountDesign } from '../../shared/design.schema.ts';
import type { ModelSpec } from '../../shared/model-spec.schema.ts';
import { DesignApiError, designApi } from './design-api.ts';
import { planMerge, syncedCopy } from './design-merge.ts';
import { deleteSavedSpec, loadSavedSpecs, replaceSavedSpecs, saveSpec, type KeyValueStore, type SavedSpec, type SavedSpecs } from './saved-specs.ts';

/** The saved specs as they now are, and a sentence about what happened (or went wrong), if any. */
export interface SyncResult {
  saved: SavedSpecs;
  note?: string;
}

const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * The designer's saved specs, kept in the browser and, when the player is signed in (`token()`), on their
 * account: the account is the source of truth, the browser's copy works offline and is merged up on the
 * next `pull` (newest save wins per name).
 */
export class DesignSync {
  private readonly store: KeyValueStore | undefined;
  private readonly token: () => string | undefined;
  private readonly playerId: () => string | undefined;
  private readonly now: () => number;

  constructor(store: KeyValueStore | undefined, token: () => string | undefined, playerId: () => string | undefined = () => undefined, now: () => number = Date.now) {
    this.store = store;
    this.token = token;
    this.playerId = playerId;
    this.now = now;
  }

  /** Whether saved specs go to an account. */
  get signedIn(): boolean {
    return this.token() !== undefined;
  }

  /** The browser's copy, at once. */
  local(): SavedSpecs {
    return this.store ? loadSavedSpecs(this.store) : { specs: [], problems: ['saved specs are unavailable in this browser'] };
  }

  /** Merges the browser's copy with the account's designs: uploads what is newer here, then keeps the account's list here. */
  async pull(): Promise<SyncResult> {
    const token = this.token();
    const local = this.local();
    if (!token || !this.store) return { saved: local };
    let remote: AccountDesign[];
    try {
      remote = await designApi.list(token);
    } catch (err) {
      return { saved: local, note: `Showing this browser's copy of your saved specs: ${reason(err)}.` };
    }
    const me = this.playerId();
    const plan = planMerge(local.specs, remote, me);
    const byName = new Map(remote.map((d) => [d.name, d]));
    const notUp: SavedSpec[] = [];
    const problems: string[] = [];
    for (const s of plan.upload) {
      try {
        byName.set(s.name, (await designApi.save(token, s.name, s.spec, s.savedAt)).design);
      } catch (err) {
        notUp.push(s);
        problems.push(`"${s.name}" stays in this browser only: ${reason(err)}.`);
      }
    }
    const merged = [...syncedCopy([...byName.values()], this.now(), me), ...notUp];
    const kept = replaceSavedSpecs(this.store, merged);
    const saved = 'error' in kept ? { specs: merged.sort((a, b) => b.savedAt - a.savedAt), problems: [kept.error] } : kept;
    return { saved: { specs: saved.specs, problems: [...local.problems, ...saved.problems] }, ...(problems.length ? { note: problems.join(' ') } : {}) };
  }

  /** Saves in the browser, then on the account when signed in. */
  async save(name: string, spec: ModelSpec): Promise<SyncResult | { error: string }> {
    if (!this.store) return { error: 'saved specs are unavailable in this browser' };
    const savedAt = this.now();
    const token = this.token();
    const me = token ? this.playerId() : undefined;
    const here = saveSpec(this.store, name, spec, savedAt, me);
    if ('error' in here) return here;
    const trimmed = here.specs[0]!.name;
    if (!token) return { saved: here, note: `Saved "${trimmed}" in this browser.` };
    try {
      const { design, kept } = await designApi.save(token, trimmed, spec, savedAt);
      const specs = here.specs.map((s) => (s.name === trimmed ? { ...design, syncedAt: Math.max(this.now(), design.savedAt), ...(me ? { owner: me } : {}) } : s));
      const stored = replaceSavedSpecs(this.store, specs);
      const saved = 'error' in stored ? here : stored;
      return { saved, note: kept === 'this' ? `Saved "${trimmed}" to your account.` : `Your account has a newer "${trimmed}": it stands.` };
    } catch (err) {
      return { saved: here, note: `Saved "${trimmed}" in this browser; it goes to your account on your next visit (${reason(err)}).` };
    }
  }

  /** Deletes in the browser and, when signed in, from the account. */
  async remove(name: string): Promise<SyncResult> {
    if (!this.store) return { saved: this.local() };
    const had = this.local().specs.find((s) => s.name === name);
    const saved = deleteSavedSpec(this.store, name);
    const token = this.token();
    if (!token || !had?.shareId) return { saved, note: `Deleted "${name}".` };
    try {
      await designApi.remove(token, name);
    } catch (err) {
      if (!(err instanceof DesignApiError && err.status === 404)) return { saved, note: `Deleted "${name}" here, but your account still has it: ${reason(err)}.` };
    }
    return { saved, note: `Deleted "${name}".` };
  }
}
