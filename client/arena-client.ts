import { Client } from '@colyseus/sdk';

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
/** The player id the server gave this browser, sent back on every join so progress stays with it. */
export function savedPlayerId(): string | undefined {
  return localStorage.getItem(PLAYER_KEY) ?? undefined;
}
export function savePlayerId(id: string): void {
  localStorage.setItem(PLAYER_KEY, id);
}
