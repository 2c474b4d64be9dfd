import type { Room } from '@colyseus/sdk';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { LESSONS } from '../shared/lesson.schema.ts';
import type { PlaygroundResultMessage } from '../shared/playground.messages.ts';
import type { PlaygroundState } from '../shared/playground.state.ts';
import { markLessonPassed } from '../server/lessons/lesson.repository.ts';
import { guestClient, nextMessage, waitFor } from './support/arena.ts';
import { watchErrors } from './support/browser.ts';
import { pageArenaSuite, shot } from './support/page.ts';
import { hasChromium } from './support/services.ts';

/** What reaches past the screen's width: the document, or a visible control. */
function cutOff(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const found: string[] = [];
    if (document.documentElement.scrollWidth > width) found.push(`the document is ${document.documentElement.scrollWidth} px wide`);
    for (const el of document.querySelectorAll('button, input, select, a')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (box.left < -0.5 || box.right > width + 0.5) found.push(`${el.tagName.toLowerCase()}#${el.id} spans ${Math.round(box.left)}–${Math.round(box.right)} px`);
    }
    return found;
  });
}

const states = (page: Page) => page.$$eval('#lessons li', (lis) => lis.map((li) => `${li.getAttribute('data-lesson')}:${li.getAttribute('data-state')}`));

