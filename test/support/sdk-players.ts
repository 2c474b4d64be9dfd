/**
 * SDK players for the browser journeys: rooms that answer every message the arena sends and fail loudly on a
 * refusal, and bots that fill a tournament beside the page's player.
 */
import type { Room } from '@colyseus/sdk';
import type { ModelSpec } from '../../shared/model-spec.schema.ts';
import type { TournamentState } from '../../shared/tournament.state.ts';
import { guestClient, waitFor } from './arena.ts';

/** An SDK room that takes every message the room sends (so none goes unheard), and throws on a refusal. */
export function quiet<T extends Room<any, any>>(room: T): T {
  room.onMessage('*', () => {});
  room.onMessage('error', (err: unknown) => {
    throw new Error(`the room refused an SDK player: ${JSON.stringify(err)}`);
  });
  return room;
}

/**
 * Seats a guest bot per name in tournament `roomId`, each entering the spec `specOf` gives it, and waits until
 * the room holds `seats` entered players (the page's own included). The bots are not ready yet.
 */
export async function seatTournamentBots(url: string, roomId: string, names: readonly string[], specOf: (i: number) => ModelSpec, seats: number): Promise<Room<any, TournamentState>[]> {
  const bots: Room<any, TournamentState>[] = [];
  for (const [i, name] of names.entries()) {
    const bot = quiet(await (await guestClient(url, name)).client.joinById<TournamentState>(roomId, {}));
    bot.send('spec', { spec: specOf(i) });
    bots.push(bot);
  }
  await waitFor(() => bots.every((b) => [...(b.state.players?.values() ?? [])].filter((p) => p.summary).length === seats), 'every spec to be accepted');
  return bots;
}
