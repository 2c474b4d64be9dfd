import { isIP } from 'node:net';
import { z } from 'zod';

/** Express's `trust proxy` value: off, a number of proxies, or the addresses and subnets of trusted proxies. */
export type TrustProxy = false | number | string[];

const NAMED = new Set(['loopback', 'linklocal', 'uniquelocal']);

function validEntry(entry: string): boolean {
  if (NAMED.has(entry)) return true;
  const [address, bits, extra] = entry.split('/');
  if (extra !== undefined || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

/**
 * Reads TRUST_PROXY: `off`/`false`/`0` (the default: the client is the socket's peer), a number of proxies in
 * front of the server (`1`), or a comma-separated list of trusted proxies' addresses, subnets and Express's names
 * (`loopback`, `linklocal`, `uniquelocal`). `true` (trust any X-Forwarded-For) is refused: anyone could then pick
 * the address their rate limit counts against.
 */
export const TrustProxySetting = z.string().transform((text, ctx): TrustProxy => {
  const t = text.trim().toLowerCase();
  if (t === 'off' || t === 'false' || t === '0') return false;
  if (/^\d{1,2}$/.test(t)) return Number(t);
  if (t === 'true') {
    ctx.addIssue({ code: 'custom', message: 'TRUST_PROXY=true would believe any X-Forwarded-For: give the number of proxies (1) or their addresses (10.0.0.0/8)' });
    return z.NEVER;
  }
  const entries = t.split(',').map((e) => e.trim()).filter(Boolean);
  const bad = entries.filter((e) => !validEntry(e));
  if (entries.length === 0 || bad.length > 0) {
    ctx.addIssue({ code: 'custom', message: `TRUST_PROXY must be off, a number of proxies or addresses/subnets such as 10.0.0.0/8,loopback (not "${bad.join(',') || text}")` });
    return z.NEVER;
  }
  return entries;
});
