import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACHIEVEMENTS } from '../server/progression/achievements.ts';
import type { AchievementInfo, LeaderboardPage, PlayerProfile } from '../shared/api.schema.ts';
import type { RaceResultMessage, RaceWelcomeMessage } from '../shared/race.messages.ts';
import type { RaceState } from '../shared/race.state.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { guestClient, nextMessage, startTestArena } from './support/arena.ts';

describe('the HTTP API', () => {
  let t: Awaited<ReturnType<typeof startTestArena>>;
  let result: RaceResultMessage;
  let adaId: string;
  beforeAll(async () => {
    t = await startTestArena();
    // A real race through the SDK, so the API has something to show.
    const ada = await (await guestClient(t.url, 'ada')).client.create<RaceState>('race', { budget: 4000, countdownSeconds: 60 });
    const welcome = nextMessage<RaceWelcomeMessage>(ada, 'welcome');
    const bob = await (await guestClient(t.url, 'bob')).client.joinById<RaceState>(ada.roomId, {});
    bob.onMessage('welcome', () => {});
    bob.onMessage('result', () => {});
    adaId = (await welcome).playerId;
    const done = nextMessage<RaceResultMessage>(ada, 'result');
    ada.send('spec', { spec: SPEC_TEMPLATES[0]!.spec });
    bob.send('spec', { spec: SPEC_TEMPLATES[3]!.spec });
    await new Promise((r) => setTimeout(r, 200));
    ada.send('ready', { ready: true });
    bob.send('ready', { ready: true });
    result = await done;
    await Promise.all([ada.leave(), bob.leave()]);
  });
  afterAll(async () => t?.stop());

  const get = async (path: string) => {
    const r = await fetch(`${t.url}${path}`);
    return { status: r.status, body: await r.json() };
  };

  it('the race stored its players, ratings, XP and achievements', async () => {
    expect(result.ranking.map((r) => r.playerId)).toContain(adaId);
    const profile = (await get(`/api/players/${adaId}`)).body as PlayerProfile;
    expect(profile).toMatchObject({ id: adaId, name: 'ada' });
    expect(profile.xp).toBeGreaterThanOrEqual(20);
    expect(profile.ratings.map((r) => r.scope).sort()).toEqual(['overall', 'spiral']);
    expect(profile.recentMatches[0]!.matchId).toBe(result.matchId);
    const unlockedForAda = result.unlocks.filter((u) => u.playerId === adaId).map((u) => u.achievement);
    expect(profile.achievements.filter((a) => a.tier > 0).map((a) => a.name).sort()).toEqual([...unlockedForAda].sort());
  });

  it('serves leaderboards with the own rank, and runs with their run file', async () => {
    const board = (await get(`/api/leaderboard?board=xp&period=week&limit=1&player=${adaId}`)).body as LeaderboardPage;
    expect(board.entries).toHaveLength(1);
    expect(board.me).toMatchObject({ playerId: adaId, name: 'ada' });
    expect(board.nextCursor).toEqual(expect.any(String));
    const next = (await get(`/api/leaderboard?board=xp&period=week&limit=1&cursor=${board.nextCursor}`)).body as LeaderboardPage;
    expect(next.entries[0]!.playerId).not.toBe(board.entries[0]!.playerId);
    const match = (await get(`/api/matches/${result.matchId}`)).body;
    const run = (await get(`/api/runs/${match.entries[0].runId}`)).body;
    expect(run.runFile).toMatchObject({ format: 'gradient-arena-run', budget: 4000 });
    expect(run.runFile.expected.weightsHash).toBe(match.entries[0].weightsHash);
    // A race entry's stored curve keeps validation accuracy and training loss only: its CSV says so in its header.
    const csv = (await (await fetch(`${t.url}/api/runs/${match.entries[0].runId}/metrics.csv`)).text()).trim().split('\n');
    expect(csv[0]).toBe('samples,loss,valAccuracy');
    expect(Number(csv.at(-1)!.split(',')[0])).toBe(4000);
    const achievements = (await get('/api/achievements')).body as AchievementInfo[];
    expect(achievements).toHaveLength(ACHIEVEMENTS.length);
    expect(achievements.every((a) => a.rarity >= 0 && a.rarity <= 1)).toBe(true);
  });

  it.each([
    ['/api/leaderboard?board=karma', 400, 'board'],
    ['/api/leaderboard?limit=1000', 400, 'limit must be at most 100'],
    ['/api/leaderboard?cursor=zzz', 400, 'cursor is not one this server gave out'],
    ['/api/leaderboard?player=bob', 400, 'player must be a player id'],
    ['/api/leaderboard?task=chess&board=rating', 400, 'task'],
    ['/api/players/00000000-0000-0000-0000-000000000000', 404, 'no player'],
    ['/api/players/not-an-id', 404, 'no player'],
    ['/api/runs/00000000-0000-0000-0000-000000000000', 404, 'no run'],
    ['/api/nothing-here', 404, 'no API route'],
  ])('%s answers %i with a message naming the problem', async (path, status, words) => {
    const r = await get(path);
    expect(r.status).toBe(status);
    expect(r.body.error.message).toContain(words);
    expect(JSON.stringify(r.body)).not.toMatch(/stack|at .*\.ts/);
  });
});
