import { describe, expect, it } from 'vitest';
import type { RaceState } from '../shared/race.state.ts';
import { shownRating } from '../shared/rating-scale.ts';
import { waitFor } from './support/arena.ts';
import { watchErrors } from './support/browser.ts';
import { pageArenaSuite, rowTexts, shot } from './support/page.ts';
import { hasChromium } from './support/services.ts';
import { ganBattleOf } from './support/progression.ts';
import { recordGanResult } from '../server/progression/progression.service.ts';

/**
 * A race's ending as two players meet it in Chromium: Bob all but stops his run, Ada rewinds hers from the
 * steer panel and wins; both end on a panel above the standings (nothing covers them) with the winner,
 * the held-out scores, what each gained (Ada's Comeback among it), rematch, next race and back to the
 * lobby; then the boards: rating with what it means, record and movement, search, and how to climb.
 */
describe.skipIf(!hasChromium())('endings and boards in headless Chromium', () => {
  const suite = pageArenaSuite();

  it('a comeback won with a rewind ends on a panel that names the winner, the scores and the gains; the boards explain how to climb', async () => {
    const { arena: t, browser } = suite;
    const ada = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const adaErrors = watchErrors(ada);
    await ada.goto(t.url);
    await ada.fill('#player-name', 'ada');
    await ada.selectOption('#budget', '20000');
    await ada.selectOption('#pace', '15');
    await ada.click('#create-race');
    await ada.waitForSelector('#designer');
    await ada.click('#submit-spec');
    await ada.waitForFunction(() => !(document.querySelector('#ready') as HTMLButtonElement).disabled);
    const roomId = new URL(ada.url()).searchParams.get('room')!;

    const bob = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const bobErrors = watchErrors(bob);
    await bob.goto(t.url);
    await bob.fill('#player-name', 'bob');
    await bob.waitForSelector(`#lobby tr[data-room="${roomId}"]`);
    await bob.click('#quick-join');
    await bob.waitForSelector('#designer');
    await bob.click('#submit-spec');
    await bob.waitForFunction(() => !(document.querySelector('#ready') as HTMLButtonElement).disabled);
    const referee = await t.client.joinById<RaceState>(roomId, { role: 'spectator', name: 'referee' });
    await bob.click('#ready');
    await ada.click('#ready');

    // Bob turns his learning rate all the way down; Ada, past a checkpoint, rewinds.
    await bob.waitForSelector('#steer:not([hidden])');
    await bob.fill('#steer-lr', '0.0001');
    await bob.click('#steer button[data-key="l"]');
    await ada.waitForSelector('#steer:not([hidden])');
    await ada.waitForFunction(() => !(document.querySelector('#steer-rewind') as HTMLButtonElement).disabled, null, { timeout: 60_000 });
    expect(await ada.locator('#steer-rewind-target').textContent()).toMatch(/^to step \d+ \(now \d+\)$/);
    await ada.click('#steer-rewind');
    await ada.waitForFunction(() => document.querySelector('#steer-status')?.textContent?.includes('2 of 3'));

    // The ending: above the standings, covering nothing.
    await ada.waitForSelector('#ending', { timeout: 60_000 });
    await bob.waitForSelector('#ending');
    expect(await ada.locator('#ending-title').textContent()).toMatch(/^ada wins with \d+\.\d% on the held-out split$/);
    expect(await ada.evaluate(() => document.activeElement?.id)).toBe('ending-title');
    const places = await rowTexts(ada, '#ending-places tbody tr');
    expect(places).toHaveLength(2);
    expect(places[0]).toMatch(/^1\s+ada\s+\d+\.\d% held-out\s+\+\d+ XP · rating 1000 → \d+ \(\+\d+\)/);
    expect(places[0]).toContain('★ Comeback');
    expect(places[1]).toMatch(/^2\s+bob\s+\d+\.\d% held-out\s+\+\d+ XP · rating 1000 → \d+ \(−\d+\)/);
    expect(shownRating(0)).toBe(1000);
    const box = async (sel: string) => (await ada.locator(sel).boundingBox())!;
    const [ending, standings] = [await box('#ending'), await box('#standings')];
    expect(ending.y + ending.height).toBeLessThanOrEqual(standings.y); // above, not over
    // Toasts (Bob's steering, Ada's rewind) sit in the page's flow under the top bar: none overlaps the standings.
    for (const toast of await ada.locator('#toasts .toast').all()) {
      const b = (await toast.boundingBox())!;
      expect(b.y + b.height <= standings.y || b.y >= standings.y + standings.height).toBe(true);
    }
    expect(await ada.locator('#back-to-lobby').getAttribute('href')).toBe('/');
    expect(await ada.locator('#next-race').getAttribute('href')).toBe('/?task=spiral#quick-join'); // the next race keeps the task
    await shot(ada, 'race-ending');
    // Escape dismisses it and Result brings it back.
    await ada.keyboard.press('Escape');
    await ada.waitForSelector('#ending', { state: 'hidden' });
    await ada.click('#ending-reopen');
    await ada.waitForSelector('#ending', { state: 'visible' });

    // Rematch: Ada calls it, Bob's ending offers to join it.
    await ada.click('#rematch');
    await bob.waitForSelector('a#rematch');
    expect(await bob.locator('a#rematch').textContent()).toBe('Join the rematch');
    const rematchRoom = await waitFor(() => referee.state.rematch || undefined, 'the rematch room');
    expect(await bob.locator('a#rematch').getAttribute('href')).toBe(`/?room=${rematchRoom}`);
    await referee.leave();
    expect(bobErrors).toEqual([]);
    await bob.close();

    // Next race: the open rooms, quick join focused, on the race's task.
    await ada.click('#next-race');
    await ada.waitForFunction(() => document.activeElement?.id === 'quick-join');
    expect(await ada.locator('#quick-join').textContent()).toBe('Quick join a spiral race');

    // The boards: the race's task rating, on a positive scale, with what it means and each player's record.
    await ada.click('#nav-leaderboard');
    await ada.click('[data-board="rating"]');
    await ada.selectOption('#scope', 'spiral');
    await ada.waitForFunction(() => document.querySelectorAll('#leaderboard tbody tr[data-player]').length === 2);
    expect(await ada.locator('#rating-explained').textContent()).toContain("OpenSkill's conservative estimate");
    const rows = await rowTexts(ada, '#leaderboard tbody tr[data-player]');
    expect(rows[0]).toMatch(/^1 ada 1,\d{3} 1 1–0 new$/);
    expect(rows[1]).toMatch(/^2 bob \d{3} 1 0–1 new$/);
    await ada.fill('#board-search', 'bo');
    await ada.waitForSelector('#pinned tr.me');
    expect(await rowTexts(ada, '#leaderboard tbody:not(#pinned) tr[data-player]')).toEqual([expect.stringMatching(/^2 bob /)]);
    // Searching for bob leaves Ada off the page: her own row is pinned above the board.
    expect(await rowTexts(ada, '#pinned tr.me')).toEqual([expect.stringMatching(/^1 ada \(you\) /)]);
    expect(await ada.locator('#climb-xp li').count()).toBeGreaterThanOrEqual(4);
    expect(await ada.locator('#climb-xp').innerText()).toContain('Play a rated GAN battle');
    await shot(ada, 'leaderboard-rating');
    expect(adaErrors).toEqual([]);
  });

  it('a stored GAN battle has a match page: sides, designs, rounds, how it was decided, its curves replayed; it fits a phone', async () => {
    const { arena: t, browser } = suite;
    const db = t.arena.database.db;
    const [g, d] = [crypto.randomUUID(), crypto.randomUUID()];
    for (const [id, name] of [[g, 'forger'], [d, 'critic']] as const) await db.insertInto('players').values({ id, name }).execute();
    const battle = ganBattleOf({ generatorPlayerId: g, discriminatorPlayerId: d, generatorWon: true, rated: true });
    await recordGanResult(db, battle);
    for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
      const page = await browser.newPage({ viewport });
      const errors = watchErrors(page);
      await page.goto(`${t.url}/#/matches/${battle.id}`);
      await page.waitForSelector('#match-decided');
      expect(await page.locator('#match-decided').innerText()).toBe(`forger (generator) won: ${battle.decidedBy}.`);
      expect(await rowTexts(page, '#match-ranking tbody tr')).toEqual([expect.stringMatching(/^1\s+forger\s+generator\s+32-32 relu/), expect.stringMatching(/^2\s+critic\s+discriminator/)]);
      expect(await page.locator('#gan-rounds tbody tr').count()).toBe(battle.rounds.length);
      await page.waitForSelector('#match-chart canvas');
      expect(await page.locator('#replay-command').count()).toBe(0); // arena replay is for races' runs
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await shot(page, `gan-match-${viewport.width}`);
      // The profile lists it among recent matches as a GAN battle.
      await page.goto(`${t.url}/#/players/${g}`);
      await page.waitForSelector('#recent');
      expect(await page.locator('#recent').innerText()).toContain('GAN battle · ring');
      expect(errors).toEqual([]);
      await page.close();
    }
  });
});
