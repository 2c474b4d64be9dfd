import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '../../shared/model-spec.schema.ts';
import { applyToView, CheckpointBook, describeControl, mayTakeSeat, refusal, viewOfSpec } from './playground.rules.ts';

describe('playground rules', () => {
  it('lets only the owner steer, and each action only in its phase', () => {
    const owner = { owner: true, ownerName: 'ada' };
    const spectator = { owner: false, ownerName: 'ada' };
    expect(refusal('control', spectator, 'training')).toEqual({ code: 'NOT_ALLOWED', message: 'spectators cannot steer: only ada steers this run' });
    expect(refusal('start', spectator, 'design')?.code).toBe('NOT_ALLOWED');
    expect(refusal('control', owner, 'training')).toBeUndefined();
    expect(refusal('control', owner, 'design')?.code).toBe('WRONG_PHASE');
    expect(refusal('spec', owner, 'training')?.code).toBe('WRONG_PHASE');
    expect(refusal('start', owner, 'finished')).toBeUndefined();
    expect(refusal('landscape', spectator, 'training')).toBeUndefined();
    expect(refusal('landscape', owner, 'finished')?.code).toBe('WRONG_PHASE');
  });

  it('gives the seat to the first player, and back only to its owner once they left', () => {
    expect(mayTakeSeat(undefined, undefined)).toBe(true);
    expect(mayTakeSeat({ playerId: 'p1', connected: true }, 'p1')).toBe(false);
    expect(mayTakeSeat({ playerId: 'p1', connected: false }, 'p1')).toBe(true);
    expect(mayTakeSeat({ playerId: 'p1', connected: false }, 'p2')).toBe(false);
    expect(mayTakeSeat({ playerId: 'p1', connected: false }, undefined)).toBe(false);
  });

  it('follows controls in the view of the network', () => {
    let v = viewOfSpec(DEFAULT_SPEC);
    expect(v).toEqual({ learningRate: 0.01, batchSize: 32, optimizer: 'adam', activations: ['relu', 'relu'], frozen: [false, false, false], augmentation: false, ramp: 0 });
    v = applyToView(v, { type: 'freeze', layer: 2, frozen: true });
    v = applyToView(v, { type: 'addLayer', index: 1, activation: 'tanh' });
    v = applyToView(v, { type: 'setOptimizer', optimizer: 'sgd', learningRate: 0.2 });
    expect(v).toMatchObject({ optimizer: 'sgd', learningRate: 0.2, activations: ['relu', 'tanh', 'relu'], frozen: [false, false, false, true] });
    v = applyToView(v, { type: 'removeLayer', layer: 0 });
    expect(v.activations).toEqual(['tanh', 'relu']);
    v = applyToView(v, { type: 'setAugmentation', enabled: true });
    v = applyToView(v, { type: 'setDifficulty', ramp: 0.4 });
    expect(v).toMatchObject({ augmentation: true, ramp: 0.4 });
    expect(viewOfSpec(DEFAULT_SPEC, 0.2).ramp).toBe(0.2);
    expect(describeControl({ type: 'addPoints', points: [{ x: [0.5, -0.25], label: 1 }] })).toBe('added a point of 1 at (0.50, -0.25)');
    expect(describeControl({ type: 'removePoints', from: [0.5, 0.1], to: [-0.5, 0.3] })).toBe('removed the points in [-0.50, 0.50] × [0.10, 0.30]');
    expect(describeControl({ type: 'setLearningRate', learningRate: 0.05 })).toBe('learning rate → 0.05');
  });

  it('knows the checkpoints the engine keeps: every N steps before the last frame, manual ones, none after a rewind target', () => {
    const v = viewOfSpec(DEFAULT_SPEC);
    const book = new CheckpointBook(50, v);
    for (let step = 10; step <= 150; step += 10) book.reached(step, v);
    expect(book.steps).toEqual([0, 50, 100]); // the one at 150 is taken before step 151 trains
    book.manual(153, applyToView(v, { type: 'setActivation', layer: 0, activation: 'tanh' }));
    book.reached(210, v);
    expect(book.steps).toEqual([0, 50, 100, 150, 153, 200]);
    expect(book.rewound(153)?.activations).toEqual(['tanh', 'relu']);
    expect(book.steps).toEqual([0, 50, 100, 150, 153]);
    book.reached(160, v);
    expect(book.steps).toEqual([0, 50, 100, 150, 153]);
    book.reached(210, v);
    expect(book.steps).toEqual([0, 50, 100, 150, 153, 200]);
  });
});
