import { z } from 'zod';

/** How many requests one client address may make in a window; `undefined` when the limit is off. */
export interface RateLimit {
  /** Requests allowed per window. */
  limit: number;
  /** The window, in milliseconds. */
  windowMs: number;
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;
const FORM = /^(\d{1,7})\s*\/\s*(\d{1,4})?\s*([smh])$/;

/**
 * Reads a limit written `N/window`: `30/1m` (30 a minute), `10/15m`, `5/30s`, `1000/1h` (a bare unit counts one:
 * `300/m`). `off` turns the limit off. Throws with a message that quotes the bad text.
 */
export function parseRateLimit(text: string): RateLimit | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'off') return undefined;
  const m = FORM.exec(t);
  if (!m) throw new Error(`"${text}" is not a rate limit: write N/window such as 30/1m, 10/15m or 5/30s, or off`);
  const limit = Number(m[1]);
  const windowMs = Number(m[2] ?? 1) * UNIT_MS[m[3] as keyof typeof UNIT_MS];
  if (limit < 1 || windowMs < 1000) throw new Error(`"${text}" is not a rate limit: it needs at least one request in a window of at least 1 s`);
  return { limit, windowMs };
}

/** A rate limit setting from the environment (see `parseRateLimit`). */
export const RateLimitSetting = z.string().transform((text, ctx): RateLimit | undefined => {
  try {
    return parseRateLimit(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** A window in words for messages: `1 min`, `15 min`, `30 s`, `1 h`. */
export function describeWindow(windowMs: number): string {
  if (windowMs % UNIT_MS.h === 0) return `${windowMs / UNIT_MS.h} h`;
  if (windowMs % UNIT_MS.m === 0) return `${windowMs / UNIT_MS.m} min`;
  return `${Math.round(windowMs / 1000)} s`;
}
