import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { GanResultMessage } from '../shared/gan.messages.ts';
import type { GanState } from '../shared/gan.state.ts';
import type { PlayerGain } from '../shared/match-gains.ts';
import { GAN_SCOPE, shownRating } from '../shared/rating-scale.ts';
import { DEFAULT_SPEC } from '../shared/model-spec.schema.ts';
import type { TournamentResultMessage } from '../shared/tournament.messages.ts';
import type { TournamentState } from '../shared/tournament.state.ts';
import { guestClient, nextMessage, waitFor } from './support/arena.ts';
import { watchErrors } from './support/browser.ts';
import { pageArenaSuite, rowTexts, shot } from './support/page.ts';
import { hasChromium } from './support/services.ts';
import { quiet, seatTournamentBots } from './support/sdk-players.ts';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const signed = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '±0');

/** What the ending's Gained cell says of a player's gain: XP, the rating's move on the shown scale. */
function gainWords(g: PlayerGain): string[] {
  const words = [`+${g.xp} XP`];
  if (g.rating) words.push(`rating ${g.rating.before} → ${g.rating.after} (${signed(g.rating.after - g.rating.before)})`);
  return words;
}

/**
 * Checks the ending where a user meets it, at the page's current size: nothing runs off the side, the panel
 * sits above `standings` (covers none of it, nor does any toast), and its buttons are whole on screen.
 */
