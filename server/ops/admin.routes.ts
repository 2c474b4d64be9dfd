import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { monitor } from '@colyseus/monitor';
import type { Queue } from 'bullmq';
import express from 'express';
import { moduleLogger } from '../logger.ts';
import { adminAuth } from './admin-auth.ts';

/** Where the admin pages live. */
export const ADMIN_PATH = '/admin';

/** Options of the admin pages. */
export interface AdminRoutesOptions {
  /** ADMIN_TOKEN; without it every admin page answers 404 with a message saying how to turn them on. */
  token: string | undefined;
  /** The training queue to show on Bull Board; absent with the embedded trainer, which has no queue. */
  queue: Queue | undefined;
}

/**
 * The admin pages behind `adminAuth`: Bull Board at `/admin/queues` (BullMQ only) and the Colyseus
 * monitor at `/admin/colyseus`. Mount the router at `ADMIN_PATH`.
 */
export function adminRoutes(options: AdminRoutesOptions): express.Router {
  const router = express.Router();
  router.use(adminAuth(options.token, ADMIN_PATH));
  router.get('/', (_req, res) => {
    res.json({ pages: { queues: `${ADMIN_PATH}/queues`, colyseus: `${ADMIN_PATH}/colyseus` }, metrics: '/metrics' });
  });

  if (options.queue) {
    const board = new ExpressAdapter();
    // Bull Board writes this path into its page for its assets and API calls: it must be the full mount path.
    board.setBasePath(`${ADMIN_PATH}/queues`);
    createBullBoard({
      queues: [new BullMQAdapter(options.queue)],
      // @bull-board/express 9.10.1 brings its own @bull-board/api 9.10.1 beside our 9.10.2: the same adapter,
      // but TypeScript sees two declarations of a private field. Aligning the two versions removes the cast.
      serverAdapter: board as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
      options: { uiConfig: { boardTitle: 'Gradient Arena' } },
    });
    router.use('/queues', board.getRouter());
  } else {
    router.use('/queues', (_req, res) => {
      res.status(404).json({
        error: { code: 'NO_QUEUE', message: 'the embedded trainer has no queue to show: Bull Board runs when the server has REDIS_URL and trains on BullMQ workers' },
      });
    });
  }

  const mismatch = monitorCoreMismatch();
  if (mismatch) {
    moduleLogger('admin').warn(mismatch);
    // The page still loads; its API would only fail with "Cannot read properties of undefined (reading 'query')".
    router.use('/colyseus/api', (_req, res) => {
      res.status(501).json({ error: { code: 'MONITOR_MISMATCH', message: mismatch } });
    });
  }
  router.use('/colyseus', monitor());
  return router;
}

/**
 * The monitor reads rooms through the `matchMaker` of the @colyseus/core it imports. A monitor built for another
 * Colyseus version brings its own copy, whose matchMaker this server never started: say so instead of failing.
 */
export function monitorCoreMismatch(): string | undefined {
  const require = createRequire(import.meta.url);
  const packageDir = (entry: string, name: string) => {
    const marker = `${path.sep}node_modules${path.sep}${name.replace('/', path.sep)}${path.sep}`;
    return entry.slice(0, entry.lastIndexOf(marker) + marker.length);
  };
  const version = (dir: string) => String(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version);
  const ours = packageDir(require.resolve('@colyseus/core'), '@colyseus/core');
  const monitorEntry = require.resolve('@colyseus/monitor');
  const theirs = packageDir(createRequire(monitorEntry).resolve('@colyseus/core'), '@colyseus/core');
  if (ours === theirs) return undefined;
  const monitorVersion = version(packageDir(monitorEntry, '@colyseus/monitor'));
  return (
    `@colyseus/monitor ${monitorVersion} brings its own @colyseus/core ${version(theirs)}, not this server's ${version(ours)}, ` +
    `so it cannot see this server's rooms: install the @colyseus/monitor that matches @colyseus/core ${version(ours)}`
  );
}
