import path from 'node:path';
import type { Room } from '@colyseus/sdk';
import { describe, expect, it } from 'vitest';
import { RECONNECT_SECONDS } from '../server/match/index.ts';
import type { GanState } from '../shared/gan.state.ts';
import { TaskName } from '../shared/task.schema.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import type { TournamentState } from '../shared/tournament.state.ts';
import { guestClient, waitFor } from './support/arena.ts';
import { onLocalhost, watchErrors, type BrowserRenderer } from './support/browser.ts';
import { DOCS, shot, pageArenaSuite } from './support/page.ts';
import { drawn, expectBadge, onRenderer, RENDERERS } from './support/renderers.ts';
import { changedFraction } from './support/pixels.ts';
import { hasChromium } from './support/services.ts';
import { quiet, seatTournamentBots } from './support/sdk-players.ts';

type PageSuite = ReturnType<typeof pageArenaSuite>;

/**
 * A 4-player single-elimination tournament made from the page, to its champion, with a spectator. Runs on both
 * renderers; on WebGPU without the home page's and the dark theme's screenshots (DOM, the same whatever the
 * renderer).
 */
async function tournamentJourney(suite: PageSuite, renderer: BrowserRenderer): Promise<void> {
  const full = renderer === 'webgl';
  const shotName = (s: string) => onRenderer(s, renderer);
  const { arena: t, browser } = suite;
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors = watchErrors(page);
  await page.goto(onLocalhost(t.url)); // WebGPU needs a secure context
  await page.fill('#player-name', 'ada');
  await page.selectOption('#t-format', 'single_elimination');
  await page.selectOption('#t-task', 'moons');
  await page.selectOption('#t-min-players', '4');
  await page.selectOption('#t-max-players', '4');
  await page.selectOption('#t-budget', '2000');
  await page.selectOption('#t-break', '0');
  if (full) await shot(page, 'home-create-rooms');
  await page.click('#create-tournament');
  await page.waitForSelector('#designer');
  await expectBadge(page, renderer);
  expect(await page.locator('#table-title').textContent()).toBe('Bracket');
  expect(await page.locator('#t-meta').textContent()).toContain('single elimination · moons · 2,000 samples a match · 1 of 4 players');

  await page.fill('#spec-layers', '16, 16');
  await page.click('#submit-spec');
  await page.waitForFunction(() => !(document.querySelector('#ready') as HTMLButtonElement).disabled);
  const roomId = new URL(page.url()).searchParams.get('room')!;

  // Three more players through the SDK, each with a guest token, a spec and ready.
  const others = await seatTournamentBots(t.url, roomId, ['bob', 'cy', 'dee'], (i) => SPEC_TEMPLATES[i + 1]!.spec, 4);
  for (const r of others) r.send('ready', { ready: true });
  await page.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Waiting for players · 3 of 4 ready, 4 needed');

  const watchLink = await page.inputValue('#watch-link');
  const spectator = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const spectatorErrors = watchErrors(spectator);
  await spectator.goto(watchLink);
  await spectator.waitForSelector('#spectating');
  expect(await spectator.locator('#designer').count()).toBe(0);
  await spectator.waitForFunction(() => document.querySelectorAll('#t-players tbody tr').length === 4);

  await page.click('#ready');
  // The bracket: two semi-finals drawn, the final still open.
  await page.waitForSelector('#bracket .match[data-round="1"]');
  expect(await page.locator('#bracket .match[data-round="1"]').count()).toBe(2);
  expect(await page.locator('#bracket .bracket-round').count()).toBe(2);
  await spectator.waitForSelector('#bracket .match[data-round="1"]');
  await shot(page, shotName('tournament-round1'));

  await page.waitForSelector('#champion:not([hidden])', { timeout: 120_000 });
  const champion = others[0]!.state.champion;
  expect(champion).not.toBe('');
  expect(await page.locator('#champion .banner-title').textContent()).toBe(`${champion} is the champion`);
  expect(await page.locator('#final-ranking tbody tr').count()).toBe(4);
  expect(await page.locator('#final-ranking tbody tr').first().textContent()).toContain(champion);
  // Every match of the bracket is decided, the winner marked, and links to its stored replay.
  expect(await page.locator('#bracket .match[data-status="finished"]').count()).toBe(3);
  expect(await page.locator('#bracket .match .side.winner').count()).toBe(3);
  expect(await page.locator('#bracket .match[data-round="2"] .side.winner').textContent()).toContain(champion);
  expect(await page.locator('#bracket .match-replay').count()).toBe(3);
  expect(await page.locator('#phase').textContent()).toBe('Finished');
  await spectator.waitForSelector('#champion:not([hidden])');
  await page.waitForTimeout(200);
  await shot(spectator, shotName('tournament-spectator'));
  await shot(page, shotName('tournament'), undefined, full ? { alsoTo: path.join(DOCS, 'tournament.png') } : {});
  if (full) {
    await page.click('#theme-toggle');
    await shot(page, 'tournament-dark');
    await page.click('#theme-toggle');
  }

  expect(errors).toEqual([]);
  expect(spectatorErrors).toEqual([]);
  await Promise.all(others.map((r) => r.leave()));
  await Promise.all([page.close(), spectator.close()]);
}

