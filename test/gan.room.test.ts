import type { Room } from '@colyseus/sdk';
import { describe, expect, it } from 'vitest';
import { battleDecided, battleWinner, scoreRound } from '../server/gan/gan.rules.ts';
import type { GanErrorMessage, GanResultMessage, GanRoundMessage, GanWelcomeMessage } from '../shared/gan.messages.ts';
import type { GanState } from '../shared/gan.state.ts';
import { checkSeedReveal } from '../shared/seed-commitment.ts';
import type { PlayerProfile } from '../shared/api.schema.ts';
import { GanMatch } from '../shared/gan-match.schema.ts';
import { shownRating } from '../shared/rating-scale.ts';
import { ACHIEVEMENTS } from '../server/progression/achievements.ts';
import { ganXp } from '../server/progression/xp.rules.ts';
import { arenaSuite, nextMessage, waitFor } from './support/arena.ts';

const network = (learningRate: number, units = 24) => ({
  layers: [
    { units, activation: 'relu' },
    { units, activation: 'relu' },
  ],
  optimizer: 'adam',
  learningRate,
});

describe('GAN battle room through @colyseus/sdk', () => {
  const t = arenaSuite();
  const as = t.as;

  it('refuses a battle with bad options, naming the option', async () => {
    await expect((await as('x')).create('gan', { distribution: 'donut' })).rejects.toThrow(/distribution/);
    await expect((await as('x')).create('gan', { rounds: 0 })).rejects.toThrow(/rounds must be at least 1/);
  });

  it('a custom seed makes the battle unrated, and keeps the seed out of state', async () => {
    const custom: Room<any, GanState> = await (await as('custom')).create<GanState>('gan', { seed: 9 });
    custom.onMessage('welcome', () => {});
    await waitFor(() => custom.state.fairSeed?.commitment, 'the commitment');
    expect(custom.state.fairSeed.toJSON()).toMatchObject({ rated: false, seed: -1, salt: '' });
    await custom.leave();
  });

  it("plays a battle's rounds: each scored from real training, redesigns between rounds, spectators see it all", async () => {
    const forger: Room<any, GanState> = await (await as('forger')).create<GanState>('gan', {
      side: 'generator',
      distribution: 'ring',
      rounds: 3,
      iterationsPerRound: 150,
      batchSize: 64,
      frameEveryIterations: 10,
      heatmapResolution: 16,
      breakSeconds: 120, // no seed: a rated battle, on a seed the server draws and commits to
    });
    const welcome = nextMessage<GanWelcomeMessage>(forger, 'welcome');
    const judge = await (await as('judge')).joinById<GanState>(forger.roomId, {});
    judge.onMessage('welcome', () => {});
    expect(await welcome).toMatchObject({ side: 'generator' });
    await expect((await as('third')).joinById(forger.roomId, {})).rejects.toThrow(/both sides are taken/);
    const eve = await t.client.joinById<GanState>(forger.roomId, { name: 'eve', role: 'spectator' });
    await waitFor(() => eve.state.seats?.get('discriminator')?.player === 'judge' && eve.state.spectators === 1, 'the spectator to see both players');
    expect(eve.state.real.length).toBe(512); // 256 real points
    expect(eve.state.referenceDistance).toBeGreaterThan(0.3);
    const committed = eve.state.fairSeed.toJSON();
    expect(committed).toMatchObject({ rated: true, commitment: expect.stringMatching(/^[0-9a-f]{64}$/), seed: -1, salt: '' });

    // Only a side's own player may design it; bad content names the field; the next good message works.
    const spectatorRefused = nextMessage<GanErrorMessage>(eve, 'error');
    eve.send('design', { side: 'generator', network: network(0.01) });
    expect(await spectatorRefused).toMatchObject({ code: 'NOT_ALLOWED', about: 'design' });
    const notYours = nextMessage<GanErrorMessage>(judge, 'error');
    judge.send('design', { side: 'generator', network: network(0.5) });
    expect(await notYours).toMatchObject({ code: 'NOT_ALLOWED', field: 'side' });
    const bad = nextMessage<GanErrorMessage>(forger, 'error');
    forger.send('design', { side: 'generator', network: network(-1) });
    expect(await bad).toMatchObject({ code: 'BAD_MESSAGE', field: 'network.learningRate' });
    const badWidth = nextMessage<GanErrorMessage>(judge, 'error');
    judge.send('design', { side: 'discriminator', network: { ...network(0.002), layers: [{ units: 0, activation: 'relu' }] } });
    expect((await badWidth).field).toBe('network.layers.0.units');
    forger.send('design', { side: 'generator', network: network(0.004) });
    judge.send('design', { side: 'discriminator', network: network(0.002, 16) });
    await waitFor(() => eve.state.seats.get('generator')!.summary.includes('0.004') && eve.state.seats.get('discriminator')!.summary.startsWith('16-16'), 'both designs to be accepted');

    const rounds: GanRoundMessage[] = [];
    eve.onMessage('round', (r: GanRoundMessage) => rounds.push(r));
    for (const r of [forger, judge]) r.onMessage('round', () => {});
    for (const r of [forger, judge]) r.onMessage('result', () => {});
    const result = nextMessage<GanResultMessage>(eve, 'result', 120_000);
    forger.send('ready', { ready: true });
    judge.send('ready', { ready: true });

    // Live: generated points, the discriminator's heatmap and both losses.
    await waitFor(() => eve.state.phase === 'training' && eve.state.curveIteration.length >= 3, 'a few live frames of round 1');
    expect(eve.state.generated.length).toBe(512);
    expect(eve.state.heatmap.length).toBe(16 * 16);
    expect(eve.state.heatmap.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect([...eve.state.curveDLoss].every(Number.isFinite)).toBe(true);
    expect([...eve.state.curveGLoss].every(Number.isFinite)).toBe(true);
    const lateReady = nextMessage<GanErrorMessage>(forger, 'error');
    forger.send('ready', { ready: true });
    expect(await lateReady).toMatchObject({ code: 'WRONG_PHASE' });

    // Between rounds: a redesign, then both ready to go on before the break runs out.
    await waitFor(() => eve.state.phase === 'break' || eve.state.phase === 'finished', 'round 1 to be scored');
    expect(rounds).toHaveLength(1);
    expect(eve.state.iteration).toBe(150);
    if (eve.state.phase === 'break') {
      expect(eve.state.countdown).toBeGreaterThan(0);
      forger.send('design', { side: 'generator', network: network(0.002, 32) });
      await waitFor(() => eve.state.seats.get('generator')!.summary.startsWith('32-32'), 'the redesign');
      forger.send('ready', { ready: true });
      judge.send('ready', { ready: true });
    }
    // Rounds split one each (the seed is drawn, so it happens): both ready again for the decider rather than wait out the break.
    await waitFor(() => rounds.length >= 2 && (eve.state.phase === 'break' || eve.state.phase === 'finished'), 'round 2 to be scored', 120_000);
    if (eve.state.phase === 'break') for (const r of [forger, judge]) r.send('ready', { ready: true });

    const outcome = await result;
    expect(eve.state.phase).toBe('finished');
    expect(outcome.rounds.length).toBeGreaterThanOrEqual(2);
    expect(outcome.rounds.length).toBeLessThanOrEqual(3);
    expect(rounds).toEqual(outcome.rounds);
    for (const r of outcome.rounds) {
      expect(Number.isFinite(r.distance)).toBe(true);
      expect(r.distance).toBeGreaterThan(0);
      expect(r.dAccuracy).toBeGreaterThanOrEqual(0);
      expect(r.dAccuracy).toBeLessThanOrEqual(1);
      // the room scores exactly as the rules say
      expect(scoreRound(r, eve.state.referenceDistance)).toEqual({ generatorPoints: r.generatorPoints, discriminatorPoints: r.discriminatorPoints, winner: r.winner });
    }
    // each round trained its own GAN: the figures differ from round to round
    expect(new Set(outcome.rounds.map((r) => r.distance)).size).toBe(outcome.rounds.length);
    const decided = battleWinner(outcome.rounds);
    expect(battleDecided(outcome.rounds, 3)).toBe(true);
    expect(outcome.winner).toBe(decided.winner);
    expect(eve.state.winner).toBe(decided.winner);
    expect(outcome.generator).toMatchObject({ player: 'forger', rounds: decided.generatorRounds, points: decided.generatorPoints });
    expect(outcome.discriminator).toMatchObject({ player: 'judge', rounds: decided.discriminatorRounds, points: decided.discriminatorPoints });
    expect([...eve.state.results].map((r) => r.winner)).toEqual(outcome.rounds.map((r) => r.winner));
    expect(outcome.unlocks.some((u) => u.achievement === 'GAN Forger')).toBe(decided.winner === 'generator');
    // The seed committed to at the start, revealed at the end.
    expect(outcome.rated).toBe(true);
    expect(outcome.seedReveal.commitment).toBe(committed.commitment);
    expect(await checkSeedReveal(outcome.seedReveal)).toEqual({ ok: true });
    expect(eve.state.fairSeed.toJSON()).toMatchObject({ seed: outcome.seedReveal.seed, salt: outcome.seedReveal.salt });

    // Every mode counts: both players are rated on the GAN board and paid XP, the ending says how it was
    // decided and what each gained, and the battle has a match page and shows in both players' recent matches.
    expect(outcome.decidedBy).toBe(decided.decidedBy);
    expect(outcome.matchId).toBe(outcome.battleId);
    const winnerId = decided.winner === 'generator' ? outcome.generator.playerId : outcome.discriminator.playerId;
    const loserId = winnerId === outcome.generator.playerId ? outcome.discriminator.playerId : outcome.generator.playerId;
    const xp = await t.arena.database.db.selectFrom('xp_events').select(['player_id', 'amount']).where('source_key', 'like', `match:${outcome.battleId}:%`).orderBy('amount', 'desc').execute();
    expect(xp).toEqual([{ player_id: winnerId, amount: ganXp(true) }, { player_id: loserId, amount: ganXp(false) }]);
    const gain = (id: string) => outcome.gains.find((g) => g.playerId === id)!;
    const forgerXp = outcome.unlocks.some((u) => u.achievement === 'GAN Forger') ? ACHIEVEMENTS.find((a) => a.key === 'gan-forger')!.points[0] : 0;
    expect(gain(winnerId)).toMatchObject({ xp: ganXp(true) + forgerXp, rating: { scope: 'gan', before: shownRating(0) } });
    expect(gain(loserId)).toMatchObject({ xp: ganXp(false), rating: { scope: 'gan', before: shownRating(0) } });
    expect(gain(winnerId).rating!.after).toBeGreaterThan(gain(loserId).rating!.after);
    const page = (await (await fetch(`${t.url}/api/matches/${outcome.matchId}`)).json()) as GanMatch;
    expect(GanMatch.parse(page)).toMatchObject({ kind: 'gan', winner: decided.winner, decidedBy: decided.decidedBy, rated: true, seedReveal: outcome.seedReveal });
    expect(page.rounds.map((r) => [r.generatorPoints, r.discriminatorPoints])).toEqual(outcome.rounds.map((r) => [r.generatorPoints, r.discriminatorPoints]));
    for (const r of page.rounds) expect(r.curve!.iteration.at(-1)).toBe(150); // each round's curve to its end, for the replay
    expect(page.entries.map((e) => [e.role, e.player, e.rank])).toEqual([['generator', 'forger', decided.winner === 'generator' ? 1 : 2], ['discriminator', 'judge', decided.winner === 'generator' ? 2 : 1]]);
    expect(page.entries[0]!.design.layers.map((l) => l.units)).toEqual(eve.state.seats.get('generator')!.summary.startsWith('32-32') ? [32, 32] : [24, 24]);
    for (const id of [winnerId, loserId]) {
      const profile = (await (await fetch(`${t.url}/api/players/${id}`)).json()) as PlayerProfile;
      expect(profile.recentMatches[0]).toMatchObject({ matchId: outcome.matchId, kind: 'gan', rank: id === winnerId ? 1 : 2, players: 2 });
      expect(profile.ratings.find((r) => r.scope === 'gan')).toMatchObject({ matches: 1 });
    }

    await Promise.all([forger, judge, eve].map((r) => r.leave()));
  });
});
