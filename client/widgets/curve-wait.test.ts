import { describe, expect, it } from 'vitest';
import { FRAME_EVERY_STEPS } from '../../shared/run.schema.ts';
import { curveWaitText } from './curve-wait.ts';

describe('curveWaitText', () => {
  it('names the first frame while training', () => {
    expect(curveWaitText('training')).toBe(`waiting for the first frame at step ${FRAME_EVERY_STEPS}…`);
  });

  it('says what starts the curves before a run, and that a finished run had none', () => {
    expect(curveWaitText('lobby')).toContain('race to start');
    expect(curveWaitText('design')).toContain('run to start');
    expect(curveWaitText('finished')).toContain('no curve points');
  });
});
