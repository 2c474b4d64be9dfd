import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The secret that signs guest tokens: ARENA_SECRET when set; otherwise one
 * generated on first start and kept in `secretFile`, so tokens survive a
 * restart. Servers joined through Redis must share ARENA_SECRET, or a token
 * from one would be refused by another: that is refused at start-up.
 */
export function resolveArenaSecret(opts: { secret?: string; secretFile: string; sharedByServers: boolean }): string {
  if (opts.secret) return opts.secret;
  if (opts.sharedByServers) throw new Error('bad configuration: ARENA_SECRET must be set (the same on every server) when REDIS_URL joins several servers');
  try {
    const kept = readFileSync(opts.secretFile, 'utf8').trim();
    if (kept.length >= 32) return kept;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const fresh = randomBytes(32).toString('base64url');
  mkdirSync(path.dirname(opts.secretFile), { recursive: true });
  writeFileSync(opts.secretFile, `${fresh}\n`, { mode: 0o600 });
  return fresh;
}
