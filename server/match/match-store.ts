import type { Unlock } from '../progression/progression.service.ts';
import type { RoomNoticeMessage } from '../../shared/protocol.ts';
import type { StoreHooks } from '../outbox/result-outbox.ts';
import { savingNotices } from '../outbox/saving-notice.ts';
import { moduleLogger } from '../logger.ts';
import type { MatchLifecycle } from './lifecycle.ts';

/** Names an achievement tier a match unlocked with the player's name, as rooms announce them. */
export function announceUnlocks(unlocks: readonly Unlock[], names: ReadonlyMap<string | null, string>): Array<{ playerId: string; player: string; achievement: string; tier: number }> {
  return unlocks.map((u) => ({ playerId: u.playerId, player: names.get(u.playerId) ?? '', achievement: u.name, tier: u.tier }));
}

/** What `storeMatch` does around storing, beyond the lifecycle. */
export interface StoreMatchOptions {
  /** The room's notice broadcast: "saving `what`…" while the result waits for the database, then that it is stored. */
  tell?: (notice: RoomNoticeMessage) => void;
  /** Names the result in those notices (default `the result`). */
  what?: string;
  /** Called once the match is stored: lets the trainer drop what it kept to re-attach the match's runs (`Trainer.forget`). */
  forget?: () => Promise<unknown>;
}

/**
 * Stores a settled match with `store` (which returns the achievements it unlocked): the lifecycle then
 * moves to stored under `matchId`, or, when the database refused it, to aborted with the reason, and
 * `refused` hears the error (to log it and tell the room). Unlocks are none when it was not stored.
 * While the database is unreachable the match stays settling and its result waits in the outbox.
 */
export async function storeMatch(match: MatchLifecycle, matchId: string, store: (hooks: StoreHooks) => Promise<Unlock[]>, refused: (err: unknown) => void, options: StoreMatchOptions = {}): Promise<Unlock[]> {
  const notices = options.tell ? savingNotices(options.tell, options.what ?? 'the result') : undefined;
  try {
    const unlocks = await store(notices?.hooks ?? {});
    notices?.stored();
    match.record({ type: 'stored', matchId });
    void options.forget?.().catch((err: unknown) => moduleLogger('match').warn({ matchId, err }, 'the trainer could not drop the runs of a stored match; they expire by themselves'));
    return unlocks;
  } catch (err) {
    refused(err);
    if (!match.ended) match.transition('aborted', 'the result could not be stored');
    return [];
  }
}

/**
 * Stores something that is not a match of its own (a tournament's opening or final ranking) with `work`;
 * if it fails, `refused` hears why (to log it and tell the room) and the answer is undefined. `saving`
 * tells players while it waits in the outbox, as for `storeMatch`.
 */
export async function attempt<T>(work: (hooks: StoreHooks) => Promise<T>, refused: (err: unknown) => void, saving?: { tell: (notice: RoomNoticeMessage) => void; what: string }): Promise<T | undefined> {
  const notices = saving ? savingNotices(saving.tell, saving.what) : undefined;
  try {
    const done = await work(notices?.hooks ?? {});
    notices?.stored();
    return done;
  } catch (err) {
    refused(err);
    return undefined;
  }
}
