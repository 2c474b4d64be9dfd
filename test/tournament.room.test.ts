import type { Room } from '@colyseus/sdk';
import { ACHIEVEMENTS } from '../server/progression/achievements.ts';
import { raceXp, TOURNAMENT_CHAMPION_XP } from '../server/progression/xp.rules.ts';
import { shownRating } from '../shared/rating-scale.ts';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '../shared/model-spec.schema.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import type { TournamentErrorMessage, TournamentResultMessage, TournamentWelcomeMessage } from '../shared/tournament.messages.ts';
import type { TournamentState } from '../shared/tournament.state.ts';
import { findTournament } from '../server/tournament/tournament.repository.ts';
import { checkSeedReveal, SEED_SCHEME } from '../shared/seed-commitment.ts';
import { arenaSuite, nextMessage, waitFor } from './support/arena.ts';

describe('tournament room through @colyseus/sdk', () => {
  const t = arenaSuite();
  const as = t.as;

  it('refuses a tournament with bad options, naming the option', async () => {
    await expect((await as('x')).create('tournament', { minPlayers: 2 })).rejects.toThrow(/minPlayers must be at least 4/);
    await expect((await as('x')).create('tournament', { format: 'round_robin' })).rejects.toThrow(/format/);
  });

  it('plays a 4-player single-elimination tournament to its champion, every match stored', async () => {
    const names = ['ada', 'bob', 'cy', 'dee'];
    const specs = [SPEC_TEMPLATES[1]!.spec, SPEC_TEMPLATES[3]!.spec, SPEC_TEMPLATES[7]!.spec, SPEC_TEMPLATES[2]!.spec];
    const first: Room<any, TournamentState> = await (await as(names[0]!)).create<TournamentState>('tournament', {
      title: 'Spring cup',
      budget: 3000, // no seed: rated, every match draws its own and commits to it
      countdownSeconds: 60,
      breakSeconds: 0,
      task: { name: 'moons', samples: 400 },
    });
    const welcome = nextMessage<TournamentWelcomeMessage>(first, 'welcome');
    const players = [first];
    for (const name of names.slice(1)) players.push(await (await as(name)).joinById<TournamentState>(first.roomId, {}));
    expect((await welcome).playerId).toMatch(/^[0-9a-f-]{36}$/);
    const eve = await t.client.joinById<TournamentState>(first.roomId, { name: 'eve', role: 'spectator' });
    await waitFor(() => eve.state.players?.size === 4 && eve.state.spectators === 1, 'the spectator to see four players');
    expect(eve.state.format).toBe('single_elimination');

    // A spectator may not enter a model; bad content is refused by field; the next good message works.
    const refused = nextMessage<TournamentErrorMessage>(eve, 'error');
    eve.send('spec', { spec: DEFAULT_SPEC });
    expect(await refused).toMatchObject({ code: 'NOT_ALLOWED', about: 'spec' });
    const bad = nextMessage<TournamentErrorMessage>(players[1]!, 'error');
    players[1]!.send('spec', { spec: { ...DEFAULT_SPEC, learningRate: -1 } });
    expect(await bad).toMatchObject({ code: 'BAD_MESSAGE', field: 'spec.learningRate' });
    const early = nextMessage<TournamentErrorMessage>(players[1]!, 'error');
    players[1]!.send('ready', { ready: true });
    expect((await early).message).toContain('send a model spec before getting ready');
    const unknown = nextMessage<TournamentErrorMessage>(players[2]!, 'error');
    players[2]!.send('teleport', {});
    expect(await unknown).toMatchObject({ code: 'BAD_MESSAGE', about: 'teleport' });

    players.forEach((p, i) => p.send('spec', { spec: specs[i] }));
    await waitFor(() => [...eve.state.players.values()].every((p) => p.summary !== ''), 'every spec to be accepted');
    for (const p of players) p.onMessage('result', () => {});
    const result = nextMessage<TournamentResultMessage>(eve, 'result', 120_000);
    for (const p of players) p.send('ready', { ready: true });

    // Round 1: two matches, and every client sees both of them move.
    await waitFor(() => eve.state.phase === 'racing' && eve.state.matches.length === 2, 'round 1 to start');
    expect(eve.state.totalRounds).toBe(2);
    await waitFor(() => eve.state.matches.every((m) => m.sides.some((s) => s.samples > 0)), 'both first-round matches to show progress');
    // While they race: each match's own commitment, and neither seed nor salt.
    const racing = eve.state.matches.map((m) => m.fairSeed.toJSON());
    for (const f of racing) expect(f).toMatchObject({ rated: true, scheme: SEED_SCHEME, commitment: expect.stringMatching(/^[0-9a-f]{64}$/), seed: -1, salt: '' });
    expect(racing[0]!.commitment).not.toBe(racing[1]!.commitment);
    expect(eve.state.rated).toBe(true);
    await expect((await as('latecomer')).joinById(first.roomId, {})).rejects.toThrow(/started/);

    const outcome = await result;
    expect(eve.state.phase).toBe('finished');
    expect(outcome.stored).toBe(true);
    expect(outcome.matchIds).toHaveLength(3);
    expect(outcome.ranking.map((r) => r.rank)).toEqual([1, 2, 3, 4]);
    expect(outcome.champion.player).toBe(outcome.ranking[0]!.player);
    expect(eve.state.champion).toBe(outcome.champion.player);
    expect(outcome.ranking[0]).toMatchObject({ wins: 2, losses: 0 });
    expect(outcome.ranking[1]).toMatchObject({ wins: 1, losses: 1 });
    expect(outcome.rated).toBe(true);
    expect(outcome.unlocks.some((u) => u.playerId === outcome.champion.playerId && u.achievement === 'Tournament Champion')).toBe(true);
    // The ending's gains, over the whole tournament: the champion's XP holds 2 race wins, the champion's bonus and the
    // title's points; everyone's moons rating moved from 1000 (a newcomer); a first-round loser got one race's XP.
    const gain = (id: string) => outcome.gains.find((g) => g.playerId === id)!;
    expect(outcome.gains).toHaveLength(4);
    const champ = gain(outcome.champion.playerId);
    expect(champ.xp).toBeGreaterThanOrEqual(2 * raceXp(1, 2) + TOURNAMENT_CHAMPION_XP + ACHIEVEMENTS.find((a) => a.key === 'tournament-champion')!.points[0]);
    expect(champ.achievements).toContainEqual({ name: 'Tournament Champion', tier: 1 });
    expect(champ.rating).toMatchObject({ scope: 'moons', before: shownRating(0) });
    expect(champ.rating!.after).toBeGreaterThan(champ.rating!.before);
    const out = outcome.ranking.at(-1)!;
    expect(gain(out.playerId).xp).toBeGreaterThanOrEqual(raceXp(2, 2));
    expect(gain(out.playerId).rating!.after).toBeLessThan(shownRating(0));
    // Any match a tie-break decided says so in words.
    for (const m of eve.state.matches) if (m.decidedBy) expect(m.decidedBy).toMatch(/decided by/);

    // The bracket in state: seeds 1v4 and 2v3, then the final between their winners.
    const matches = [...eve.state.matches];
    expect(matches.map((m) => [m.round, m.index, m.status])).toEqual([
      [1, 0, 'finished'],
      [1, 1, 'finished'],
      [2, 0, 'finished'],
    ]);
    expect(matches.slice(0, 2).map((m) => m.sides.map((s) => s.player))).toEqual([
      ['ada', 'dee'],
      ['bob', 'cy'],
    ]);
    const final = matches[2]!;
    expect(final.sides.map((s) => s.seat).sort()).toEqual([matches[0]!.winner, matches[1]!.winner].sort());
    const championSeat = [...eve.state.players.values()].find((p) => p.player === outcome.champion.player)!.seat;
    expect(final.winner).toBe(championSeat);
    expect([...eve.state.players.values()].find((p) => p.seat === championSeat)!.status).toBe('champion');
    expect([...eve.state.players.values()].filter((p) => p.status === 'out')).toHaveLength(3);

    // Each side's downsampled curve in state (where a spectator who joins midway reads the best so far and the trend): in order, within the run.
    for (const side of matches.flatMap((m) => [...m.sides])) {
      const xs = [...side.curveSamples];
      expect(xs.length).toBeGreaterThan(1);
      expect(side.curveValAccuracy.length).toBe(xs.length);
      expect(xs.every((x, i) => i === 0 || x > xs[i - 1]!)).toBe(true);
      expect(xs.at(-1)).toBeLessThanOrEqual(side.samples);
      expect([...side.curveValAccuracy].every((v) => v >= 0 && v <= 1)).toBe(true);
    }

    // Every match is stored as a race, with both entries trained for real and ranked on the held-out split.
    for (const m of matches) {
      const stored = await fetch(`${t.url}/api/matches/${m.matchId}`).then((r) => r.json());
      expect(stored).toMatchObject({ id: m.matchId, kind: 'race', budget: 3000, rated: true });
      // The match's reveal, in state once it was over and stored with it, verifies against what was committed at its start.
      expect(stored.seedReveal).toEqual({ scheme: SEED_SCHEME, commitment: m.fairSeed.commitment, seed: m.fairSeed.seed, salt: m.fairSeed.salt });
      expect(await checkSeedReveal(stored.seedReveal)).toEqual({ ok: true });
      expect(stored.entries).toHaveLength(2);
      for (const e of stored.entries) {
        expect(e.status).toBe('finished');
        expect(e.samples).toBe(3000);
        expect(e.weightsHash).toMatch(/^[0-9a-f]{64}$/);
        expect(e.heldOutAccuracy).toBeGreaterThan(0);
      }
      const winner = stored.entries.find((e: { rank: number }) => e.rank === 1);
      expect(winner.seat).toBe(m.winner);
      const loser = stored.entries.find((e: { rank: number }) => e.rank === 2);
      expect(winner.heldOutAccuracy).toBeGreaterThanOrEqual(loser.heldOutAccuracy);
    }
    const tournament = await findTournament(t.arena.database.db, outcome.tournamentId);
    expect(tournament).toMatchObject({ status: 'finished', championId: outcome.champion.playerId });
    expect(tournament!.ranking).toEqual(outcome.ranking.map((r) => r.playerId));
    expect(tournament!.matches.map((m) => m.round)).toEqual([1, 1, 2]);
    expect(tournament!.matches.map((m) => m.id).sort()).toEqual([...outcome.matchIds].sort());

    await Promise.all([...players, eve].map((r) => r.leave()));
  });

  it('plays a 5-player Swiss tournament: byes for the odd one out, standings with tie-breaks, a break between rounds', async () => {
    const names = ['ann', 'ben', 'cat', 'dan', 'eva'];
    const first: Room<any, TournamentState> = await (await as(names[0]!)).create<TournamentState>('tournament', {
      format: 'swiss',
      rounds: 2,
      budget: 2000,
      seed: 8, // a custom seed: the tournament and its matches are unrated
      countdownSeconds: 0,
      breakSeconds: 1,
      minPlayers: 5,
      task: { name: 'xor', samples: 300 },
    });
    const players = [first];
    for (const name of names.slice(1)) players.push(await (await as(name)).joinById<TournamentState>(first.roomId, {}));
    for (const p of players) {
      p.onMessage('welcome', () => {});
      p.onMessage('result', () => {});
    }
    players.forEach((p, i) => p.send('spec', { spec: SPEC_TEMPLATES[i]!.spec }));
    await waitFor(() => [...first.state.players.values()].every((p) => p.summary !== ''), 'every spec to be accepted');
    const result = nextMessage<TournamentResultMessage>(first, 'result', 120_000);
    for (const p of players) p.send('ready', { ready: true });

    // Between rounds players wait in the room; a new spec now applies from their next match.
    await waitFor(() => first.state.phase === 'break', 'the break after round 1', 60_000).catch((err: Error) => {
      throw new Error(`${err.message}; state: ${JSON.stringify(first.state.toJSON())}`);
    });
    expect(first.state.countdown).toBeGreaterThan(0);
    expect([...first.state.players.values()].every((p) => p.status === 'waiting')).toBe(true);
    expect([...first.state.players.values()].map((p) => p.rank).sort()).toEqual([1, 2, 3, 4, 5]);
    players[4]!.send('spec', { spec: SPEC_TEMPLATES[1]!.spec });

    // A spectator joining late sees every match so far.
    const late = await t.client.joinById<TournamentState>(first.roomId, { name: 'late', role: 'spectator' });
    late.onMessage('result', () => {});
    await waitFor(() => late.state.matches?.length >= 3, 'the late spectator to see round 1');

    const outcome = await result;
    const matches = [...first.state.matches];
    const byes = matches.filter((m) => m.status === 'bye');
    expect(byes).toHaveLength(2);
    expect(new Set(byes.map((m) => m.sides[0]!.seat)).size).toBe(2); // nobody gets two byes
    expect(matches.filter((m) => m.status === 'finished')).toHaveLength(4);
    expect(outcome.matchIds).toHaveLength(4);
    // no rematch in round 2
    const pairs = matches.filter((m) => m.sides.length === 2).map((m) => m.sides.map((s) => s.seat).sort().join(':'));
    expect(new Set(pairs).size).toBe(pairs.length);
    // the final table: points never rise down the table, the champion on top
    const table = [...first.state.players.values()].sort((a, b) => a.rank - b.rank);
    expect(table.map((p) => p.rank)).toEqual([1, 2, 3, 4, 5]);
    for (let i = 1; i < table.length; i++) expect(table[i]!.points).toBeLessThanOrEqual(table[i - 1]!.points);
    expect(table.reduce((s, p) => s + p.points, 0)).toBe(6); // 4 wins and 2 byes
    expect(outcome.champion.player).toBe(table[0]!.player);
    expect(outcome.ranking.map((r) => r.player)).toEqual(table.map((p) => p.player));
    const stored = await findTournament(t.arena.database.db, outcome.tournamentId);
    expect(stored).toMatchObject({ status: 'finished', championId: outcome.champion.playerId });
    expect(stored!.matches.map((m) => m.round)).toEqual([1, 1, 2, 2]);
    expect(first.state.rated).toBe(false);
    expect(outcome.rated).toBe(false);
    expect(outcome.unlocks).toEqual([]); // no Tournament Champion for a custom seed
    for (const id of outcome.matchIds) expect(await fetch(`${t.url}/api/matches/${id}`).then((r) => r.json())).toMatchObject({ rated: false });
    expect(await t.arena.database.db.selectFrom('rating_history').select('player_id').where('match_id', 'in', outcome.matchIds).execute()).toEqual([]);
    await Promise.all([...players, late].map((r) => r.leave()));
  });
});
