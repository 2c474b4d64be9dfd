import { Client } from '@colyseus/sdk';
import type { GuestIdentity } from '../shared/identity.schema.ts';

let client: Client | undefined;

/** The one SDK client of this page, talking to the server that served it. */
export function arenaClient(): Client {
  client ??= new Client(window.location.origin);
  return client;
}

const NAME_KEY = 'arena.name';
/** The player's name, remembered between visits. */
export function savedName(): string {
  return localStorage.getItem(NAME_KEY) ?? `player-${Math.floor(Math.random() * 900 + 100)}`;
}
export function saveName(name: string): void {
  localStorage.setItem(NAME_KEY, name);
}

const PLAYER_KEY = 'arena.playerId';
const TOKEN_KEY = 'arena.token';
const TOKEN_NAME_KEY = 'arena.tokenName';

/** The player id of this browser's guest account, if it has one. */
export function savedPlayerId(): string | undefined {
  return localStorage.getItem(PLAYER_KEY) ?? undefined;
}

/**
 * Makes sure this browser has a guest account under `name`: the first time it
 * asks the server for one; after a change of name it renames the account (the
 * progress stays). The SDK client then joins rooms with the signed token.
 */
export async function signInAsGuest(name: string): Promise<GuestIdentity> {
  const token = localStorage.getItem(TOKEN_KEY);
  const playerId = savedPlayerId();
  if (token && playerId && localStorage.getItem(TOKEN_NAME_KEY) === name) {
    arenaClient().auth.token = token;
    return { token, playerId, name };
  }
  let res: Response;
  try {
    res = await fetch('/api/guests', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ name }),
    });
  } catch {
    throw new Error('the arena cannot be reached: check your connection');
  }
  const body = (await res.json().catch(() => ({}))) as Partial<GuestIdentity> & { error?: { message?: string } };
  if (res.status === 401 && token) {
    // The server's secret changed: start over as a new guest.
    localStorage.removeItem(TOKEN_KEY);
    return signInAsGuest(name);
  }
  if (!res.ok || !body.token || !body.playerId) throw new Error(body.error?.message ?? `the server refused a guest account (${res.status})`);
  localStorage.setItem(TOKEN_KEY, body.token);
  localStorage.setItem(TOKEN_NAME_KEY, name);
  localStorage.setItem(PLAYER_KEY, body.playerId);
  arenaClient().auth.token = body.token;
  return { token: body.token, playerId: body.playerId, name };
}
