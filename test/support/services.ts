/**
 * Finds the real services the integration tests need. When one is missing the
 * tests that need it are skipped, unless REQUIRE_SERVICES=1 (as in CI), in
 * which case the test file fails with a message that says what is missing.
 */
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';

export const REQUIRE_SERVICES = process.env.REQUIRE_SERVICES === '1';
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function verdict(name: string, problem: string | undefined): boolean {
  if (!problem) return true;
  if (REQUIRE_SERVICES) throw new Error(`REQUIRE_SERVICES=1 but ${name} is not available: ${problem}`);
  console.warn(`skipping tests that need ${name}: ${problem}`);
  return false;
}

/** True when Postgres answers at TEST_DATABASE_URL. */
export async function hasPostgres(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return verdict('Postgres', undefined);
  } catch (err) {
    return verdict('Postgres', `${TEST_DATABASE_URL}: ${(err as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/** True when Redis answers at TEST_REDIS_URL. */
export async function hasRedis(): Promise<boolean> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
    return verdict('Redis', undefined);
  } catch (err) {
    return verdict('Redis', `${TEST_REDIS_URL}: ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
}

/** True when Chromium is installed at CHROMIUM_PATH. */
export function hasChromium(): boolean {
  return verdict('Chromium', existsSync(CHROMIUM_PATH) ? undefined : `${CHROMIUM_PATH} does not exist (apt-get install chromium)`);
}

/** Creates an empty database for one test file; returns its URL and a function that drops it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `arena_test_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
