import { describe, expect, it } from 'vitest';
import { MAX_PARAMETERS } from '../../shared/model-spec.schema.ts';
import { SPEC_TEMPLATES } from '../../shared/spec-templates.ts';
import { TaskSpec } from '../../shared/task.schema.ts';
import { acceptSpec, applySpec, describeSpec } from './spec-rules.ts';

const task = TaskSpec.parse({ name: 'spiral' });
const spec = SPEC_TEMPLATES[0]!.spec;

describe('spec rules', () => {
  it('summarises a spec: widths from inputs to outputs, activations, optimizer and batch', () => {
    const { params, summary } = describeSpec({ ...spec, layers: [{ units: 8, activation: 'relu', dropout: 0 }, { units: 4, activation: 'tanh', dropout: 0 }] }, task);
    expect(summary).toMatch(/^\d+-8-4-\d+ relu\/tanh · \w+ [\d.e-]+ · batch \d+$/);
    expect(params).toBeGreaterThan(8 * 4);
  });

  it('refuses a network larger than the arena trains, naming the field', () => {
    const huge = { ...spec, layers: Array.from({ length: 8 }, () => ({ units: 1024, activation: 'relu' as const, dropout: 0 })) };
    const verdict = acceptSpec(huge, task);
    expect('refusal' in verdict && verdict.refusal).toMatchObject({ code: 'SPEC_TOO_LARGE', field: 'spec.layers', about: 'spec' });
    expect(JSON.stringify(verdict)).toContain(MAX_PARAMETERS.toLocaleString('en'));
  });

  it('applies a room\'s own limit (a challenge\'s), and tells only the sender', () => {
    const sent: unknown[] = [];
    const client = { send: (type: string, message: unknown) => sent.push([type, message]) };
    const target = { params: 0, summary: '' };
    expect(applySpec(client, spec, task, target, (p) => (p > 10 ? `at most 10 parameters, not ${p}` : undefined))).toBeUndefined();
    expect(sent).toEqual([['error', expect.objectContaining({ code: 'SPEC_TOO_LARGE', message: expect.stringContaining('at most 10 parameters') })]]);
    expect(target.summary).toBe('');
    expect(applySpec(client, spec, task, target)).toEqual(describeSpec(spec, task));
    expect(target).toEqual(describeSpec(spec, task));
  });
});
