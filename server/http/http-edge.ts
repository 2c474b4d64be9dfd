import type { Server as HttpServer } from 'node:http';
import { matchMaker } from '@colyseus/core';
import type express from 'express';
import type { Redis } from 'ioredis';
import type { ServerConfig } from '../config.ts';
import { moduleLogger } from '../logger.ts';
import { corsHeaders } from './cors.ts';
import { mountRateLimits, rateLimitPrefix } from './rate-limits.ts';
import { requestLog } from './request-log.ts';
import { securityHeaders } from './security-headers.ts';

/**
 * The Express side of the HTTP edge, mounted before every route: the client's address (TRUST_PROXY), helmet's
 * security headers with the page's CSP, and the rate limits (counted in Redis with REDIS_URL, so every server of
 * the arena shares them).
 */
export function mountHttpEdge(app: express.Application, config: ServerConfig, redis: Redis | undefined): void {
  app.set('trust proxy', config.TRUST_PROXY);
  app.use(securityHeaders());
  const adminPaths = config.ADMIN_TOKEN ? ['/admin', ...(config.METRICS_AUTH === 'admin' ? ['/metrics'] : [])] : [];
  mountRateLimits(
    app,
    { guests: config.RATE_LIMIT_GUESTS, designWrites: config.RATE_LIMIT_DESIGN_WRITES, passkeyWrites: config.RATE_LIMIT_PASSKEY_WRITES, apiReads: config.RATE_LIMIT_API_READS, adminLogin: config.RATE_LIMIT_ADMIN_LOGIN },
    { redis, prefix: rateLimitPrefix(config.ARENA_QUEUE), logger: moduleLogger('http') },
    adminPaths,
  );
}

/**
 * The outermost layer of every HTTP request, around Colyseus's router and Express alike (call it after the game
 * server listens, when Colyseus has bound its handlers): a request id and a log line for each request, and CORS.
 *
 * Colyseus 0.18 answers every request with `Access-Control-Allow-Origin: <any origin>` and
 * `Access-Control-Allow-Credentials: true`, and every OPTIONS with 204, before Express sees it
 * (`@colyseus/core` router/index.ts `bindRouterToTransport`). Its headers are emptied here through the hooks it
 * offers (`matchMaker.controller.DEFAULT_CORS_HEADERS` and `getCorsHeaders`, process-wide), and `corsHeaders`
 * decides instead, from CORS_ORIGINS and the path, before Colyseus's handler runs. Preflights are still
 * answered 204, with CORS headers only for an allowed origin.
 */
export function wrapHttpEdge(server: HttpServer, config: ServerConfig): void {
  // typed as its five default headers, but read as any record at each request
  (matchMaker.controller as { DEFAULT_CORS_HEADERS: Record<string, string> }).DEFAULT_CORS_HEADERS = {};
  matchMaker.controller.getCorsHeaders = () => ({});
  const log = requestLog(moduleLogger('http'));
  const inner = server.listeners('request') as ((...args: unknown[]) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    log(req, res);
    for (const [name, value] of Object.entries(corsHeaders(config.CORS_ORIGINS, req))) res.setHeader(name, value);
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    for (const listener of inner) listener.call(server, req, res);
  });
}
