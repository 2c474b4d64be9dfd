import { describe, expect, it } from 'vitest';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import type { StoredMatch } from '../shared/gan-match.schema.ts';
import { watchErrors } from './support/browser.ts';
import { pageArenaSuite, shot } from './support/page.ts';
import { changedFraction } from './support/pixels.ts';
import { drawn } from './support/renderers.ts';
import { hasChromium } from './support/services.ts';
import { seatTournamentBots } from './support/sdk-players.ts';

/**
 * A tournament's matches are replayed from their match pages like a race's: the page's player plays a short,
 * paced 4-player tournament against SDK players, opens the final's replay from the bracket (a new tab), and the
 * final's stored curves are drawn and replayed. Before tournament matches kept their curves, that page said
 * "stored before curves were kept" and drew no chart.
 */
describe.skipIf(!hasChromium())('a tournament final’s replay, opened from the tournament page in headless Chromium', () => {
  const suite = pageArenaSuite();

  it('draws the final’s stored curves, and replays them from the start', async () => {
    const { arena: t, browser } = suite;
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(t.url);
    await page.fill('#player-name', 'ada');
    await page.selectOption('#t-task', 'moons');
    await page.selectOption('#t-min-players', '4');
    await page.selectOption('#t-max-players', '4');
    await page.selectOption('#t-budget', '2000');
    await page.selectOption('#t-break', '0');
    await page.selectOption('#t-pace', '15');
    await page.click('#create-tournament');
    await page.waitForSelector('#designer');
    await page.click('#submit-spec');
    await page.waitForFunction(() => !(document.querySelector('#ready') as HTMLButtonElement).disabled);
    const roomId = new URL(page.url()).searchParams.get('room')!;
    const others = await seatTournamentBots(t.url, roomId, ['bob', 'cy', 'dee'], (i) => SPEC_TEMPLATES[i + 1]!.spec, 4);
    for (const r of others) r.send('ready', { ready: true });
    await page.click('#ready');
    await page.waitForSelector('#champion:not([hidden])', { timeout: 180_000 });

    // The final's replay, from its box in the bracket: a new tab on its match page.
    const finalLink = page.locator('#bracket .match[data-round="2"] .match-replay');
    const matchId = /#\/matches\/([0-9a-f-]{36})$/.exec((await finalLink.getAttribute('href'))!)![1]!;
    const [replay] = await Promise.all([context.waitForEvent('page'), finalLink.click()]);
    const replayErrors = watchErrors(replay);
    await replay.waitForSelector('#match-ranking tbody tr');
    expect(await replay.locator('#match-ranking tbody tr').count()).toBe(2);
    const stored = (await (await fetch(`${t.url}/api/matches/${matchId}`)).json()) as StoredMatch;
    expect(stored.kind).toBe('race');
    for (const e of stored.kind === 'race' ? stored.entries : []) {
      expect(e.curve?.samples.length, `${e.player}'s curve in the final`).toBeGreaterThan(2);
      expect(e.curve!.samples.at(-1)).toBe(e.samples);
    }
    await replay.waitForSelector('#match-chart canvas', { timeout: 30_000 });
    await replay.waitForTimeout(300);
    const whole = await shot(replay, 'tournament-final-match', '#match-chart');
    await replay.click('#replay');
    await replay.waitForTimeout(1500);
    await drawn(replay);
    const replaying = await shot(replay, 'tournament-final-replay', '#match-chart');
    expect(changedFraction(whole, replaying), 'the replay redraws the final’s curves from the start').toBeGreaterThan(0.002);
    await replay.waitForFunction(() => document.querySelector<HTMLElement>('#replay-progress')?.dataset.state === 'done', undefined, { timeout: 30_000 });

    expect([...errors, ...replayErrors]).toEqual([]);
    await Promise.all(others.map((r) => r.leave()));
    await context.close();
  }, 300_000);
});
