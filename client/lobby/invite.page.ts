import { NameTakenRefusal, saveName, savedName } from '../shell/arena-client.ts';
import { accountPanel } from '../shell/account.panel.ts';
import { h } from '../shell/dom.ts';
import { nameTakenHint } from '../shell/name-taken.hint.ts';
import type { HomeAction } from './home.page.ts';

/**
 * The page an invite link (`?room=ID`) or a spectate link (`?room=ID&spectate`) opens in a browser that
 * has no account yet: it asks for the name the other players will see before taking a seat (a spectator
 * may leave it empty and watch anonymously), or signs in with a passkey made on another device.
 * `act` joins; a taken name is answered with a free `#tag`ged suggestion.
 */
export function mountInvite(app: HTMLElement, invite: { roomId: string; spectate: boolean }, act: (a: HomeAction) => Promise<void>): { dispose(): void } {
  const name = h('input', { id: 'invite-name', value: savedName(), maxlength: '32', autocomplete: 'nickname', placeholder: invite.spectate ? 'optional' : 'the name others see', required: !invite.spectate });
  const go = h('button', { id: 'invite-join', type: 'button' }, invite.spectate ? 'Watch' : 'Join the room');
  const problem = h('p', { id: 'invite-problem', class: 'error-text', role: 'alert' });

  const join = async (chosen: string): Promise<void> => {
    const n = chosen.trim();
    if (!n && !invite.spectate) {
      problem.textContent = 'Pick a name first: it shows on the standings and the leaderboard.';
      name.focus();
      return;
    }
    if (n) saveName(n);
    go.disabled = true;
    problem.textContent = '';
    try {
      await act({ kind: 'join', name: n, roomId: invite.roomId, spectate: invite.spectate });
    } catch (err) {
      go.disabled = false;
      if (err instanceof NameTakenRefusal) {
        problem.replaceChildren(
          nameTakenHint(err, (free) => {
            name.value = free;
            void join(free);
          }),
        );
      } else problem.textContent = err instanceof Error ? err.message : String(err);
    }
  };
  go.addEventListener('click', () => void join(name.value));
  name.addEventListener('keydown', (e) => e.key === 'Enter' && void join(name.value));

  const panel = h(
    'section',
    { class: 'panel', id: 'invite', 'data-room': invite.roomId },
    h('h2', {}, invite.spectate ? 'Watch a room' : 'You are invited to a room'),
    h('p', {}, invite.spectate ? 'Spectators may stay anonymous: leave the name empty, or give one to show in the room.' : 'Choose the name the other players will see. It is yours in this arena: it shows on the standings and the leaderboard.'),
    h('label', { for: 'invite-name' }, invite.spectate ? 'Name (optional)' : 'Your name'),
    name,
    h('p', { class: 'row' }, go),
    problem,
    h('h3', {}, 'Played here before?'),
    accountPanel({ name: () => name.value, setName: (n) => (name.value = n), signedIn: (identity) => void join(identity.name), offerSecure: false }),
  );
  app.replaceChildren(panel);
  name.focus();
  return { dispose: () => panel.remove() };
}
