import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { arenaSuite } from './support/arena.ts';

const run = promisify(execFile);
const ARENA = fileURLToPath(new URL('../cli/arena.ts', import.meta.url));
const arena = (...args: string[]) => run(process.execPath, [ARENA, ...args], { timeout: 300_000 });

describe('npm run arena -- tournament against a running server', () => {
  const t = arenaSuite();

  it('4 bots fill a single-elimination tournament and play it to its champion: 3 matches, stored with the tournament', async () => {
    const { stdout } = await arena('tournament', '--server', t.url, '--players', '4', '--task', 'spiral', '--budget', '3000', '--break', '0', '--json');
    const out = JSON.parse(stdout.trim());
    expect(out.ranking.map((r: { player: string }) => r.player).sort()).toEqual(['bot-1', 'bot-2', 'bot-3', 'bot-4']);
    expect(out.ranking.map((r: { rank: number }) => r.rank)).toEqual([1, 2, 3, 4]);
    expect(out.champion).toBe(out.ranking[0].player);
    expect(out.ranking[0]).toMatchObject({ wins: 2, losses: 0 });
    expect(out).toMatchObject({ stored: true, rated: true });
    expect(out.matchIds).toHaveLength(3);

    const db = t.arena.database.db;
    const row = await db.selectFrom('tournaments').innerJoin('players', 'players.id', 'tournaments.champion_id').select(['tournaments.status', 'players.name']).where('tournaments.id', '=', out.tournamentId).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'finished', name: out.champion });
    const matches = await db.selectFrom('matches').select(['id', 'round']).where('tournament_id', '=', out.tournamentId).execute();
    expect(matches.map((m) => m.id).sort()).toEqual([...out.matchIds].sort());
    expect(matches.map((m) => m.round).sort()).toEqual([1, 1, 2]);
  }, 300_000);

  it('5 bots play a custom-seed Swiss tournament of 2 rounds: every bot is ranked with its points, and nothing is rated', async () => {
    const { stdout } = await arena('tournament', '--server', t.url, '--players', '5', '--format', 'swiss', '--rounds', '2', '--task', 'xor', '--budget', '2000', '--seed', '8', '--break', '0', '--json');
    const out = JSON.parse(stdout.trim());
    expect(out.ranking).toHaveLength(5);
    expect(out).toMatchObject({ stored: true, rated: false, champion: out.ranking[0].player });
    // Two rounds of two races and a bye each; a win or a bye is worth a point.
    expect(out.matchIds).toHaveLength(4);
    const points = out.ranking.map((r: { points: number }) => r.points);
    expect(points.reduce((a: number, b: number) => a + b, 0)).toBe(2 * 3);
    expect(points).toEqual([...points].sort((a, b) => b - a));
  }, 300_000);

  it('names a bad option and exits 2 before it touches the server', async () => {
    const err = await arena('tournament', '--server', t.url, '--players', '3').catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toContain('--players must be at least 4');
    const rounds = await arena('tournament', '--server', t.url, '--rounds', '2').catch((e: { code: number; stderr: string }) => e);
    expect((rounds as { stderr: string }).stderr).toContain('--rounds is for --format swiss only');
  });
});
