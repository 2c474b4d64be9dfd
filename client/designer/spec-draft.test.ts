import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, MAX_PARAMETERS } from '../../shared/model-spec.schema.ts';
import { SPEC_TEMPLATES } from '../../shared/spec-templates.ts';
import { TaskSpec } from '../../shared/task.schema.ts';
import {
  withConvAdded,
  withLayerType,
  draftFromSpec,
  readDraft,
  sharedActivation,
  specFigures,
  widthsText,
  withLayer,
  withLayerAdded,
  withLayerMoved,
  withLayerRemoved,
  withWidths,
} from './spec-draft.ts';

const spiral = TaskSpec.parse({ name: 'spiral' });

describe('the designer draft', () => {
  it('round-trips every template through the draft', () => {
    for (const t of SPEC_TEMPLATES) expect(readDraft(draftFromSpec(t.spec), spiral)).toEqual({ spec: t.spec });
  });

  it('keeps the widths field and the blocks in step', () => {
    let d = draftFromSpec(DEFAULT_SPEC);
    d = withLayer(d, 1, { activation: 'tanh', dropout: '0.2' });
    d = withWidths(d, '32, 8 4');
    expect(d.layers).toEqual([
      { units: '32', activation: 'relu', dropout: '0' },
      { units: '8', activation: 'tanh', dropout: '0.2' },
      { units: '4', activation: 'tanh', dropout: '0' },
    ]);
    expect(widthsText(d)).toBe('32, 8, 4');
    d = withLayerMoved(d, 1, 1);
    expect(widthsText(d)).toBe('32, 4, 8');
    expect(withLayerMoved(d, 0, -1)).toBe(d);
    d = withLayerRemoved(d, 0);
    expect(widthsText(d)).toBe('4, 8');
    d = withLayerAdded(d);
    expect(d.layers.at(-1)).toEqual({ units: '8', activation: 'tanh', dropout: '0' });
    expect(sharedActivation(d)).toBe('tanh');
    expect(sharedActivation(withLayer(d, 0, { activation: 'relu' }))).toBeUndefined();
  });

  it('names each bad field in words', () => {
    const d = draftFromSpec(DEFAULT_SPEC);
    const problems = (draft: ReturnType<typeof draftFromSpec>) => {
      const r = readDraft(draft, spiral);
      return 'problems' in r ? r.problems : [];
    };
    expect(problems(withWidths(d, '32, 0'))).toEqual([{ field: 'layers.1.units', message: 'layer width: units must be at least 1 (layer 2)' }]);
    expect(problems(withWidths(d, '32, x'))[0]!.message).toBe('layer width: units must be a number (layer 2)');
    expect(problems(withLayer(d, 0, { dropout: '0.95' }))[0]!.message).toBe('layer dropout: dropout must be at most 0.9 (layer 1)');
    expect(problems({ ...d, learningRate: '' })[0]!.message).toBe('learning rate must be a number');
    expect(problems({ ...d, learningRate: '0' })[0]!.message).toBe('learning rate must be greater than 0');
    expect(problems({ ...d, batchSize: '2.5' })[0]!.message).toBe('batch size must be a whole number');
    expect(problems({ ...d, l2: '2' })[0]!.message).toBe('L2 penalty must be at most 1');
    expect(problems({ ...d, features: [] })[0]!.message).toBe('pick at least one input feature');
    expect(problems(withWidths(d, ''))[0]!.message).toBe('a network needs at least one hidden layer');
    const huge = problems(withWidths(d, '1024 1024 1024'));
    expect(huge[0]!.field).toBe('layers');
    expect(huge[0]!.message).toBe(`the network has 2,104,322 parameters on spiral; the arena trains at most ${MAX_PARAMETERS.toLocaleString('en')}`);
  });

  it('reports the size figures in the stats line format', () => {
    const r = readDraft(withWidths(draftFromSpec(DEFAULT_SPEC), '32, 32, 32'), spiral);
    if (!('spec' in r)) throw new Error('expected a spec');
    const f = specFigures(r.spec, spiral);
    expect(f.params).toBe(2274);
    expect(f.text).toBe(`2.3k parameters · 13.6k FLOPs per sample · ${f.memoryBytes >= 1e3 ? (f.memoryBytes / 1e3).toFixed(1) + 'k' : f.memoryBytes}B while training`);
    const moreFeatures = readDraft({ ...draftFromSpec(r.spec), features: ['x1', 'x2', 'x1sq'] }, spiral);
    expect('spec' in moreFeatures && specFigures(moreFeatures.spec, spiral).params).toBe(2274 + 32);
  });

  it('builds conv nets: a conv block goes before the dense layers with a flatten, types switch, and specs round-trip', () => {
    const mnist = TaskSpec.parse({ name: 'mnist' });
    const d = withConvAdded(draftFromSpec(DEFAULT_SPEC));
    expect(d.layers.map((l) => l.type ?? 'dense')).toEqual(['conv2d', 'maxPool2d', 'flatten', 'dense', 'dense']);
    expect(widthsText(d)).toBe('16, 16');
    expect(withWidths(d, '32').layers.map((l) => l.type ?? l.units)).toEqual(['conv2d', 'maxPool2d', 'flatten', '32']);
    const twice = withConvAdded(d);
    expect(twice.layers.map((l) => l.type ?? 'dense')).toEqual(['conv2d', 'maxPool2d', 'conv2d', 'maxPool2d', 'flatten', 'dense', 'dense']);
    const r = readDraft(twice, mnist);
    if (!('spec' in r)) throw new Error(JSON.stringify(r));
    expect(draftFromSpec(r.spec)).toEqual(twice);
    expect(readDraft(twice, spiral)).toEqual({ problems: [{ field: 'layers.0', message: "layer 0 (conv2d) needs an image task such as mnist: spiral's inputs are 2 features, not an image" }] });
    expect(readDraft(withLayerType(twice, 4, 'dense'), mnist)).toEqual({ problems: [{ field: 'layers.4', message: 'layer 4 (dense) follows an image layer: add {"type":"flatten"} before it' }] });
    const dense = withLayerType(twice, 0, 'dense');
    expect(dense.layers[0]).toEqual({ units: '16', activation: 'relu', dropout: '0', filters: '8', kernelSize: '3', strides: '1' });
    expect(readDraft(withLayer(twice, 0, { kernelSize: '9' }), mnist)).toMatchObject({ problems: [{ field: 'layers.0.kernelSize', message: 'layer kernelSize: kernelSize must be at most 7 (layer 1)' }] });
  });
});
