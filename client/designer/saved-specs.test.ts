import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '../../shared/model-spec.schema.ts';
import { SPEC_TEMPLATES } from '../../shared/spec-templates.ts';
import { deleteSavedSpec, loadSavedSpecs, MAX_SAVED_SPECS, SAVED_SPECS_KEY, saveSpec, type KeyValueStore } from './saved-specs.ts';

function memoryStore(initial?: string): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>(initial === undefined ? [] : [[SAVED_SPECS_KEY, initial]]);
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('saved specs', () => {
  it('saves, lists newest first, replaces by name, and deletes', () => {
    const store = memoryStore();
    expect(loadSavedSpecs(store)).toEqual({ specs: [], problems: [] });
    saveSpec(store, 'mine', DEFAULT_SPEC, 1);
    saveSpec(store, 'deep', SPEC_TEMPLATES[0]!.spec, 2);
    saveSpec(store, ' mine ', SPEC_TEMPLATES[3]!.spec, 3);
    const { specs } = loadSavedSpecs(store);
    expect(specs.map((s) => s.name)).toEqual(['mine', 'deep']);
    expect(specs[0]!.spec).toEqual(SPEC_TEMPLATES[3]!.spec);
    expect(deleteSavedSpec(store, 'mine').specs.map((s) => s.name)).toEqual(['deep']);
    expect(loadSavedSpecs(store).specs.map((s) => s.name)).toEqual(['deep']);
  });

  it('refuses an empty name in words', () => {
    expect(saveSpec(memoryStore(), '  ', DEFAULT_SPEC)).toEqual({ error: 'a saved spec needs a name' });
  });

  it('keeps at most MAX_SAVED_SPECS, dropping the oldest', () => {
    const store = memoryStore();
    for (let i = 0; i <= MAX_SAVED_SPECS; i++) saveSpec(store, `s${i}`, DEFAULT_SPEC, i);
    const names = loadSavedSpecs(store).specs.map((s) => s.name);
    expect(names).toHaveLength(MAX_SAVED_SPECS);
    expect(names).not.toContain('s0');
  });

  it('skips a corrupted entry with a message and still loads the good ones, then saves again', () => {
    const good = { name: 'good', spec: DEFAULT_SPEC, savedAt: 5 };
    const store = memoryStore(JSON.stringify([good, { name: 'broken', spec: { ...DEFAULT_SPEC, layers: [{ units: 0, activation: 'relu' }] }, savedAt: 4 }, 42]));
    const r = loadSavedSpecs(store);
    expect(r.specs.map((s) => s.name)).toEqual(['good']);
    expect(r.problems).toEqual(['saved spec "broken" was skipped: spec.layers.0.units: units must be at least 1', 'saved spec number 3 was skipped: entry: Invalid input: expected object, received number']);
    const after = saveSpec(store, 'next', DEFAULT_SPEC, 9);
    expect('specs' in after && after.specs.map((s) => s.name)).toEqual(['next', 'good']);
  });

  it('survives unreadable JSON, a non-list, and a store that throws', () => {
    expect(loadSavedSpecs(memoryStore('{not json')).problems).toEqual(['the saved specs could not be read and were skipped']);
    expect(loadSavedSpecs(memoryStore('{"a":1}')).specs).toEqual([]);
    const refusing: KeyValueStore = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('quota exceeded');
      },
    };
    expect(loadSavedSpecs(refusing).problems[0]).toContain('denied');
    expect(saveSpec(refusing, 'x', DEFAULT_SPEC)).toEqual({ error: 'the spec could not be saved (quota exceeded)' });
  });
});

describe('saved specs from the account', () => {
  it('keeps a spec’s share id when it is saved again under its name, and marks it changed since the last sync', () => {
    const data = new Map<string, string>();
    const store: KeyValueStore = { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
    const shareId = 'abcdefghijklmnop';
    data.set(SAVED_SPECS_KEY, JSON.stringify([{ name: 'mine', spec: DEFAULT_SPEC, savedAt: 1, shareId, syncedAt: 2 }]));
    saveSpec(store, 'mine', SPEC_TEMPLATES[1]!.spec, 5);
    const [again] = loadSavedSpecs(store).specs;
    expect(again).toMatchObject({ name: 'mine', savedAt: 5, shareId, syncedAt: 2 });
    data.set(SAVED_SPECS_KEY, JSON.stringify([{ name: 'bad link', spec: DEFAULT_SPEC, savedAt: 1, shareId: 'short' }]));
    expect(loadSavedSpecs(store).problems[0]).toMatch(/^saved spec "bad link" was skipped: shareId: /);
  });
});
