/**
 * A Postgres restart mid-match loses nothing: a race ends while its database is down, its result waits in
 * the outbox on local disk (players are told it is being saved), and once the database is back it is stored,
 * once, with its ratings and XP. The test runs a Postgres of its own, so that it may stop and start it.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Room } from '@colyseus/sdk';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomNoticeMessage } from '../shared/protocol.ts';
import type { RaceResultMessage } from '../shared/race.messages.ts';
import type { RaceState } from '../shared/race.state.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { guestClient, startTestArena, waitFor } from './support/arena.ts';
import { postgresBinaries, startOwnPostgres, type OwnPostgres } from './support/own-postgres.ts';
import { REQUIRE_SERVICES } from './support/services.ts';

const bin = postgresBinaries();
if (!bin) {
  if (REQUIRE_SERVICES) throw new Error('REQUIRE_SERVICES=1 but no Postgres binaries (initdb, pg_ctl) were found under /usr/lib/postgresql/*/bin');
  console.warn('skipping the Postgres restart test: no initdb/pg_ctl under /usr/lib/postgresql/*/bin (set OWN_POSTGRES_BIN)');
}

describe.skipIf(!bin)('a Postgres restart mid-match loses nothing (a Postgres of its own, an arena on it, @colyseus/sdk)', () => {
  let own: OwnPostgres;
  let t: Awaited<ReturnType<typeof startTestArena>>;
  const outboxDir = mkdtempSync(path.join(tmpdir(), 'arena-outbox-'));
  const waiting = () => readdirSync(outboxDir).filter((n) => n.endsWith('.json'));

  beforeAll(async () => {
    own = await startOwnPostgres(bin!);
    t = await startTestArena({ DATABASE_URL: own.url, OUTBOX_DIR: outboxDir, OUTBOX_MAX_RETRY_MS: '1000' });
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await own?.destroy();
    rmSync(outboxDir, { recursive: true, force: true });
  }, 120_000);

  /** Rows about the match, read straight from the database. */
  async function rows(matchId: string, roomId: string) {
    const c = new pg.Client({ connectionString: own.url });
    await c.connect();
    try {
      const count = async (q: string, args: unknown[]) => Number((await c.query(q, args)).rows[0].n);
      return {
        matches: await count('select count(*) as n from matches where room_id = $1', [roomId]),
        entries: await count('select count(*) as n from match_entries where match_id = $1', [matchId]),
        runs: await count('select count(*) as n from runs where match_id = $1', [matchId]),
        ratings: await count('select count(*) as n from rating_history where match_id = $1', [matchId]),
        xp: await count('select count(*) as n from xp_events where source_key like $1', [`match:${matchId}:%`]),
        hashes: (await c.query('select weights_hash from match_entries where match_id = $1 order by seat', [matchId])).rows.map((r) => r.weights_hash as string),
      };
    } finally {
      await c.end();
    }
  }

  it('the race ends while the database is down: "saving…", the result waits on disk, and is stored once with ratings and XP after the restart', async () => {
    const ada = await guestClient(t.url, 'ada');
    const bob = await guestClient(t.url, 'bob');
    // A rated race (the server draws the seed), so that it moves ratings and XP.
    const a: Room<any, RaceState> = await ada.client.create<RaceState>('race', { budget: 4000, countdownSeconds: 60, paceSeconds: 8 });
    const b = await bob.client.joinById<RaceState>(a.roomId, {});
    b.onMessage('*', () => {});
    a.onMessage('welcome', () => {});
    const notices: string[] = [];
    a.onMessage('notice', (n: RoomNoticeMessage) => notices.push(n.message));
    let result: RaceResultMessage | undefined;
    a.onMessage('result', (r: RaceResultMessage) => (result = r));
    a.send('spec', { spec: SPEC_TEMPLATES[0]!.spec });
    b.send('spec', { spec: SPEC_TEMPLATES[1]!.spec });
    await waitFor(() => [...a.state.entries.values()].every((e) => e.summary !== ''), 'both specs to be accepted');
    a.send('ready', { ready: true });
    b.send('ready', { ready: true });
    await waitFor(() => a.state.phase === 'training', 'the race to start');

    await own.stop(); // mid-match, long before the result is stored
    await waitFor(() => a.state.phase === 'finished', 'the race to finish with its database down', 120_000);
    await waitFor(() => notices.some((n) => n.startsWith('saving the race result…')), `players to be told the result is being saved (notices: ${JSON.stringify(notices)})`, 30_000);
    expect(notices.find((n) => n.startsWith('saving'))).toContain('the database is unreachable');
    expect(waiting()).toHaveLength(1); // on disk, not only in memory
    expect(await fetch(`${t.url}/health`).then((r) => r.json())).toMatchObject({ status: 'degraded', resultsWaiting: 1 });
    await new Promise((r) => setTimeout(r, 2500)); // a few retries fail meanwhile
    expect(result).toBeUndefined();

    await own.start();
    await waitFor(() => result, 'the result once the database is back', 60_000);
    expect(result!.matchId).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(() => notices.includes('the race result is stored'), 'players to be told it is stored', 10_000);
    expect(waiting()).toEqual([]);
    expect(await fetch(`${t.url}/health`).then((r) => r.json())).toMatchObject({ status: 'ok', resultsWaiting: 0 });

    const stored = await rows(result!.matchId!, a.roomId);
    expect(stored).toMatchObject({ matches: 1, entries: 2, runs: 2, ratings: 4, xp: 2 }); // ratings: overall and on the task, per player
    expect(stored.hashes.every((h) => /^[0-9a-f]+$/.test(h))).toBe(true);
    const match = await fetch(`${t.url}/api/matches/${result!.matchId}`).then((r) => r.json());
    expect(match.entries.map((e: { weightsHash: string }) => e.weightsHash)).toEqual(stored.hashes);
    // A retry whose first try had committed (its reply lost with the connection) stores nothing again.
    const again = await t.arena.services.matches.recordRace({ match: (await t.arena.services.matches.load(result!.matchId!))!, runs: [], events: new Map() });
    expect(again).toEqual([]);
    expect(await rows(result!.matchId!, a.roomId)).toEqual(stored);
    await Promise.all([a.leave(), b.leave()]);
  }, 240_000);
});
