import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type express from 'express';

/** The cookie a browser gets after opening an admin page with `?token=`, so the page's own requests pass. */
export const ADMIN_COOKIE = 'arena_admin';
/** How long the admin cookie lasts, in seconds (12 hours). */
const COOKIE_MAX_AGE_SEC = 12 * 3600;

/** Codes of the admin gate's refusals. */
export const AdminRefusal = {
  disabled: 'ADMIN_DISABLED',
  missing: 'ADMIN_TOKEN_REQUIRED',
  wrong: 'ADMIN_TOKEN_WRONG',
} as const;
export type AdminRefusal = (typeof AdminRefusal)[keyof typeof AdminRefusal];

/** Compares in time that does not depend on where the strings differ, nor (by hashing first) on their lengths. */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** What the cookie holds: derived from the token, so the token itself never sits in the browser's cookie jar. */
function cookieValue(token: string): string {
  return createHmac('sha256', token).update('gradient-arena admin cookie').digest('base64url');
}

function cookieOf(req: express.Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function refuse(res: express.Response, status: number, code: AdminRefusal, message: string): void {
  if (status === 401) res.set('WWW-Authenticate', 'Bearer realm="gradient-arena admin"');
  res.status(status).json({ error: { code, message } });
}

/**
 * Guards the admin pages with `ADMIN_TOKEN`. A request passes with `Authorization: Bearer <token>`,
 * with `?token=<token>` (which also sets an HttpOnly cookie scoped to `cookiePath`, and sends a browser
 * on to the same address without the token, so it stays out of history and logs), or with that cookie.
 *
 * Without a token configured every request is answered 404 with a message that says how to turn the pages on;
 * with a missing or wrong token, 401.
 *
 * @param token the configured ADMIN_TOKEN, or undefined when the admin pages are off
 * @param cookiePath path the cookie is scoped to (default `/admin`)
 */
export function adminAuth(token: string | undefined, cookiePath = '/admin'): express.RequestHandler {
  const expectedCookie = token ? cookieValue(token) : undefined;
  return (req, res, next) => {
    if (!token || !expectedCookie) {
      refuse(res, 404, AdminRefusal.disabled, 'the admin pages are off on this server: set ADMIN_TOKEN (at least 16 characters) to turn them on');
      return;
    }
    const header = req.headers.authorization;
    const bearer = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
    const query = typeof req.query.token === 'string' ? req.query.token : undefined;
    const presented = bearer ?? query;
    if (presented !== undefined) {
      if (!sameSecret(presented, token)) {
        refuse(res, 401, AdminRefusal.wrong, `the admin token is wrong (it was sent as ${bearer !== undefined ? 'an Authorization: Bearer header' : 'the ?token= parameter'})`);
        return;
      }
      if (bearer === undefined) {
        res.cookie(ADMIN_COOKIE, expectedCookie, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: cookiePath, maxAge: COOKIE_MAX_AGE_SEC * 1000 });
        if (req.method === 'GET' && req.accepts(['json', 'html']) === 'html') {
          const url = new URL(req.originalUrl, 'http://arena.invalid');
          url.searchParams.delete('token');
          res.redirect(303, url.pathname + url.search);
          return;
        }
      }
      next();
      return;
    }
    const cookie = cookieOf(req, ADMIN_COOKIE);
    if (cookie !== undefined) {
      if (sameSecret(cookie, expectedCookie)) next();
      else refuse(res, 401, AdminRefusal.wrong, 'the admin cookie is out of date (ADMIN_TOKEN changed?): open the page again with ?token=<ADMIN_TOKEN>');
      return;
    }
    refuse(res, 401, AdminRefusal.missing, 'this page needs the admin token: send "Authorization: Bearer <ADMIN_TOKEN>", or open it once with ?token=<ADMIN_TOKEN>');
  };
}
