import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@colyseus/sdk';
import { startArena, type Arena } from '../../server/app.ts';
import { readConfig } from '../../server/config.ts';

/** A real arena on a free port with its own PGlite folder, plus an SDK client for it. */
export async function startTestArena(env: Record<string, string> = {}): Promise<{ arena: Arena; url: string; client: Client; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arena-test-'));
  const arena = await startArena(readConfig({ PORT: '0', DATA_DIR: dataDir, TRAINER_THREADS: '2', ...env }));
  const url = `http://127.0.0.1:${arena.port}`;
  return {
    arena,
    url,
    client: new Client(url),
    stop: async () => {
      await arena.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the first message of `type` a room receives. */
export function nextMessage<T>(room: { onMessage(type: string, cb: (msg: T) => void): unknown }, type: string, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${type}" message within ${timeoutMs} ms`)), timeoutMs);
    room.onMessage(type, (msg: T) => {
      clearTimeout(timer);
      resolve(msg);
    });
  });
}

/** Polls until `check` returns a value (not undefined/false) or the time runs out. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
