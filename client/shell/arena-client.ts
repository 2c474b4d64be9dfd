import { Client } from '@colyseus/sdk';
import { NameTaken, type GuestIdentity } from '../../shared/identity.schema.ts';

let client: Client | undefined;

/** The one SDK client of this page, talking to the server that served it. */
export function arenaClient(): Client {
  client ??= new Client(window.location.origin);
  return client;
}

const NAME_KEY = 'arena.name';
/** The player's name, remembered between visits; empty until they choose one (the page asks, it never makes one up). */
export function savedName(): string {
  return localStorage.getItem(NAME_KEY) ?? '';
}
export function saveName(name: string): void {
  localStorage.setItem(NAME_KEY, name);
}

const PLAYER_KEY = 'arena.playerId';
const TOKEN_KEY = 'arena.token';
/** Written by earlier versions of the page; the account's name now comes from the server. */
const OLD_TOKEN_NAME_KEY = 'arena.tokenName';
/** How often an open page checks its token again (and gets a fresh one when it is past half its life). */
const RECHECK_MS = 60 * 60 * 1000;

/** Whether this browser keeps a guest account (a token) it signs in with. */
export function hasSavedAccount(): boolean {
  return localStorage.getItem(TOKEN_KEY) !== null;
}

/** The saved guest token, for the API calls that need it (passkeys). */
export function savedToken(): string | undefined {
  return localStorage.getItem(TOKEN_KEY) ?? undefined;
}

/** The player id of this browser's guest account, if it has one. */
export function savedPlayerId(): string | undefined {
  return localStorage.getItem(PLAYER_KEY) ?? undefined;
}

/**
 * The server refused this browser's saved guest token (expired, or signed with
 * a secret the arena no longer knows): the account cannot be reached from here
 * any more. `code` is the API's (`TOKEN_EXPIRED`, `BAD_SIGNATURE`, `BAD_TOKEN`).
 */
export class GuestSignInRefused extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Someone else in this arena holds the name (any letter case): `suggestion` is a free `#tag`ged one. */
export class NameTakenRefusal extends Error {
  readonly taken: string;
  readonly suggestion: string;
  constructor(taken: string, suggestion: string, message: string) {
    super(message);
    this.taken = taken;
    this.suggestion = suggestion;
  }
}

type GuestAnswer = { status: number; identity?: GuestIdentity; error?: { code?: string; message?: string }; body?: unknown };

async function postGuests(path: string, token: string | null, body?: unknown): Promise<GuestAnswer> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new Error('the arena cannot be reached: check your connection');
  }
  const json = (await res.json().catch(() => ({}))) as Partial<GuestIdentity> & { error?: { code?: string; message?: string } };
  if (res.ok && json.token && json.playerId && json.name && json.expiresAt) return { status: res.status, identity: json as GuestIdentity };
  return { status: res.status, error: json.error ?? { message: `the server refused a guest account (${res.status})` }, body: json };
}

/** The identity an answer carries; a 401 about the saved token becomes `GuestSignInRefused`. */
function identityOf(answer: GuestAnswer): GuestIdentity {
  if (answer.identity) return answer.identity;
  const taken = NameTaken.safeParse(answer.body);
  if (answer.status === 409 && taken.success) throw new NameTakenRefusal(taken.data.error.name, taken.data.error.suggestion, taken.data.error.message);
  const message = answer.error?.message ?? `the server refused a guest account (${answer.status})`;
  if (answer.status === 401) throw new GuestSignInRefused(answer.error?.code ?? 'BAD_TOKEN', message);
  throw new Error(message);
}

let checked: { identity: GuestIdentity; at: number } | undefined;

/**
 * Keeps an identity the server gave (a guest sign-up, a refresh, a passkey sign-in): in localStorage for
 * the next visit, with the account's name, and in the SDK for joins.
 */
export function keepIdentity(identity: GuestIdentity): GuestIdentity {
  localStorage.setItem(TOKEN_KEY, identity.token);
  localStorage.setItem(PLAYER_KEY, identity.playerId);
  localStorage.setItem(NAME_KEY, identity.name);
  localStorage.removeItem(OLD_TOKEN_NAME_KEY);
  arenaClient().auth.token = identity.token;
  checked = { identity, at: Date.now() };
  return identity;
}

/**
 * Makes sure this browser has a guest account under `name`: the first time it
 * asks the server for one; later it shows the saved token to the server
 * (`POST /api/guests/refresh`, at most once an hour), which answers the
 * account's current name and a fresh token when the old one is past half its
 * life or signed with the previous secret; after a change of name it renames
 * the account (the progress stays). The SDK client then joins rooms with the
 * signed token. Throws `GuestSignInRefused` when the saved token is refused
 * (expired, or from a secret the arena no longer knows): `startOverAsGuest`
 * then makes a new account. Names are unique per arena: a name someone else
 * holds throws `NameTakenRefusal` with a free suggestion (`ifTaken: 'refuse'`,
 * the default), or is given a free `#tag` at once (`'tag'`).
 */
export async function signInAsGuest(name: string, opts: { recheck?: boolean; ifTaken?: 'refuse' | 'tag' } = {}): Promise<GuestIdentity> {
  const token = localStorage.getItem(TOKEN_KEY);
  const ifTaken = opts.ifTaken ?? 'refuse';
  if (!token) return keepIdentity(identityOf(await postGuests('/api/guests', null, { name, ifTaken })));
  const fresh = !opts.recheck && checked?.identity.token === token && Date.now() - checked.at < RECHECK_MS;
  let identity = fresh ? checked!.identity : identityOf(await postGuests('/api/guests/refresh', token));
  // No name given (a link opened by a browser that kept its token but not its name): the account's own stands.
  if (name && identity.name !== name) identity = identityOf(await postGuests('/api/guests', identity.token, { name, ifTaken }));
  return keepIdentity(identity);
}

/**
 * Forgets the refused token and makes a new guest account under `name`, or under a free `#tag` of it
 * while the old account still holds the name (the old account's progress stays with it).
 */
export async function startOverAsGuest(name: string): Promise<GuestIdentity> {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(PLAYER_KEY);
  checked = undefined;
  return signInAsGuest(name, { ifTaken: 'tag' });
}

/** Whether an error from joining a room is its `onAuth` refusing the guest token (a 401 from the server). */
export function isTokenRefusal(err: unknown): boolean {
  return (err as { code?: unknown }).code === 401 && /guest token was refused/.test(String((err as Error).message));
}
