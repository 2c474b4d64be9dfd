import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../shared/run.schema.ts';
import { ControlLedger, refusedControl, sameControl, steerRefusal, type SteerRequest } from './control-rules.ts';

const ask: SteerRequest = { isPlayer: true, ownRunId: 'r1', runId: 'r1', ownerOf: (id) => (id === 'r2' ? 'bob' : undefined), training: true, interventionsLeft: 1, interventions: 3 };
const event = (e: Partial<RunEvent>): RunEvent => ({ runId: 'r1', step: 40, samples: 1280, type: 'control', message: '', ...e });

describe('who may steer', () => {
  it('only a player, their own run, while it trains, while they have interventions left', () => {
    expect(steerRefusal(ask)).toBeUndefined();
    expect(steerRefusal({ ...ask, isPlayer: false })).toMatchObject({ code: 'NOT_ALLOWED', message: 'spectators cannot steer a model' });
    expect(steerRefusal({ ...ask, runId: 'r2' })).toMatchObject({ code: 'NOT_ALLOWED', field: 'runId', message: 'run r2 belongs to bob: you can only steer your own' });
    expect(steerRefusal({ ...ask, runId: 'r9' })?.message).toContain('there is no run r9');
    expect(steerRefusal({ ...ask, training: false })).toMatchObject({ code: 'WRONG_PHASE' });
    expect(steerRefusal({ ...ask, interventionsLeft: 0 })?.message).toBe('you have used all 3 interventions');
  });
});

describe('ControlLedger', () => {
  it('answers the oldest pending control equal to the engine\'s, whatever its key order', () => {
    const ledger = new ControlLedger<string>();
    ledger.sent('r1', { type: 'setLearningRate', learningRate: 0.1 }, 'first');
    ledger.sent('r1', { type: 'setActivation', layer: 9, activation: 'tanh' }, 'second');
    ledger.sent('r1', { type: 'setLearningRate', learningRate: 0.1 }, 'third');
    expect(ledger.answer(event({ type: 'converged' }))).toBeUndefined();
    const refused = ledger.answer(event({ type: 'controlRefused', message: 'layer 9 does not exist', control: { activation: 'tanh', layer: 9, type: 'setActivation' } }));
    expect(refused).toMatchObject({ outcome: 'refused', reason: 'layer 9 does not exist', pending: { sender: 'second' } });
    expect(ledger.answer(event({ control: { type: 'setLearningRate', learningRate: 0.1 }, step: 41 }))).toMatchObject({ outcome: 'applied', step: 41, pending: { sender: 'first' } });
    expect(ledger.awaiting((s) => s === 'third')).toBe(1);
  });

  it('ignores controls nobody here sent (a charge, a resumed run\'s scheduled ones) and other runs\' events', () => {
    const ledger = new ControlLedger<string>();
    ledger.sent('r1', { type: 'setBatchSize', batchSize: 16 }, 'ada');
    expect(ledger.answer(event({ control: { type: 'spendBudget', samples: 160 } }))).toBeUndefined();
    expect(ledger.answer(event({ runId: 'r2', control: { type: 'setBatchSize', batchSize: 16 } }))).toBeUndefined();
    expect(ledger.answer(event({ control: 'garbage' }))).toBeUndefined();
    expect(ledger.drop('r1').map((p) => p.sender)).toEqual(['ada']);
    expect(ledger.drop('r1')).toEqual([]);
  });

  it('words a refusal with the engine\'s reason', () => {
    expect(refusedControl({ type: 'freeze', layer: 7, frozen: true }, 'layer 7 does not exist')).toEqual({ code: 'CONTROL_REFUSED', message: 'freeze was refused: layer 7 does not exist', about: 'control' });
    expect(sameControl({ type: 'pause' }, { type: 'resume' })).toBe(false);
  });
});
