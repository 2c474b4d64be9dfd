import { MatchMakeError, ServerError, type Client, type Room, type SeatReservation } from '@colyseus/sdk';

/** The SDK's matchmaking errors as `joinById` throws them: a MatchMakeError with the server's code and words. */
function asMatchMakeError(err: unknown): unknown {
  return err instanceof ServerError ? new MatchMakeError(err.message, err.code) : err;
}

/**
 * Joins a room by id as `client.joinById` does, in its two steps with `between` run in the middle: the seat is
 * reserved over HTTP (the answer names the room's kind), `between(kind)` loads what the page for that kind needs,
 * and only then is the seat taken over the WebSocket, after which the room sends its first messages. A link that
 * does not say which kind of room it opens thus loads one page's code, not every room's, and loads it while
 * nothing waits on the server. Errors are `joinById`'s (MatchMakeError with the server's code and message); a seat
 * not taken in time is asked for again once, with `joinById` itself.
 */
export async function joinByIdAfter<State>(client: Client, roomId: string, options: Record<string, unknown>, between: (kind: string) => Promise<void>): Promise<Room<any, State>> {
  let reservation: SeatReservation;
  try {
    const answer = await client.http.post(`/matchmake/joinById/${encodeURIComponent(roomId)}`, {
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: options,
    });
    reservation = answer.data as SeatReservation;
  } catch (err) {
    throw asMatchMakeError(err);
  }
  await between(reservation.name);
  try {
    return await client.consumeSeatReservation<State>(reservation);
  } catch {
    // The seat was not taken (it is held for seconds only: a page that loaded slowly, or a room that went meanwhile):
    // the page is loaded now, so one plain join, which reserves and takes a seat at once, says what the room says.
    return client.joinById<State>(roomId, options);
  }
}
