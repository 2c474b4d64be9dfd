import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SAVED_SPECS_KEY } from '../client/designer/saved-specs.ts';
import { DEFAULT_SPEC } from '../shared/model-spec.schema.ts';
import { watchErrors } from './support/browser.ts';
import { pageArenaSuite, shot } from './support/page.ts';
import { hasChromium } from './support/services.ts';

const account = (page: Page) => page.evaluate(() => ({ playerId: localStorage.getItem('arena.playerId'), token: localStorage.getItem('arena.token'), name: localStorage.getItem('arena.name') }));
const savedHere = (page: Page) => page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? '[]') as Array<{ name: string; spec: { layers: Array<{ units?: number }> }; shareId?: string }>, SAVED_SPECS_KEY);

/** Opens a race from the home page and waits for its designer to have merged the saved specs with the account's. */
async function openDesigner(page: Page, base: string, name?: string): Promise<void> {
  await page.goto(base);
  if (name) await page.fill('#player-name', name);
  await page.click('#create-race');
  await page.waitForSelector('#designer #spec-saved[data-synced="true"]', { state: 'attached' }); // an empty list has no height
}

describe.skipIf(!hasChromium())('designs saved to the account, and shared by link (headless Chromium)', () => {
  const suite = pageArenaSuite();

  it('saves a design on one device, finds it on another signed in as the same player, shares it, and a visitor opens the link and saves a copy', async () => {
    const { arena: t, browser } = suite;
    const base = `http://localhost:${t.arena.port}`; // the clipboard needs a secure context: localhost is one

    // Laptop: Ada saves a design; it goes to her account.
    const laptopContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const laptop = await laptopContext.newPage();
    const laptopErrors = watchErrors(laptop);
    await openDesigner(laptop, base, 'Ada');
    await laptop.fill('#spec-layers', '20, 10');
    await laptop.fill('#spec-save-name', 'Twin towers');
    await laptop.press('#spec-save-name', 'Enter');
    await laptop.waitForSelector('#spec-saved li[data-name="Twin towers"][data-share-id]');
    expect(await laptop.locator('#spec-saved-note').innerText()).toBe('Saved "Twin towers" to your account.');
    const ada = await account(laptop);
    const onAccount = await (await fetch(`${t.url}/api/designs`, { headers: { authorization: `Bearer ${ada.token}` } })).json();
    expect(onAccount.designs.map((d: { name: string; spec: { layers: Array<{ units: number }> } }) => [d.name, d.spec.layers.map((l) => l.units)])).toEqual([['Twin towers', [20, 10]]]);

    // Phone: the same account (its token carried over, as a passkey sign-in would), with a spec saved there
    // offline earlier: the designer shows the account's design and merges the phone's one up.
    const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    await phoneContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const phone = await phoneContext.newPage();
    const phoneErrors = watchErrors(phone);
    await phone.goto(base);
    await phone.evaluate(
      ({ a, key, spec }) => {
        localStorage.setItem('arena.token', a.token!);
        localStorage.setItem('arena.playerId', a.playerId!);
        localStorage.setItem('arena.name', a.name!);
        localStorage.setItem(key, JSON.stringify([{ name: 'Phone sketch', spec, savedAt: Date.now() - 60_000 }]));
      },
      { a: ada, key: SAVED_SPECS_KEY, spec: DEFAULT_SPEC },
    );
    await openDesigner(phone, base);
    await phone.waitForSelector('#spec-saved li[data-name="Twin towers"]');
    await phone.waitForSelector('#spec-saved li[data-name="Phone sketch"][data-share-id]');
    const afterMerge = await (await fetch(`${t.url}/api/designs`, { headers: { authorization: `Bearer ${ada.token}` } })).json();
    expect(afterMerge.designs.map((d: { name: string }) => d.name).sort()).toEqual(['Phone sketch', 'Twin towers']);
    await phone.click('#spec-saved li[data-name="Twin towers"] button.load');
    expect(await phone.inputValue('#spec-layers')).toBe('20, 10');
    expect(await phone.evaluate(() => document.documentElement.scrollWidth), 'the designer with shared specs fits a phone').toBeLessThanOrEqual(390);

    // Share from the keyboard: the link is copied and shown.
    await phone.focus('#spec-saved li[data-name="Twin towers"] button.share');
    await phone.keyboard.press('Enter');
    await phone.waitForSelector('#spec-saved li[data-name="Twin towers"][data-share-url]');
    const link = (await phone.getAttribute('#spec-saved li[data-name="Twin towers"]', 'data-share-url'))!;
    const shareId = await phone.getAttribute('#spec-saved li[data-name="Twin towers"]', 'data-share-id');
    expect(link).toBe(`${base}/#/design/${shareId}`);
    await phone.waitForFunction(() => /^Link to "Twin towers"/.test(document.querySelector('#spec-saved-note')!.textContent ?? ''));
    expect(await phone.locator('#spec-saved-note').innerText()).toBe(`Link to "Twin towers" copied: ${link}`);
    expect(await phone.evaluate(() => navigator.clipboard.readText())).toBe(link);
    await shot(phone, 'designs-shared-phone', '#designer .saved-box', { colors: 8, ink: 0.005 });

    // A visitor without an account opens the link: the design, its owner, the designer with it loaded; they save a copy.
    const visitorContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const visitor = await visitorContext.newPage();
    const visitorErrors = watchErrors(visitor);
    await visitor.goto(link);
    await visitor.waitForSelector('#shared-design[data-name="Twin towers"] #spec-layers');
    expect(await visitor.locator('#shared-design h2').innerText()).toBe('Shared design: “Twin towers”');
    expect(await visitor.locator('#shared-design-owner').innerText()).toMatch(/^By Ada, saved /);
    expect(await visitor.inputValue('#spec-layers')).toBe('20, 10');
    expect(await visitor.evaluate(() => document.activeElement?.id), 'the page starts on its one action').toBe('shared-save-copy');
    await visitor.keyboard.press('Enter');
    await visitor.waitForSelector('#shared-design #spec-saved li[data-name="Twin towers"]');
    expect(await visitor.locator('#spec-saved-note').innerText()).toBe('Saved "Twin towers" in this browser.');
    expect((await account(visitor)).playerId, 'opening a shared design makes no account').toBeNull();
    expect((await savedHere(visitor)).map((s) => [s.name, s.spec.layers.map((l) => l.units)])).toEqual([['Twin towers', [20, 10]]]);
    expect(await visitor.evaluate(() => document.documentElement.scrollWidth), 'the shared design fits a phone').toBeLessThanOrEqual(390);
    await shot(visitor, 'designs-shared-link', '#shared-design', { colors: 8, ink: 0.005 });
    await visitor.click('#theme-toggle');
    await shot(visitor, 'designs-shared-link-dark', '#shared-design', { colors: 8, ink: 0.005 });

    // Their copy is in their designer when they play, and goes to the account they get then.
    await openDesigner(visitor, base, 'Visitor');
    await visitor.click('#spec-saved li[data-name="Twin towers"] button.load');
    expect(await visitor.inputValue('#spec-layers')).toBe('20, 10');
    const theirs = await (await fetch(`${t.url}/api/designs`, { headers: { authorization: `Bearer ${(await account(visitor)).token}` } })).json();
    expect(theirs.designs.map((d: { name: string }) => d.name)).toEqual(['Twin towers']);

    // A link to a design deleted since says so.
    await laptop.click('#spec-saved li[data-name="Twin towers"] button.delete');
    await laptop.waitForFunction(() => document.querySelector('#spec-saved-note')?.textContent === 'Deleted "Twin towers".');
    await visitor.goto(`${base}/`);
    await visitor.goto(link);
    await visitor.waitForSelector('#shared-design .error-text');
    expect(await visitor.locator('#shared-design .error-text').innerText()).toMatch(/^no shared design with id ".+": its owner may have deleted it$/);

    expect(laptopErrors).toEqual([]);
    expect(phoneErrors).toEqual([]);
    expect(visitorErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
    await Promise.all([laptopContext.close(), phoneContext.close(), visitorContext.close()]);
  }, 180_000);
});
