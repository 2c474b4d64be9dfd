import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { RaceState } from '../shared/race.state.ts';
import { guestClient, waitFor } from './support/arena.ts';
import { watchErrors } from './support/browser.ts';
import { pageArenaSuite, shot } from './support/page.ts';
import { createTestDatabase, hasChromium, hasPostgres } from './support/services.ts';

/** A device with a platform authenticator: Chromium's virtual one (CTAP2, built in, resident keys, user verification that passes). */
async function device(context: BrowserContext): Promise<{ page: Page; cdp: CDPSession; authenticatorId: string }> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { page, cdp, authenticatorId };
}

const stored = (page: Page) => page.evaluate(() => ({ playerId: localStorage.getItem('arena.playerId'), token: localStorage.getItem('arena.token'), name: localStorage.getItem('arena.name') }));

/** Entries' names of a race, seen by an SDK spectator. */
async function seatsOf(t: { client: { joinById: <S>(id: string, o: object) => Promise<any> } }, roomId: string): Promise<{ names: () => string[]; spectators: () => number; leave: () => Promise<unknown> }> {
  const referee = await t.client.joinById<RaceState>(roomId, { role: 'spectator', name: 'referee' });
  referee.onMessage('welcome', () => {});
  return {
    names: () => [...(referee.state.entries?.values() ?? [])].map((e: { player: string }) => e.player),
    spectators: () => referee.state.spectators,
    leave: () => referee.leave(),
  };
}

/** On embedded PGlite (what `npm start` uses) and, when it answers, on Postgres. */
const postgres = hasChromium() && (await hasPostgres()) ? await createTestDatabase() : undefined;
afterAll(async () => postgres?.drop());
const stores: Array<{ kind: string; env: Record<string, string> }> = [{ kind: 'PGlite', env: {} }, ...(postgres ? [{ kind: 'Postgres', env: { DATABASE_URL: postgres.url } }] : [])];