/**
 * A GAN battle made from the home page, played against an SDK player to its winner, with a spectator on a phone.
 * Runs on both renderers; on WebGPU without the dark theme's screenshot and the README picture.
 */
async function ganJourney(suite: PageSuite, renderer: BrowserRenderer): Promise<void> {
  const full = renderer === 'webgl';
  const shotName = (s: string) => onRenderer(s, renderer);
  const { arena: t, browser } = suite;
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors = watchErrors(page);
  await page.goto(onLocalhost(t.url)); // WebGPU needs a secure context
  await page.fill('#player-name', 'gail');
  await page.selectOption('#g-distribution', 'ring');
  await page.selectOption('#g-rounds', '3');
  await page.selectOption('#g-iterations', '150');
  await page.selectOption('#g-side', 'generator');
  await page.selectOption('#g-break', '60'); // long enough that only getting ready starts the next round
  await page.click('#create-gan');
  await page.waitForSelector('#gan-designer');
  await page.waitForFunction(() => document.querySelector('#gan-side')?.textContent === 'Your side: Generator');
  await expectBadge(page, renderer);

  // The form names a bad value and will not send it.
  await page.fill('#gan-lr', '-1');
  expect(await page.locator('#gan-problem').textContent()).toContain('learningRate must be greater than 0');
  expect(await page.locator('#gan-apply').isDisabled()).toBe(true);
  await page.fill('#gan-lr', '0.004');
  await page.fill('#gan-layers', '24, 24');
  await page.click('#gan-apply');

  const roomId = new URL(page.url()).searchParams.get('room')!;
  const referee = quiet(await t.client.joinById<GanState>(roomId, { role: 'spectator', name: 'referee' })); // an SDK observer for the checks below
  await waitFor(() => referee.state.seats?.get('generator')?.summary.startsWith('24-24') && referee.state.seats.get('generator')!.summary.includes('0.004'), "the page's design to be accepted");
  const dora = quiet(await (await guestClient(t.url, 'dora')).client.joinById<GanState>(roomId, {}));
  dora.send('design', { side: 'discriminator', network: { layers: [{ units: 16, activation: 'relu' }, { units: 16, activation: 'relu' }], optimizer: 'adam', learningRate: 0.002 } });
  await page.waitForFunction(() => document.querySelector('[data-side="discriminator"]')?.textContent?.includes('dora'));
  await waitFor(() => referee.state.seats.get('discriminator')!.summary.startsWith('16-16'), "dora's design");

  // A spectator follows the link: the canvas, no design form.
  const watchLink = await page.inputValue('#watch-link');
  const spectator = await browser.newPage({ viewport: { width: 390, height: 900 } }); // a phone
  const spectatorErrors = watchErrors(spectator);
  await spectator.goto(watchLink);
  await spectator.waitForSelector('#spectating');
  await spectator.waitForSelector('#gan-plane canvas');
  expect(await spectator.locator('#gan-designer').count()).toBe(0);
  expect(await spectator.evaluate(() => document.documentElement.scrollWidth), 'nothing wider than the phone').toBeLessThanOrEqual(390);
  expect(await spectator.locator('#gan-ready').count()).toBe(0);
  await spectator.waitForFunction(() => document.querySelector('[data-side="discriminator"]')?.textContent?.includes('dora'));

  dora.send('ready', { ready: true });
  await waitFor(() => referee.state.seats.get('discriminator')!.ready, 'dora to be ready');
  await page.click('#gan-ready');

  // Round 1 live: the heatmap with both point clouds, and the curves.
  await waitFor(() => referee.state.round === 1 && referee.state.curveIteration.length >= 2, 'live frames of round 1');
  await page.waitForFunction(() => /Round 1 of 3/.test(document.querySelector('#phase')?.textContent ?? ''));
  await page.waitForTimeout(250);
  await drawn(page);
  const early = await shot(page, shotName('gan-plane-round1'), '#gan-plane canvas');
  await shot(page, shotName('gan-curves-round1'), '#gan-curves canvas');

  // Between rounds both get ready again (the page by its shortcut) until the battle is decided; the scores fill in.
  let round2: Buffer | undefined;
  while (referee.state.phase !== 'finished') {
    if (referee.state.phase !== 'break') {
      await waitFor(() => referee.state.phase === 'break' || referee.state.phase === 'finished', `round ${referee.state.round} to be scored`, 90_000);
      continue;
    }
    const round = referee.state.round + 1;
    await page.waitForFunction((n) => document.querySelectorAll('#gan-scores tbody tr').length === n, referee.state.results.length);
    await page.waitForFunction(() => /^Break · round \d in \d+s$/.test(document.querySelector('#phase')?.textContent ?? ''));
    await page.waitForFunction(() => !(document.querySelector('#gan-ready') as HTMLButtonElement).disabled);
    await page.keyboard.press('r'); // the ready shortcut
    await waitFor(() => referee.state.seats.get('generator')!.ready, 'the page to be ready for the next round').catch(async (err) => {
      const seen = await page.evaluate(() => ({ focus: document.activeElement?.outerHTML.slice(0, 80), phase: document.querySelector('#phase')?.textContent, ready: (document.querySelector('#gan-ready') as HTMLButtonElement).outerHTML }));
      throw new Error(`${err}; page: ${JSON.stringify(seen)}; errors: ${errors.join(' | ')}; server phase ${referee.state.phase}, round ${referee.state.round}`);
    });
    dora.send('ready', { ready: true });
    await waitFor(() => referee.state.round === round && referee.state.curveIteration.length >= 2, `live frames of round ${round}`, 60_000);
    if (!round2) {
      await page.waitForFunction((r) => new RegExp(`Round ${r} of 3|wins`).test(document.querySelector('#phase')?.textContent ?? ''), round);
      await page.waitForTimeout(250);
      await drawn(page);
      round2 = await shot(page, shotName('gan-plane-round2'), '#gan-plane canvas');
    }
  }
  expect(round2, 'a second round was played').toBeDefined();
  expect(changedFraction(early, round2!), 'the heatmap and the points changed between two moments').toBeGreaterThan(0.02);

  await page.waitForSelector('#gan-winner:not([hidden])');
  const winner = referee.state.winner;
  expect(await page.locator('#gan-winner').textContent()).toContain(winner === 'generator' ? 'gail wins as the generator' : 'dora wins as the discriminator');
  expect(await page.locator('#gan-scores tbody tr').count()).toBe(referee.state.results.length);
  expect(await page.locator('#phase').textContent()).toBe(`${winner === 'generator' ? 'Generator' : 'Discriminator'} wins`);
  await spectator.waitForSelector('#gan-winner:not([hidden])');
  await spectator.waitForFunction((n) => document.querySelectorAll('#gan-scores tbody tr').length === n, referee.state.results.length);
  await page.waitForTimeout(250);
  await drawn(spectator);
  await shot(spectator, shotName('gan-spectator-plane'), '#gan-plane canvas');
  await shot(spectator, shotName('gan-spectator-phone'));
  const png = await shot(page, shotName('gan'), undefined, full ? { alsoTo: path.join(DOCS, 'gan.png') } : {});
  expect(png.length).toBeGreaterThan(0);
  if (full) {
    await page.click('#theme-toggle');
    await page.waitForTimeout(250);
    await shot(page, 'gan-dark', '#gan-plane canvas');
  }

  expect(errors).toEqual([]);
  expect(spectatorErrors).toEqual([]);
  await Promise.all([dora.leave(), referee.leave()]);
  await Promise.all([page.close(), spectator.close()]);
}

