import { matchMaker } from '@colyseus/core';
import { Queue } from 'bullmq';
import type express from 'express';
import type { Redis } from 'ioredis';
import type { ServerConfig } from '../config.ts';
import { moduleLogger } from '../logger.ts';
import type { Trainer } from '../trainer/trainer.port.ts';
import { adminAuth } from './admin-auth.ts';
import { ADMIN_PATH, adminRoutes } from './admin.routes.ts';
import { meteredTrainer } from './metered.trainer.ts';
import { ArenaMetrics, QUEUE_STATES } from './metrics.ts';

/** The operations side of a running arena: metrics, admin pages and the metered trainer. */
export interface Ops {
  readonly metrics: ArenaMetrics;
  /** Wraps the trainer so every run it passes on is counted. */
  meter(trainer: Trainer): Trainer;
  /** Adds `/metrics` and `/admin/*` to the HTTP app; call it before the catch-all routes. */
  mount(app: express.Application): void;
  close(): Promise<void>;
}

/**
 * Builds the operations side from the server's settings. With `redis` (REDIS_URL) it reads the BullMQ
 * queue `ARENA_QUEUE` for queue depth and Bull Board; without it the embedded trainer's runs stand in.
 */
export function createOps(config: ServerConfig, redis: Redis | undefined): Ops {
  const log = moduleLogger('ops');
  const queue = redis ? new Queue(config.ARENA_QUEUE, { connection: redis }) : undefined;
  const metrics = new ArenaMetrics(
    {
      queueName: queue ? config.ARENA_QUEUE : 'embedded',
      queueJobs: queue ? () => queue.getJobCounts(...QUEUE_STATES) : undefined,
      // Only this process's rooms: with the Redis driver `query` sees every server's, and each server is scraped.
      rooms: () => matchMaker.query({ processId: matchMaker.processId }),
      roomNames: () => Object.keys(matchMaker.getAllHandlers()),
    },
    log,
  );
  return {
    metrics,
    meter: (trainer) => meteredTrainer(trainer, metrics),
    mount(app) {
      const guard: express.RequestHandler[] = config.METRICS_AUTH === 'admin' ? [adminAuth(config.ADMIN_TOKEN, '/metrics')] : [];
      app.get('/metrics', ...guard, async (_req, res, next) => {
        try {
          const { contentType, body } = await metrics.render();
          res.type(contentType).send(body);
        } catch (err) {
          next(err);
        }
      });
      app.use(ADMIN_PATH, adminRoutes({ token: config.ADMIN_TOKEN, queue }));
    },
    async close() {
      await queue?.close();
    },
  };
}