async function checkLayout(page: Page, standings: string, label: string): Promise<void> {
  const width = page.viewportSize()!.width;
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${label}: nothing wider than the window`).toBeLessThanOrEqual(width);
  const box = async (sel: string) => (await page.locator(sel).boundingBox())!;
  const [ending, table] = [await box('#ending'), await box(standings)];
  expect(ending.y + ending.height, `${label}: the ending above the standings, not over them`).toBeLessThanOrEqual(table.y);
  for (const toast of await page.locator('#toasts .toast').all()) {
    const b = await toast.boundingBox();
    if (b) expect(b.y + b.height <= table.y || b.y >= table.y + table.height, `${label}: no toast over the standings`).toBe(true);
  }
  for (const id of ['#rematch', '#next-race', '#back-to-lobby']) {
    const b = await box(id);
    expect(b.x >= 0 && b.x + b.width <= width, `${label}: ${id} whole on screen`).toBe(true);
  }
}

/**
 * Tournament and GAN battle endings as their players meet them in Chromium, at 1280 and 390 px: the page's
 * user plays a 4-player tournament against SDK bots to its champion, and a GAN battle against an SDK player;
 * each ends on a panel that names the winner, shows the held-out scores or the rounds, says how any tie was
 * broken, what each player gained (XP, rating before → after), and offers rematch, next race (on the same
 * task) and back to the lobby.
 */
describe.skipIf(!hasChromium())('tournament and GAN battle endings in headless Chromium', () => {
  const suite = pageArenaSuite();

  it('a 4-player tournament ends on the champion, the final’s held-out scores, its tie-breaks in words and everyone’s gains; rematch keeps its options and next race its task', async () => {
    const { arena: t, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = watchErrors(page);
    await page.goto(t.url);
    await page.fill('#player-name', 'ada');
    await page.selectOption('#t-format', 'single_elimination');
    await page.selectOption('#t-task', 'moons');
    await page.selectOption('#t-min-players', '4');
    await page.selectOption('#t-max-players', '4');
    await page.selectOption('#t-budget', '2000');
    await page.selectOption('#t-break', '0');
    await page.click('#create-tournament');
    await page.waitForSelector('#designer');
    await page.click('#submit-spec');
    await page.waitForFunction(() => !(document.querySelector('#ready') as HTMLButtonElement).disabled);
    const roomId = new URL(page.url()).searchParams.get('room')!;

    // Three bots, all on one network: same network, same seed, same run, so a match between two of them is
    // level on every figure and a tie-break decides it (in round 1 at least two bots meet).
    const referee = quiet(await t.client.joinById<TournamentState>(roomId, { role: 'spectator', name: 'referee' }));
    const result = nextMessage<TournamentResultMessage>(referee, 'result', 240_000);
    const bots = await seatTournamentBots(t.url, roomId, ['bob', 'cy', 'dee'], () => DEFAULT_SPEC, 4);
    for (const bot of bots) bot.send('ready', { ready: true });
    await page.waitForFunction(() => /3 of 4 ready/.test(document.querySelector('#phase')?.textContent ?? ''));
    await page.click('#ready');

    await page.waitForSelector('#ending', { timeout: 240_000 });
    const res = await result;
    await waitFor(() => referee.state.champion || undefined, 'the champion in state');
    const s = referee.state;
    expect(await page.locator('#ending-title').textContent()).toBe(`${s.champion} is the champion`);
    expect(res.champion.player).toBe(s.champion);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('ending-title');

    // Every player's place, record and gains, as the room paid them.
    const rows = await rowTexts(page, '#ending-places tbody tr');
    expect(rows).toHaveLength(4);
    for (const [i, r] of res.ranking.entries()) {
      expect(rows[i]).toMatch(new RegExp(`^${r.rank}\\s+${r.player}\\s+${r.wins}–${r.losses}\\s+`));
      const gain = res.gains.find((g) => g.playerId === r.playerId)!;
      expect(gain.rating, `${r.player}'s task rating moved`).toMatchObject({ scope: 'moons', before: shownRating(0) });
      for (const words of gainWords(gain)) expect(rows[i]).toContain(words);
    }
    expect(rows[0]).toMatch(/^1\s+\S+\s+2–0\s+\+\d+ XP · rating 1000 → \d+ \(\+\d+\)/);

    // The final's held-out scores, then each match a tie-break decided, in words.
    const decided = await page.locator('#ending-decided li').allInnerTexts();
    const name = (seat: number) => [...s.players.values()].find((p) => p.seat === seat)!.player;
    const final = [...s.matches].find((m) => m.round === 2)!;
    expect(decided[0]).toBe(`Round 2: ${final.sides.map((x) => `${name(x.seat)} ${pct(x.heldOutAccuracy)}`).join(' vs ')} held-out`);
    const ties = [...s.matches].filter((m) => m.decidedBy);
    expect(ties.length, 'at least one match of two bots on one network, broken by a rule').toBeGreaterThanOrEqual(1);
    for (const m of ties) {
      const loser = m.sides.find((x) => x.seat !== m.winner)!.seat;
      expect(decided).toContain(`Round ${m.round}: ${name(m.winner)} over ${name(loser)}: ${m.decidedBy}`);
      expect(m.decidedBy).toMatch(/decided by/);
    }

    // What's next: rematch, next race on moons, back to the lobby.
    expect(await page.locator('button#rematch').textContent()).toBe('Rematch');
    expect(await page.locator('#next-race').getAttribute('href')).toBe('/?task=moons#quick-join');
    expect(await page.locator('#back-to-lobby').getAttribute('href')).toBe('/');
    await checkLayout(page, '#table-panel', 'tournament at 1280 px');
    await shot(page, 'tournament-ending-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#ending-title').scrollIntoViewIfNeeded();
    await checkLayout(page, '#table-panel', 'tournament at 390 px');
    await shot(page, 'tournament-ending-390');

    // Rematch: the same tournament again (moons, elimination, 2,000 samples, four players), for the bots to join.
    await page.click('#rematch');
    const rematch = await waitFor(() => referee.state.rematch || undefined, 'the rematch room');
    await page.waitForSelector('a#rematch');
    expect(await page.locator('a#rematch').getAttribute('href')).toBe(`/?room=${rematch}`);
    const watcher = quiet(await t.client.joinById<TournamentState>(rematch, { role: 'spectator', name: 'watcher' }));
    await waitFor(() => watcher.state.tournamentId, 'the rematch state');
    const w = watcher.state;
    expect({ task: w.task, format: w.format, budget: w.budget, minPlayers: w.minPlayers, maxPlayers: w.maxPlayers, rated: w.rated }).toEqual({ task: 'moons', format: 'single_elimination', budget: 2000, minPlayers: 4, maxPlayers: 4, rated: true });

    // Next race keeps moons: quick join passes over an open spiral race and makes a moons one.
    const host = await guestClient(t.url, 'host');
    const spiral = quiet(await host.client.create('race', { minPlayers: 8, countdownSeconds: 300 }));
    await page.click('#next-race');
    await page.waitForFunction(() => document.activeElement?.id === 'quick-join');
    expect(await page.locator('#quick-join').textContent()).toBe('Quick join a moons race');
    expect(await page.inputValue('#race-task')).toBe('moons');
    await page.waitForSelector(`#lobby tr[data-room="${spiral.roomId}"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#designer');
    await page.waitForFunction(() => document.querySelector('#race-meta')?.textContent?.startsWith('moons ·'));
    expect(new URL(page.url()).searchParams.get('room')).not.toBe(spiral.roomId);

    expect(errors).toEqual([]);
    await Promise.all([...bots, referee, watcher, spiral].map((r) => r.leave()));
    await page.close();
  }, 420_000);

  it('a GAN battle ends on the winning side, its rounds and points, how it was decided and both players’ gains, at desktop and phone sizes', async () => {
    const { arena: t, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = watchErrors(page);
    await page.goto(t.url);
    await page.fill('#player-name', 'gail');
    await page.selectOption('#g-distribution', 'moons');
    await page.selectOption('#g-rounds', '1');
    await page.selectOption('#g-iterations', '150');
    await page.selectOption('#g-side', 'generator');
    await page.click('#create-gan');
    await page.waitForSelector('#gan-designer');
    const roomId = new URL(page.url()).searchParams.get('room')!;
    const referee = quiet(await t.client.joinById<GanState>(roomId, { role: 'spectator', name: 'referee' }));
    const result = nextMessage<GanResultMessage>(referee, 'result', 180_000);
    const bob = quiet(await (await guestClient(t.url, 'gbob')).client.joinById<GanState>(roomId, {}));
    await page.waitForFunction(() => document.querySelector('[data-side="discriminator"]')?.textContent?.includes('gbob'));
    bob.send('ready', { ready: true });
    await waitFor(() => referee.state.seats.get('discriminator')!.ready, 'bob to be ready');
    await page.waitForFunction(() => !(document.querySelector('#gan-ready') as HTMLButtonElement).disabled);
    await page.click('#gan-ready');

    await page.waitForSelector('#ending', { timeout: 180_000 });
    const res = await result;
    const winner = res[res.winner];
    expect(await page.locator('#ending-title').textContent()).toBe(`${winner.player} (${res.winner}) wins`);
    const rows = await rowTexts(page, '#ending-places tbody tr');
    expect(rows).toHaveLength(2);
    const sides = res.winner === 'generator' ? (['generator', 'discriminator'] as const) : (['discriminator', 'generator'] as const);
    for (const [i, role] of sides.entries()) {
      const side = res[role];
      expect(rows[i]).toMatch(new RegExp(`^${i + 1}\\s+${side.player}\\s+${role}: ${side.rounds} rounds? · ${side.points} points\\s+`));
      const gain = res.gains.find((g) => g.playerId === side.playerId)!;
      expect(gain.rating, `${side.player}'s GAN rating moved`).toMatchObject({ scope: GAN_SCOPE, before: shownRating(0) });
      for (const words of gainWords(gain)) expect(rows[i]).toContain(words);
    }
    expect(res[res.winner].rounds).toBe(1);
    expect(await page.locator('#ending-decided li').allInnerTexts()).toEqual([`Decided: ${res.decidedBy}.`]);
    expect(await page.locator('#gan-scores tbody tr').count()).toBe(res.rounds.length);
    expect(await page.locator('#ending-match-link').getAttribute('href')).toBe(`/#/matches/${res.matchId}`);
    expect(await page.locator('button#rematch').textContent()).toBe('Rematch');
    expect(await page.locator('#next-race').getAttribute('href')).toBe('/?gan=moons#quick-join'); // the next battle keeps the distribution
    expect(await page.locator('#back-to-lobby').getAttribute('href')).toBe('/');
    const rounds = 'section:has(#gan-scores)';
    await checkLayout(page, rounds, 'GAN battle at 1280 px');
    await shot(page, 'gan-ending-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#ending-title').scrollIntoViewIfNeeded();
    await checkLayout(page, rounds, 'GAN battle at 390 px');
    await shot(page, 'gan-ending-390');

    // The opponent calls the rematch: the page offers to join it.
    bob.send('rematch', {});
    const rematch = await waitFor(() => referee.state.rematch || undefined, 'the rematch room');
    await page.waitForSelector('a#rematch');
    expect(await page.locator('a#rematch').getAttribute('href')).toBe(`/?room=${rematch}`);
    expect(await page.locator('a#rematch').textContent()).toBe('Join the rematch');

    // Next race keeps moons: quick join passes over an open GAN battle on ring and lands in one on moons.
    const ring = quiet(await (await guestClient(t.url, 'ringo')).client.create<GanState>('gan', { distribution: 'ring', rounds: 1, iterationsPerRound: 150, side: 'generator' }));
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.click('#next-race');
    await page.waitForFunction(() => document.activeElement?.id === 'quick-join');
    expect(await page.locator('#quick-join').textContent()).toBe('Quick join a moons GAN battle');
    expect(await page.inputValue('#g-distribution'), 'a new GAN battle would be on moons too').toBe('moons');
    await page.waitForSelector(`#lobby tr[data-room="${ring.roomId}"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#gan-designer');
    await page.waitForFunction(() => document.querySelector('#gan-meta')?.textContent?.startsWith('moons ·'));
    expect(new URL(page.url()).searchParams.get('room')).not.toBe(ring.roomId);

    expect(errors).toEqual([]);
    await Promise.all([bob.leave(), referee.leave(), ring.leave()]);
    await page.close();
  }, 300_000);
});