describe.skipIf(!hasChromium()).each(stores)('accounts on the page on $kind: passkeys across devices and the invite link name prompt (headless Chromium)', ({ env }) => {
  const suite = pageArenaSuite(env);

  it('secures a guest account with a passkey on one device, signs in with it on another and lands there as the same player', async () => {
    const { arena: t, browser } = suite;
    const base = `http://localhost:${t.arena.port}`; // a passkey needs a secure context: localhost is one, 127.0.0.1 has no domain to bind it to

    const laptopContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const laptop = await device(laptopContext);
    const laptopErrors = watchErrors(laptop.page);
    await laptop.page.goto(base);
    expect(await laptop.page.inputValue('#player-name'), 'no name is made up for a new visitor').toBe('');
    await laptop.page.fill('#player-name', 'Ada');
    await laptop.page.click('#passkey-secure');
    await laptop.page.waitForSelector('#account[data-secured="true"]');
    expect(await laptop.page.locator('#account-status').innerText()).toContain('“Ada” is secured with a passkey');
    const ada = await stored(laptop.page);
    expect(ada).toMatchObject({ name: 'Ada', playerId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    await shot(laptop.page, 'account-passkey-secured', '#you', { colors: 8, ink: 0.005 });

    const { credentials } = await laptop.cdp.send('WebAuthn.getCredentials', { authenticatorId: laptop.authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });

    // Another device: a fresh browser context whose authenticator holds the same passkey (synced, as a password manager would).
    const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const phone = await device(phoneContext);
    const phoneErrors = watchErrors(phone.page);
    await phone.cdp.send('WebAuthn.addCredential', { authenticatorId: phone.authenticatorId, credential: credentials[0]! });
    await phone.page.goto(base);
    expect((await stored(phone.page)).playerId).toBeNull();
    await phone.page.click('#passkey-sign-in');
    await phone.page.waitForFunction(() => (document.querySelector('#player-name') as HTMLInputElement).value === 'Ada');
    const signedIn = await stored(phone.page);
    expect(signedIn.playerId).toBe(ada.playerId);
    expect(signedIn.token).not.toBeNull();
    await phone.page.waitForSelector('#account[data-secured="true"]');

    // …and plays as Ada: her seat in a race made from the phone, and one Ada in the arena.
    await phone.page.click('#create-race');
    await phone.page.waitForSelector('#designer');
    const roomId = new URL(phone.page.url()).searchParams.get('room')!;
    const seats = await seatsOf(t, roomId);
    await waitFor(() => seats.names().includes('Ada'), 'Ada to have a seat');
    await seats.leave();
    const adas = await t.arena.database.db.selectFrom('players').select('id').where(sql<string>`lower(name)`, '=', 'ada').execute();
    expect(adas).toEqual([{ id: ada.playerId }]);

    expect(laptopErrors).toEqual([]);
    expect(phoneErrors).toEqual([]);
    await Promise.all([laptopContext.close(), phoneContext.close()]);
  }, 120_000);

  it('lists the account’s passkeys and removes one, then the last, after asking (by keyboard), and a removed passkey signs in nowhere', async () => {
    const { arena: t, browser } = suite;
    const base = `http://localhost:${t.arena.port}`;
    const credentialOf = async (d: { cdp: CDPSession; authenticatorId: string }) => {
      const { credentials } = await d.cdp.send('WebAuthn.getCredentials', { authenticatorId: d.authenticatorId });
      expect(credentials).toHaveLength(1);
      return credentials[0]!;
    };
    /** A fresh device whose authenticator holds `credential`: signs in with it, and answers what the page said. */
    const signInElsewhere = async (credential: Awaited<ReturnType<typeof credentialOf>>) => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      const other = await device(context);
      const otherErrors = watchErrors(other.page);
      await other.cdp.send('WebAuthn.addCredential', { authenticatorId: other.authenticatorId, credential });
      await other.page.goto(base);
      await other.page.click('#passkey-sign-in');
      await other.page.waitForFunction(() => (document.querySelector('#player-name') as HTMLInputElement).value !== '' || document.querySelector('#account-problem')?.textContent !== '');
      const said = { name: await other.page.inputValue('#player-name'), problem: await other.page.locator('#account-problem').innerText(), playerId: (await stored(other.page)).playerId };
      await context.close();
      return { ...said, errors: otherErrors };
    };

    // A phone-sized laptop: its first authenticator makes one passkey, a second one (a security key) another.
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const laptop = await device(context);
    const errors = watchErrors(laptop.page);
    await laptop.page.goto(base);
    await laptop.page.fill('#player-name', 'Rae');
    await laptop.page.click('#passkey-secure');
    await laptop.page.waitForSelector('#account[data-secured="true"]');
    const first = await credentialOf(laptop);
    await laptop.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: laptop.authenticatorId });
    const { authenticatorId: keyId } = await laptop.cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    await laptop.page.click('#passkey-secure');
    await laptop.page.waitForFunction(() => document.querySelectorAll('#passkey-list li').length === 2);
    const second = await credentialOf({ cdp: laptop.cdp, authenticatorId: keyId });
    const rae = await stored(laptop.page);
    expect(await laptop.page.locator('#account-status').innerText()).toContain('“Rae” is secured with 2 passkeys');
    const ids = [first, second].map((c) => Buffer.from(c.credentialId, 'base64').toString('base64url'));
    expect(await laptop.page.locator('#passkey-list li').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.passkey))).toEqual(ids);
    const label = await laptop.page.evaluate(() => navigator.userAgent);
    for (const row of await laptop.page.locator('#passkey-list li').allInnerTexts()) {
      expect(row).toMatch(/added .+ · not used to sign in yet/);
      expect(row, 'named after the browser and system it was made on').toContain(/Linux/.test(label) ? 'on Linux' : ' on ');
    }
    expect(await laptop.page.evaluate(() => document.documentElement.scrollWidth), 'the list fits a phone').toBeLessThanOrEqual(390);
    await shot(laptop.page, 'account-passkeys', '#you', { colors: 8, ink: 0.005 });

    // Remove the first, by keyboard: Enter asks (focus on "Keep it"), Escape keeps it; Enter again, then "Remove passkey".
    const firstRemove = laptop.page.locator(`#passkey-list li[data-passkey="${ids[0]}"] button`);
    await firstRemove.focus();
    await laptop.page.keyboard.press('Enter');
    await laptop.page.waitForSelector('#passkey-remove-dialog[open]');
    expect(await laptop.page.evaluate(() => document.activeElement?.id)).toBe('passkey-remove-cancel');
    expect(await laptop.page.locator('#passkey-remove-dialog').getAttribute('data-last')).toBe('false');
    await laptop.page.keyboard.press('Escape');
    await laptop.page.waitForFunction(() => !document.querySelector('#passkey-remove-dialog'));
    await laptop.page.waitForFunction((id) => document.activeElement?.closest('li')?.getAttribute('data-passkey') === id, ids[0]);
    expect(await laptop.page.locator('#passkey-list li').count(), 'Escape removed nothing').toBe(2);
    await laptop.page.keyboard.press('Enter');
    await laptop.page.waitForSelector('#passkey-remove-dialog[open]');
    await laptop.page.keyboard.press('Shift+Tab');
    expect(await laptop.page.evaluate(() => document.activeElement?.id)).toBe('passkey-remove-confirm');
    await laptop.page.keyboard.press('Enter');
    await laptop.page.waitForFunction(() => document.querySelectorAll('#passkey-list li').length === 1);
    expect(await laptop.page.locator('#passkey-list li').getAttribute('data-passkey')).toBe(ids[1]);
    expect(await laptop.page.locator('#account-status').innerText()).toContain('“Rae” is secured with a passkey');

    // The removed passkey signs in nowhere; the other still signs in as Rae.
    const refused = await signInElsewhere(first);
    expect(refused.problem).toContain('not registered in this arena');
    expect([refused.name, refused.playerId]).toEqual(['', null]);
    expect(refused.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    const kept = await signInElsewhere(second);
    expect([kept.name, kept.playerId, kept.problem]).toEqual(['Rae', rae.playerId, '']);

    // The last one: a warning of its own, and then the account is a guest account in this browser again.
    await laptop.page.click(`#passkey-list li[data-passkey="${ids[1]}"] button`);
    await laptop.page.waitForSelector('#passkey-remove-dialog[open][data-last="true"]');
    expect(await laptop.page.locator('#passkey-remove-what').innerText()).toContain('last passkey');
    await shot(laptop.page, 'account-passkey-remove-last', '#passkey-remove-dialog', { colors: 8, ink: 0.005 });
    expect(await laptop.page.locator('#passkey-remove-confirm').innerText()).toBe('Remove my last passkey');
    await laptop.page.click('#passkey-remove-confirm');
    await laptop.page.waitForSelector('#account[data-secured="false"]');
    expect(await laptop.page.locator('#passkey-list').isHidden()).toBe(true);
    expect(await laptop.page.locator('#account-status').innerText()).toContain('“Rae” is a guest account kept in this browser only');
    expect((await stored(laptop.page)).playerId, 'this browser keeps the account').toBe(rae.playerId);
    const gone = await signInElsewhere(second);
    expect([gone.name, gone.playerId]).toEqual(['', null]);
    expect(gone.problem).toContain('not registered in this arena');
    expect(await t.arena.database.db.selectFrom('passkeys').select('id').where('player_id', '=', rae.playerId!).execute()).toEqual([]);

    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('asks an invited player for a name before seating them, offers a free #tag for a taken one, tells a home-page player their name was tagged, and lets a spectator watch anonymously', async () => {
    const { arena: t, browser } = suite;
    const base = `http://localhost:${t.arena.port}`;
    await guestClient(t.url, 'Grace'); // the name the invitee will want
    const host = await (await guestClient(t.url, 'host')).client.create<RaceState>('race', { budget: 4000, countdownSeconds: 300 });
    host.onMessage('welcome', () => {});
    const seats = await seatsOf(t, host.roomId);
    await waitFor(() => seats.names().length === 1, 'the host to have a seat');

    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${base}/?room=${host.roomId}`);
    await page.waitForSelector('#invite');
    expect(await page.locator('#invite h2').innerText()).toBe('You are invited to a room');
    await page.waitForTimeout(500); // had the page joined by itself, the seat would show by now
    expect(seats.names(), 'nobody is seated before they chose a name').toEqual(['host']);
    expect((await stored(page)).playerId).toBeNull();
    expect(await page.evaluate(() => document.documentElement.scrollWidth), 'the invite page fits a phone').toBeLessThanOrEqual(390);

    await page.click('#invite-join');
    expect(await page.locator('#invite-problem').innerText()).toContain('Pick a name first');
    await page.fill('#invite-name', 'grace');
    await page.click('#invite-join');
    await page.waitForSelector('#name-taken');
    const suggestion = (await page.getAttribute('#name-taken', 'data-suggestion'))!;
    expect(suggestion).toMatch(/^grace#\d{4}$/);
    expect(await page.locator('#name-taken').innerText()).toContain('“grace” is taken in this arena');
    await shot(page, 'invite-name-taken', '#invite', { colors: 8, ink: 0.005 });
    await page.click('#use-suggested-name');
    await page.waitForSelector('#designer');
    await waitFor(() => seats.names().includes(suggestion), 'the invitee to have a seat under the free name');
    expect(seats.names()).toHaveLength(2);
    expect((await stored(page)).name).toBe(suggestion);

    // A browser that kept its token (an account) but not its name joins from the link at once, under the account's name.
    const hank = await guestClient(t.url, 'Hank');
    const keptContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const kept = await keptContext.newPage();
    const keptErrors = watchErrors(kept);
    await kept.goto(base);
    await kept.evaluate((g) => (localStorage.setItem('arena.token', g.token), localStorage.setItem('arena.playerId', g.playerId)), { token: hank.token, playerId: hank.playerId });
    await kept.goto(`${base}/?room=${host.roomId}`);
    await kept.waitForSelector('#designer');
    await waitFor(() => seats.names().includes('Hank'), 'Hank to have a seat under his own name');
    expect(keptErrors).toEqual([]);
    await keptContext.close();

    // From the home page's buttons a taken name gets a free #tag at once, and the page says so.
    const homeContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const home = await homeContext.newPage();
    const homeErrors = watchErrors(home);
    await home.goto(base);
    await home.fill('#player-name', 'Grace');
    await home.click('#create-race');
    await home.waitForSelector('#designer');
    const told = await home.locator('#toasts .toast.info').first().innerText();
    expect(told).toMatch(/^“Grace” is taken in this arena, so you play as “Grace#\d{4}”/);
    expect((await stored(home)).name).toMatch(/^Grace#\d{4}$/);
    expect(homeErrors).toEqual([]);
    await homeContext.close();

    // A spectate link needs no name: the spectator watches at once, and no account is made.
    const watcherContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const watcher = await watcherContext.newPage();
    const watcherErrors = watchErrors(watcher);
    const spectatorsBefore = seats.spectators();
    await watcher.goto(`${base}/?room=${host.roomId}&spectate=1`);
    await watcher.waitForSelector('#spectating');
    await waitFor(() => seats.spectators() === spectatorsBefore + 1, 'the spectator to be counted');
    expect(await watcher.locator('#invite').count()).toBe(0);
    expect((await stored(watcher)).playerId).toBeNull();
    expect(seats.names()).toHaveLength(3);

    // The browser logs the refused name's 409 by itself; nothing else may go wrong.
    expect(errors.filter((e) => !/status of 409/.test(e))).toEqual([]);
    expect(errors.filter((e) => /status of 409/.test(e))).toHaveLength(1);
    expect(watcherErrors).toEqual([]);
    await Promise.all([seats.leave(), host.leave()]);
    await Promise.all([context.close(), watcherContext.close()]);
  }, 120_000);
});