describe.skipIf(!hasChromium())('the learning path in headless Chromium', () => {
  const suite = pageArenaSuite();

  for (const { width, height, name } of [
    { width: 1280, height: 900, name: 'rosalind' },
    { width: 390, height: 844, name: 'barbara' },
  ]) {
    it(`opens the path, plays the first lesson to a pass, and shows the XP and progress on the profile (${width} px)`, async () => {
      const { arena: t, browser } = suite;
      const context = await browser.newContext({ viewport: { width, height } });
      const page = await context.newPage();
      const errors = watchErrors(page);
      await page.goto(`${t.url}/#/learn`);
      await page.waitForSelector('#learning-path');
      expect(await page.locator('#path-progress').innerText()).toBe(`0 of ${LESSONS.length} lessons done`);
      expect(await states(page)).toEqual(LESSONS.map((l, i) => `${l.id}:${i === 0 ? 'open' : 'locked'}`));
      expect(await page.locator('[data-lesson="features"]').innerText()).toContain('Pass “First fit” to open it.');
      expect(await cutOff(page)).toEqual([]);
      await shot(page, `lessons-path-${width}`, undefined, { alsoTo: width === 1280 ? 'docs/learning-path.png' : undefined });

      await page.fill('#path-name', name);
      await page.click('[data-start="first-fit"]');
      await page.waitForSelector('#lesson:not([hidden])');
      expect(await page.locator('#lesson').innerText()).toContain('Lesson 1 of 8: First fit');
      expect(await page.locator('#challenge').innerText()).toContain(`Challenge: ${LESSONS[0]!.task}`);
      // The designer opens on the lesson's network: a linear layer of 2, which draws a straight line.
      expect(await page.locator('#spec-layers').inputValue()).toBe('2');
      await page.fill('#spec-layers', '8');
      await page.selectOption('#spec-activation', 'tanh');
      await page.click('#start-run');
      await page.waitForFunction(() => document.querySelector('#challenge')?.getAttribute('data-status') === 'passed', null, { timeout: 90_000 });
      await page.waitForFunction(() => /Lesson passed/.test(document.querySelector('#lesson-result')?.textContent ?? ''), null, { timeout: 30_000 });
      expect(await page.locator('#lesson-result').innerText()).toBe('Lesson passed: +30 XP. On to lesson 2: Let the features work');
      expect(await page.locator('#challenge-status').innerText()).toMatch(/^passed: \d+(\.\d)?% on the held-out split against a target of 90%$/);
      expect(await cutOff(page)).toEqual([]);
      await shot(page, `lessons-passed-${width}`, '#lesson');

      // Back on the path: the first lesson is done, the second open.
      await page.click('#lesson-back');
      await page.waitForFunction(() => document.querySelector('#path-progress')?.textContent === '1 of 8 lessons done');
      expect((await states(page)).slice(0, 3)).toEqual(['first-fit:done', 'features:open', 'speed-run:locked']);
      expect(await page.locator('[data-lesson="first-fit"]').innerText()).toMatch(/Passed with \d+(\.\d)?% held out/);

      // The profile: the XP (the lesson's 30, plus the achievement tiers the run reached) and the path.
      await page.click('#nav-me');
      await page.waitForSelector('#profile-path');
      expect(await page.locator('#profile-path-progress').innerText()).toMatch(/^1 of 8 lessons done/);
      expect(await page.locator('#profile-path [data-lesson="first-fit"]').getAttribute('data-state')).toBe('done');
      const xp = Number((/ · ([\d,]+) XP · /.exec(await page.locator('#profile .muted').first().innerText())?.[1] ?? '0').replace(/,/g, ''));
      expect(xp).toBeGreaterThanOrEqual(30);
      expect(await cutOff(page)).toEqual([]);
      await shot(page, `lessons-profile-${width}`, '#profile-path');
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it('shows the speed run’s best and board with the player’s own row, at 390 px, in the light and the dark theme', async () => {
    const { arena: t, browser } = suite;
    // A player who passed the speed run through the room (the lessons before it opened directly: the test above plays the path).
    const { client, playerId, token } = await guestClient(t.url, 'grace');
    for (const id of ['first-fit', 'features']) await markLessonPassed(t.arena.database.db, playerId, id, crypto.randomUUID(), 0.95, new Date());
    const room: Room<any, PlaygroundState> = await client.create<PlaygroundState>('playground', { lesson: 'speed-run', paceSeconds: 0 });
    for (const type of ['probe', 'landscape', 'welcome', 'points', 'notice']) room.onMessage(type, () => {});
    await waitFor(() => room.state.lesson === 'speed-run', 'the lesson in state');
    const was = room.state.summary;
    room.send('spec', { spec: { layers: [{ units: 4, activation: 'tanh' }], features: ['x1', 'x2', 'x1x2'], optimizer: 'adam', learningRate: 0.05, batchSize: 8 } });
    await waitFor(() => room.state.summary !== was, 'the spec to be taken');
    const ended = nextMessage<PlaygroundResultMessage>(room, 'result', 120_000);
    room.send('start', {});
    const result = await ended;
    expect(result.lesson).toMatchObject({ id: 'speed-run', passed: true });
    await room.leave();
    const samples = ((await (await fetch(`${t.url}/api/runs/${result.runId}`)).json()) as { samples: number }).samples;

    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    await context.addInitScript(([tk, id]) => {
      localStorage.setItem('arena.token', tk!);
      localStorage.setItem('arena.playerId', id!);
      localStorage.setItem('arena.name', 'grace');
    }, [token, playerId]);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${t.url}/#/learn`);
    await page.waitForSelector('#board-speed-run table');
    expect(await page.locator('[data-lesson="speed-run"]').getAttribute('data-state')).toBe('done');
    expect(await page.locator('[data-lesson="speed-run"]').innerText()).toContain('Task: reach 90% on xor in the fewest training samples you can (the budget is at most 1,000)');
    expect(await page.locator('#best-speed-run').innerText()).toBe(`Your best: ${samples.toLocaleString('en')} samples.`);
    const mine = page.locator('#board-speed-run tr.me-row');
    expect(await mine.count()).toBe(1);
    const cells = await mine.locator('td').allInnerTexts();
    expect(cells[0]).toMatch(/^\d+$/);
    expect(cells.slice(1, 4)).toEqual(['grace (you)', samples.toLocaleString('en'), `${+(result.heldOutAccuracy! * 100).toFixed(1)}%`]);
    expect(await mine.locator('a[data-run]').getAttribute('href')).toBe(`/api/runs/${result.runId}/run.json`);
    // Keyboard: the row's links take the focus in order (the player's profile, then the run).
    await mine.locator('td a').first().focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-run'))).toBe(result.runId);
    expect(await cutOff(page)).toEqual([]);
    const table = page.locator('#board-speed-run table');
    expect((await table.boundingBox())!.x + (await table.boundingBox())!.width).toBeLessThanOrEqual(390);

    // Both themes draw the board from the CSS variables: the text and the own row's tint follow the theme.
    const look = () => mine.evaluate((tr: HTMLTableRowElement) => ({ theme: document.documentElement.dataset.theme, text: getComputedStyle(tr.cells[1]!).color, tint: getComputedStyle(tr.cells[1]!).backgroundColor }));
    const first = await look();
    await shot(page, `lessons-board-390-${first.theme}`, '#board-speed-run', { alsoTo: first.theme === 'light' ? 'docs/speed-run-board.png' : undefined });
    await page.click('#theme-toggle');
    const second = await look();
    expect(second.theme).not.toBe(first.theme);
    expect(second.text).not.toBe(first.text);
    expect(second.tint).not.toBe(first.tint);
    const expected = { light: 'rgb(28, 31, 42)', dark: 'rgb(232, 234, 242)' } as Record<string, string>;
    for (const l of [first, second]) expect(l.text, `${l.theme}: the theme's --text`).toBe(expected[l.theme!]);
    expect(await cutOff(page)).toEqual([]);
    await shot(page, `lessons-board-390-${second.theme}`, '#board-speed-run');
    expect(errors).toEqual([]);
    await context.close();
  });
});
