import type { RoomNoticeMessage } from '../../shared/protocol.ts';
import type { StoreHooks } from './result-outbox.ts';

/**
 * What players are told while a result waits for the database: a `notice` "saving…" when it starts to wait,
 * and one when it is stored. `what` names the result (`the race result`).
 */
export function savingNotices(broadcast: (message: RoomNoticeMessage) => void, what: string): { hooks: StoreHooks; stored(): void } {
  let waited = false;
  return {
    hooks: {
      onPending: (reason) => {
        waited = true;
        broadcast({ message: `saving ${what}… (${reason}; it is stored as soon as the database is back)` });
      },
    },
    stored: () => {
      if (waited) broadcast({ message: `${what} is stored` });
    },
  };
}
