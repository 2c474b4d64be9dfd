/** A server process for the fuzzer: its own data folder, the limits relaxed so that the messages reach the handlers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';

/**
 * The fuzz server lets one connection send as much as it likes and offend as
 * often as it likes, so every message goes through the gate and on to a
 * handler instead of the connection being closed at the second one; the limits
 * themselves are tested in test/room-gate.test.ts.
 */
export async function startFuzzServer(env: Record<string, string> = {}): Promise<ServerProcess & { cleanup(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arena-fuzz-'));
  const server = await startServerProcess({
    DATA_DIR: dataDir,
    SECRET_FILE: path.join(dataDir, 'secret'),
    ARENA_SECRET: 'fuzz-secret-fuzz-secret-fuzz-secret-0',
    TRAINER_THREADS: '1',
    LOG_LEVEL: 'warn',
    ROOM_MESSAGES_PER_SECOND: '10000',
    ROOM_OFFENCES_BEFORE_CLOSE: '1000',
    ...env,
  });
  return {
    ...server,
    cleanup: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
