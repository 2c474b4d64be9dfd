import { Client, type Room } from '@colyseus/sdk';
import { describeError } from './describe-error.ts';

/**
 * An SDK client that remembers why its latest room connection failed before it opened. @colyseus/sdk turns the
 * WebSocket's error event into `MatchMakeError('')` (the event has no `code` or `reason`, which is what it
 * reads), so a join that fails there says nothing; this keeps the endpoint, the event's message and the close
 * code that follows, for `joinFailure` to put into words.
 */
export class BotClient extends Client {
  private connectFailure?: string;

  protected override createRoom<T>(roomName: string, rootSchema?: Parameters<Client['consumeSeatReservation']>[1]): Room<any, T> {
    const room = super.createRoom<T>(roomName, rootSchema as never);
    const connect = room.connect.bind(room);
    room.connect = (endpoint: string, ...rest: unknown[]) => {
      this.connectFailure = undefined;
      connect(endpoint, ...rest);
      const where = endpoint.split('?')[0]; // the query carries the guest token
      const events = room.connection.events;
      const { onopen, onerror, onclose } = events;
      let opened = false;
      events.onopen = (e: unknown) => {
        opened = true;
        onopen?.(e as Event);
      };
      events.onerror = (e: unknown) => {
        if (!opened) this.connectFailure = `the WebSocket to ${where} could not be opened: ${(e as { message?: string })?.message || 'no reason given'}`;
        onerror?.(e as Event);
      };
      events.onclose = (e: unknown) => {
        const { code, reason } = (e ?? {}) as { code?: number; reason?: string };
        if (!opened) {
          const closed = typeof code === 'number' ? ` (${describeError({ code, reason })})` : '';
          this.connectFailure = `${this.connectFailure ?? `the WebSocket to ${where} closed before the room was joined`}${closed}`;
        }
        onclose?.(e as CloseEvent);
      };
    };
    return room;
  }

  /** Words for a failed create or join: the SDK's error, or when that says nothing, what the connection said. */
  joinFailure(err: unknown): string {
    const said = err instanceof Error && err.message.trim() ? describeError(err) : undefined;
    return said ?? this.connectFailure ?? describeError(err);
  }
}

/** A client that joins rooms as a new guest account with this name, or with a free `#tag` on it when the name is taken (POST /api/guests). */
export async function botClient(server: string, name: string): Promise<BotClient> {
  const url = new URL('/api/guests', server);
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, ifTaken: 'tag' }) }).catch((err: unknown) => {
    throw new Error(`could not reach ${url.origin} for a guest account for ${name}`, { cause: err });
  });
  if (!res.ok) throw new Error(`the server refused a guest account for ${name}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  const client = new BotClient(server);
  client.auth.token = ((await res.json()) as { token: string }).token;
  return client;
}
