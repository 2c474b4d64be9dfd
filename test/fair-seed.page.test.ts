import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { commitmentOf } from '../server/match/fair-seed.ts';
import { loadMatch, saveMatch } from '../server/matches/match.service.ts';
import { runRecordOf } from '../server/runs/run.record.ts';
import type { Match } from '../shared/match.schema.ts';
import { DEFAULT_SPEC } from '../shared/model-spec.schema.ts';
import { TrainJob } from '../shared/run.schema.ts';
import { SEED_SCHEME } from '../shared/seed-commitment.ts';
import { TaskSpec } from '../shared/task.schema.ts';
import { watchErrors } from './support/browser.ts';
import { pageArenaSuite, shot } from './support/page.ts';
import { hasChromium } from './support/services.ts';

/** A stored two-entry race on `seed`, with the reveal given (or none). */
function storedMatch(seed: number, rated: boolean, reveal: (salt: string) => Match['seedReveal']): Match {
  const salt = randomUUID().replaceAll('-', '').repeat(2);
  const entry = (seat: number) => ({ seat, player: seat ? 'bob' : 'ada', playerId: null, runId: randomUUID(), spec: DEFAULT_SPEC, status: 'finished' as const, rank: seat + 1, heldOutAccuracy: 0.9 - seat / 10, valAccuracy: 0.9, loss: 0.2, samples: 2000, weightsHash: 'c'.repeat(64), backend: 'wasm', error: null });
  return { id: randomUUID(), roomId: 'page-room', kind: 'race', task: TaskSpec.parse({ name: 'xor' }), seed, rated, seedReveal: reveal(salt), budget: 2000, startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), entries: [entry(0), entry(1)] };
}

/** WCAG contrast of an element's text against the panel it sits on. */
function contrast(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    // rgb(r, g, b) in 0-255, or color(srgb r g b) in 0-1 (what color-mix() computes to)
    const rgb = (c: string) => (c.replace('srgb', '').match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => (c.startsWith('color(') ? Number(v) * 255 : Number(v)));
    const lum = (c: string) => {
      const [r, g, b] = rgb(c).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const el = document.querySelector(sel)!;
    let bgEl: Element | null = el;
    let bg = 'rgba(0, 0, 0, 0)';
    while (bgEl && /rgba\(.*, 0\)|transparent/.test(bg)) {
      bg = getComputedStyle(bgEl).backgroundColor;
      bgEl = bgEl.parentElement;
    }
    const [a, b] = [lum(getComputedStyle(el).color), lum(bg)].sort((x, y) => y - x);
    return (a! + 0.05) / (b! + 0.05);
  }, selector);
}

describe.skipIf(!hasChromium())('the match page shows the fair seed', () => {
  const suite = pageArenaSuite();

  it('shows the commitment, the reveal, the browser\'s check and the replay command, readable at 390 px in both themes; a tampered reveal is flagged', async () => {
    const { arena: t, browser } = suite;
    const db = t.arena.database.db;
    const honest = storedMatch(8128, true, (salt) => ({ scheme: SEED_SCHEME, commitment: commitmentOf(8128, salt), seed: 8128, salt }));
    const tampered = storedMatch(77, true, (salt) => ({ scheme: SEED_SCHEME, commitment: commitmentOf(76, salt), seed: 77, salt })); // committed to 76, revealed 77
    const custom = storedMatch(1234, false, (salt) => ({ scheme: SEED_SCHEME, commitment: commitmentOf(1234, salt), seed: 1234, salt }));
    for (const m of [honest, tampered, custom]) {
      const runs = m.entries.map((e) => runRecordOf(TrainJob.parse({ runId: e.runId, spec: e.spec, task: m.task, seed: m.seed, budget: m.budget }), { events: [], playerId: null, matchId: m.id, samplesIfFailed: e.samples }));
      await db.transaction().execute((trx) => saveMatch(trx, m, runs));
      expect((await loadMatch(db, m.id))!.seedReveal).toEqual(m.seedReveal);
    }

    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const errors = watchErrors(page);
    const open = async (m: Match) => {
      await page.goto(`${t.url}/#/matches/${m.id}`);
      await page.waitForSelector('#fair-seed');
      await page.waitForFunction(() => /[✓✗]|cannot check/.test(document.querySelector('#seed-check')?.textContent ?? ''));
      return (await page.locator('#seed-check').textContent())!;
    };
    /** Elements that reach past the screen's right edge, outside sideways scrollers (none, when the page fits). */
    const overflow = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          // what a sideways scroller (a wide table) holds is scrolled, not cut off
          .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5 && !el.parentElement?.closest('.table-scroll'))
          .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''} (${Math.round(el.getBoundingClientRect().right)} px)`)
          .slice(0, 8)
          // text that runs past its box widens the page without any element doing so
          .concat(document.documentElement.scrollWidth > window.innerWidth ? [`the page scrolls sideways (${document.documentElement.scrollWidth} px)`] : []),
      );

    expect(await open(honest)).toContain('✓ The revealed seed and salt match the commitment');
    expect(await page.locator('#seed-commitment').textContent()).toBe(honest.seedReveal!.commitment);
    expect(await page.locator('#seed-value').textContent()).toBe('8128');
    expect(await page.locator('#seed-salt').textContent()).toBe(honest.seedReveal!.salt);
    expect(await page.locator('#replay-command').textContent()).toBe(`npm run arena -- replay ${t.url}/api/matches/${honest.id}`);
    expect(await page.locator('#seed-rated').textContent()).toContain('Rated: the server drew the seed');
    // The page's shell recipe gives the commitment.
    const recipe = (await page.locator('#seed-recipe').textContent())!;
    expect(execFileSync('bash', ['-c', recipe], { encoding: 'utf8' }).split(' ')[0]).toBe(honest.seedReveal!.commitment);
    expect(await overflow(), 'nothing wider than a 390 px screen').toEqual([]);
    for (const sel of ['#seed-check', '#seed-commitment', '#replay-command']) expect(await contrast(page, sel), `${sel} in the light theme`).toBeGreaterThan(4.5);
    await shot(page, 'match-fair-seed-390', '#fair-seed');
    await page.click('#theme-toggle');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    for (const sel of ['#seed-check', '#seed-commitment', '#replay-command']) expect(await contrast(page, sel), `${sel} in the dark theme`).toBeGreaterThan(4.5);
    expect(await overflow()).toEqual([]);
    await shot(page, 'match-fair-seed-390-dark', '#fair-seed');

    // A reveal that does not hash to the commitment is called out, in the browser.
    expect(await open(tampered)).toContain('✗ The reveal does not match the commitment');
    expect(await page.locator('#seed-check').getAttribute('class')).toContain('bad');
    expect(await overflow(), 'the verdict with its long hashes wraps').toEqual([]);
    expect(await contrast(page, '#seed-check'), 'the warning in the dark theme').toBeGreaterThan(4.5);
    await page.click('#theme-toggle');
    expect(await contrast(page, '#seed-check'), 'the warning in the light theme').toBeGreaterThan(4.5);
    await shot(page, 'match-fair-seed-tampered-390', '#fair-seed');

    // A custom seed says it was unrated, in the heading and the panel.
    expect(await open(custom)).toContain('✓');
    expect(await page.locator('#match-unrated').textContent()).toBe('custom seed · unrated');
    expect(await contrast(page, '#match-unrated')).toBeGreaterThan(4.5);
    expect(await page.locator('#seed-rated').textContent()).toContain('ratings, XP and achievements did not move');
    expect(await overflow()).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
