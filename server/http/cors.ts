import type { IncomingMessage } from 'node:http';
import { z } from 'zod';

/**
 * Who may call the server from a page of another origin: the listed origins (answered with credentials), `*`
 * (any origin, never with credentials), or nobody (an empty list: same origin only, the default).
 */
export type CorsOrigins = readonly string[];

/** Paths that never answer another origin, whatever CORS_ORIGINS says. */
const NEVER_CROSS_ORIGIN = ['/metrics', '/admin'];
/** What a preflight may ask for: the API's and the matchmaker's methods and the headers the SDK and page send. */
const ALLOW_METHODS = 'GET, HEAD, POST, OPTIONS';
const ALLOW_HEADERS = 'Origin, X-Requested-With, Content-Type, Accept, Authorization, X-Request-Id';
/** Response headers a page of another origin may read. */
const EXPOSE_HEADERS = 'X-Request-Id, Retry-After, RateLimit, RateLimit-Policy';
/** How long a browser may keep a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE_SEC = '600';

/** CORS_ORIGINS from the environment: comma-separated origins (`https://arena.example.com`) or `*` alone. */
export const CorsOriginsSetting = z.string().transform((text, ctx): CorsOrigins => {
  const entries = text.split(',').map((e) => e.trim().replace(/\/$/, '')).filter(Boolean);
  if (entries.includes('*')) {
    if (entries.length > 1) ctx.addIssue({ code: 'custom', message: 'CORS_ORIGINS is either * alone or a list of origins, not both' });
    return ['*'];
  }
  for (const entry of entries) {
    let origin: string | undefined;
    try {
      origin = new URL(entry).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== entry) {
      ctx.addIssue({ code: 'custom', message: `CORS_ORIGINS: "${entry}" is not an origin (scheme://host[:port], no path), e.g. https://arena.example.com` });
      return z.NEVER;
    }
  }
  return entries;
});

function neverCrossOrigin(url: string | undefined): boolean {
  const pathname = (url ?? '/').split('?')[0]!;
  return NEVER_CROSS_ORIGIN.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

/**
 * The CORS headers for a request under `origins`: none without an Origin header, for /metrics and /admin, or for
 * an origin not listed; the origin echoed with `Access-Control-Allow-Credentials: true` for a listed one; `*`
 * without credentials when any origin may read. A preflight (OPTIONS with Access-Control-Request-Method) also
 * gets the methods and headers it may use.
 */
export function corsHeaders(origins: CorsOrigins, req: Pick<IncomingMessage, 'method' | 'url' | 'headers'>): Record<string, string> {
  if (origins.length === 0 || neverCrossOrigin(req.url)) return {};
  const anyOrigin = origins[0] === '*';
  const headers: Record<string, string> = anyOrigin ? {} : { Vary: 'Origin' };
  const origin = req.headers.origin;
  if (!origin || (!anyOrigin && !origins.includes(origin))) return headers;
  if (anyOrigin) headers['Access-Control-Allow-Origin'] = '*';
  else Object.assign(headers, { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true' });
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
    Object.assign(headers, { 'Access-Control-Allow-Methods': ALLOW_METHODS, 'Access-Control-Allow-Headers': ALLOW_HEADERS, 'Access-Control-Max-Age': PREFLIGHT_MAX_AGE_SEC });
  } else {
    headers['Access-Control-Expose-Headers'] = EXPOSE_HEADERS;
  }
  return headers;
}