describe.skipIf(!hasChromium())('the tournament and GAN battle pages in headless Chromium', () => {
  const suite = pageArenaSuite();

  it('home leads with what is live at desktop and phone sizes, races take any task, and a deserted room leaves the list', async () => {
    const { arena: t, browser } = suite;
    const host = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = watchErrors(host);
    await host.goto(t.url);
    for (const id of ['#race-task', '#t-task']) expect(await host.locator(`${id} option`).evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)), id).toEqual(TaskName.options);
    await host.fill('#player-name', 'ada');
    await host.selectOption('#race-task', 'moons');
    await host.click('#create-race');
    await host.waitForSelector('#designer');
    const roomId = new URL(host.url()).searchParams.get('room')!;

    const row = `#lobby tr[data-room="${roomId}"]`;
    const viewers = [];
    for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
      const home = await browser.newPage({ viewport });
      viewers.push({ home, errors: watchErrors(home) });
      await home.goto(t.url);
      await home.waitForSelector(row);
      expect(await home.locator(`${row} td:nth-child(2)`).textContent(), 'the race on the task it was made for').toBe('moons');
      const rooms = (await home.locator('#open-rooms').boundingBox())!;
      const live = (await home.locator(row).boundingBox())!;
      expect(rooms.y, `the open rooms start above the fold at ${viewport.width}×${viewport.height}`).toBeLessThan(viewport.height);
      expect(live.y + live.height, `the live race is in view at ${viewport.width}×${viewport.height}`).toBeLessThanOrEqual(viewport.height);
    }
    // The host's tab closes without a goodbye: their seat waits, but the room is no longer open.
    await host.close();
    for (const { home } of viewers) await home.waitForSelector(row, { state: 'detached', timeout: (RECONNECT_SECONDS * 1000) / 3 });
    for (const v of viewers) {
      expect(v.errors).toEqual([]);
      await v.home.close();
    }
    expect(errors).toEqual([]);
  }, 60_000);

  it('creates a GAN battle from the home page, plays it against an SDK player, and shows it to a spectator without the design form (webgl)', () => ganJourney(suite, 'webgl'), 360_000);

  it('creates a 4-player single-elimination tournament from the page, fills the bracket and crowns a champion (webgl)', () => tournamentJourney(suite, 'webgl'), 360_000);
  it('follows a spectate link to a Swiss tournament made through the SDK: standings with points and Buchholz, then the champion', async () => {
    const { arena: t, browser } = suite;
    const names = ['sw-ann', 'sw-ben', 'sw-cat', 'sw-dan'];
    const players: Room<any, TournamentState>[] = [];
    const first = quiet(await (await guestClient(t.url, names[0]!)).client.create<TournamentState>('tournament', { title: 'Swiss open', format: 'swiss', budget: 2000, breakSeconds: 3, countdownSeconds: 60, task: { name: 'moons', samples: 400 } }));
    players.push(first);
    for (const name of names.slice(1)) players.push(quiet(await (await guestClient(t.url, name)).client.joinById<TournamentState>(first.roomId, {})));
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(`${t.url}/?room=${first.roomId}&spectate=1`);
    await page.waitForSelector('#spectating');
    expect(await page.locator('#table-title').textContent()).toBe('Standings');
    players.forEach((p, i) => p.send('spec', { spec: SPEC_TEMPLATES[i]!.spec }));
    await waitFor(() => [...(first.state.players?.values() ?? [])].filter((p) => p.summary).length === 4, 'every spec to be accepted');
    for (const p of players) p.send('ready', { ready: true });
    await page.waitForSelector('#standings-table tbody tr');
    expect(await page.locator('#standings-table tbody tr').count()).toBe(4);
    await page.waitForFunction(() => /^Break · round 2 of 2 in \d+s$/.test(document.querySelector('#phase')?.textContent ?? ''), null, { timeout: 120_000 });
    expect(await page.locator('#round-panel').isVisible(), "the round's results between rounds").toBe(true);
    expect(await page.locator('#round-matches .match').count()).toBe(2);
    await page.waitForSelector('#champion:not([hidden])', { timeout: 120_000 });
    const table = await page.locator('#standings-table').innerText();
    expect(table).toMatch(/Points\s+Buchholz\s+W–L/);
    expect(await page.locator('#standings-table tbody tr').first().textContent()).toContain(first.state.champion);
    expect(await page.locator('#final-ranking tbody tr').count()).toBe(4);
    await shot(page, 'tournament-swiss');
    expect(errors).toEqual([]);
    await Promise.all(players.map((p) => p.leave()));
    await page.close();
  }, 360_000);
});

// The tournament and GAN battle journeys on WebGPU too (unless JOURNEYS_ON_WEBGPU=0, see RENDERERS), whole. In
// their own arena (names are unique per arena).
describe.skipIf(!hasChromium() || !RENDERERS.includes('webgpu'))('the tournament and GAN battle pages on WebGPU', () => {
  const suite = pageArenaSuite({}, 'webgpu');

  it('creates a 4-player single-elimination tournament from the page, fills the bracket and crowns a champion (webgpu)', () => tournamentJourney(suite, 'webgpu'), 360_000);
  it('creates a GAN battle from the home page, plays it against an SDK player, and shows it to a spectator without the design form (webgpu)', () => ganJourney(suite, 'webgpu'), 360_000);
});
