/**
 * Specs the player saved by name, kept in localStorage (or any store with the
 * same two methods). Each entry is checked against the spec schema on load: an
 * entry that no longer parses is skipped with a message, never thrown. When the
 * player is signed in, this is the browser's copy of the designs on their account
 * (see design-sync.ts): it still works offline and is merged up on the next load.
 */
import { z } from 'zod';
import { DesignName, MAX_SAVED_DESIGNS, ShareId } from '../../shared/design.schema.ts';
import { ModelSpec } from '../../shared/model-spec.schema.ts';

/** The storage key; bump the version when the stored shape changes. */
export const SAVED_SPECS_KEY = 'gradient-arena.saved-specs.v1';
/** Most specs kept; saving one more drops the oldest. */
export const MAX_SAVED_SPECS = MAX_SAVED_DESIGNS;

export const SavedSpec = z.object({
  name: DesignName,
  spec: ModelSpec,
  /** When it was saved, ms since the epoch. */
  savedAt: z.number(),
  /** The account's share id, once this spec is on the account. */
  shareId: ShareId.optional(),
  /** When this copy last matched the account's (ms); a copy the account no longer has, unchanged since, was deleted there. */
  syncedAt: z.number().optional(),
  /** The player whose account this copy belongs to, when it was saved or synced signed in: never merged up to another account. */
  owner: z.string().optional(),
});
export type SavedSpec = z.infer<typeof SavedSpec>;

/** The part of `Storage` this module uses. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** What loading found: the good entries, newest first, and a sentence for each one skipped. */
export interface SavedSpecs {
  specs: SavedSpec[];
  problems: string[];
}

/** Reads the saved specs; corrupt JSON or entries that fail the schema are skipped and described. */
export function loadSavedSpecs(store: KeyValueStore): SavedSpecs {
  let text: string | null;
  try {
    text = store.getItem(SAVED_SPECS_KEY);
  } catch (err) {
    return { specs: [], problems: [`saved specs are unavailable in this browser (${(err as Error).message})`] };
  }
  if (text === null) return { specs: [], problems: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { specs: [], problems: ['the saved specs could not be read and were skipped'] };
  }
  if (!Array.isArray(raw)) return { specs: [], problems: ['the saved specs could not be read and were skipped'] };
  const specs: SavedSpec[] = [];
  const problems: string[] = [];
  raw.forEach((entry, i) => {
    const parsed = SavedSpec.safeParse(entry);
    if (parsed.success) specs.push(parsed.data);
    else {
      const name = typeof (entry as { name?: unknown })?.name === 'string' ? `"${(entry as { name: string }).name}"` : `number ${i + 1}`;
      const issue = parsed.error.issues[0];
      problems.push(`saved spec ${name} was skipped: ${issue ? `${issue.path.join('.') || 'entry'}: ${issue.message}` : 'invalid'}`);
    }
  });
  specs.sort((a, b) => b.savedAt - a.savedAt);
  return { specs, problems };
}

function write(store: KeyValueStore, specs: SavedSpec[]): void {
  store.setItem(SAVED_SPECS_KEY, JSON.stringify(specs));
}

/** Replaces the whole list (the account's, after a sync), newest first; returns it, or the store's refusal in words. */
export function replaceSavedSpecs(store: KeyValueStore, specs: readonly SavedSpec[]): SavedSpecs | { error: string } {
  const next = [...specs].sort((a, b) => b.savedAt - a.savedAt).slice(0, MAX_SAVED_SPECS);
  try {
    write(store, next);
  } catch (err) {
    return { error: `the saved specs could not be kept in this browser (${(err as Error).message})` };
  }
  return { specs: next, problems: [] };
}

/**
 * Saves `spec` under `name` (replacing one of that name) and returns the list
 * as it now is, or an error in words (a bad name, a full or refused store).
 */
export function saveSpec(store: KeyValueStore, name: string, spec: ModelSpec, now = Date.now(), owner?: string): SavedSpecs | { error: string } {
  const entry = SavedSpec.safeParse({ name, spec, savedAt: now, ...(owner ? { owner } : {}) });
  if (!entry.success) return { error: entry.error.issues[0]?.message ?? 'invalid saved spec' };
  const { specs, problems } = loadSavedSpecs(store);
  // A spec saved again under its name keeps its share link (and when it last matched the account's).
  const before = specs.find((s) => s.name === entry.data.name);
  const saved: SavedSpec = { ...entry.data, ...(before?.shareId ? { shareId: before.shareId } : {}), ...(before?.syncedAt !== undefined ? { syncedAt: before.syncedAt } : {}) };
  const next = [saved, ...specs.filter((s) => s.name !== entry.data.name)].slice(0, MAX_SAVED_SPECS);
  try {
    write(store, next);
  } catch (err) {
    return { error: `the spec could not be saved (${(err as Error).message})` };
  }
  return { specs: next, problems };
}

/** Deletes the spec saved under `name`; returns the list as it now is. */
export function deleteSavedSpec(store: KeyValueStore, name: string): SavedSpecs {
  const { specs, problems } = loadSavedSpecs(store);
  const next = specs.filter((s) => s.name !== name);
  try {
    write(store, next);
  } catch (err) {
    return { specs, problems: [...problems, `the spec could not be deleted (${(err as Error).message})`] };
  }
  return { specs: next, problems };
}
