import { describe, expect, it } from 'vitest';
import { readWorkerConfig, stallOptions } from './worker.config.ts';

const base = { REDIS_URL: 'redis://127.0.0.1:6379' };

describe('worker settings', () => {
  it('defaults notice a dead worker within 4 s: its locks lapse within 3 s, and the next stalled check is within 1 s', () => {
    const c = readWorkerConfig(base);
    expect(c.success).toBe(true);
    const o = stallOptions(c.data!);
    expect(o).toEqual({ lockDuration: 3000, stalledInterval: 1000, maxStalledCount: 2 });
    expect(o.lockDuration! + o.stalledInterval!).toBeLessThanOrEqual(4000);
  });

  it('reads the settings, empty ones as unset, and names what is wrong', () => {
    const c = readWorkerConfig({ ...base, WORKER_LOCK_MS: '8000', WORKER_STALLED_INTERVAL_MS: '2000', WORKER_MAX_STALLED: '0', HEALTH_FILE: '' });
    expect(c.success && stallOptions(c.data)).toEqual({ lockDuration: 8000, stalledInterval: 2000, maxStalledCount: 0 });
    const tooLong = readWorkerConfig({ ...base, WORKER_LOCK_MS: '2000', WORKER_STALLED_INTERVAL_MS: '5000' });
    expect(tooLong.success).toBe(false);
    expect(tooLong.error!.issues[0]).toMatchObject({ path: ['WORKER_STALLED_INTERVAL_MS'], message: expect.stringMatching(/must not be longer than WORKER_LOCK_MS/) });
    const notNumber = readWorkerConfig({ ...base, WORKER_LOCK_MS: 'soon' });
    expect(notNumber.error!.issues[0]!.path).toEqual(['WORKER_LOCK_MS']);
  });
});
