import type express from 'express';
import helmet from 'helmet';

/**
 * What the page may load, checked in headless Chromium by test/csp.page.test.ts: its own scripts, styles and
 * chunks (Vite's build, Babylon.js loaded on demand), `data:` images (the favicon), and its API and WebSocket
 * on the same origin (`'self'` covers ws:/wss: to the same host). Nothing inline and no eval: the page sets
 * styles through the CSSOM, Pixi uses its eval-free uploads (`pixi.js/unsafe-eval`) and zod parses jitless
 * (client/public/zod-jitless.js). No `upgrade-insecure-requests`: a LAN server on plain http must keep
 * loading its own page.
 */
export const PAGE_CSP = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'worker-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** The admin pages (Bull Board, the Colyseus monitor) are third-party pages with inline scripts: no CSP there. */
const ADMIN_PATH = /^\/admin(\/|$)/;

/**
 * Helmet's security headers on every Express answer (nosniff, frame and referrer policies, HSTS over https, …),
 * with `PAGE_CSP` as the Content-Security-Policy everywhere but /admin.
 */
export function securityHeaders(): express.RequestHandler {
  const page = helmet({ contentSecurityPolicy: { useDefaults: false, directives: PAGE_CSP } });
  const admin = helmet({ contentSecurityPolicy: false });
  return (req, res, next) => (ADMIN_PATH.test(req.path) ? admin : page)(req, res, next);
}
