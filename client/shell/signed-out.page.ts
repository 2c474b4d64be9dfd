import type { GuestSignInRefused } from './arena-client.ts';
import { h } from './dom.ts';

/** Why this browser's guest account cannot be reached any more, in words. */
function why(code: string): string {
  if (code === 'TOKEN_EXPIRED') return 'This browser has not signed in for too long, and its guest sign-in has expired.';
  if (code === 'BAD_SIGNATURE') return 'The arena no longer recognises the guest sign-in this browser kept: its server key has been changed since you last played.';
  return 'The guest sign-in this browser kept is damaged.';
}

/**
 * The page shown when the server refuses this browser's saved guest token and
 * it cannot be refreshed: what happened, that the old account's progress stays
 * on the server, a button to sign back in to it with a passkey made earlier,
 * and one to carry on as a new guest with the same name (or a free `#tag` of
 * it, while the old account holds the name). `carryOn` and `withPasskey` do
 * that and enter the room the player was heading for; a failure is shown
 * under the buttons.
 */
export function mountSignedOut(
  app: HTMLElement,
  refusal: GuestSignInRefused,
  name: string,
  actions: { carryOn: () => Promise<void>; withPasskey: () => Promise<void>; back: () => void },
): { dispose(): void } {
  const carryOnBtn = h('button', { id: 'continue-as-new-guest', type: 'button' }, `Continue as a new guest named “${name}”`);
  const passkeyBtn = h('button', { id: 'signed-out-passkey', type: 'button', class: 'ghost' }, 'Sign in with a passkey');
  const backBtn = h('button', { id: 'signed-out-back', type: 'button', class: 'ghost' }, 'Back to the home page');
  const problem = h('p', { class: 'error-text', role: 'alert', id: 'signed-out-problem' });
  const attempt = (btn: HTMLButtonElement, work: () => Promise<void>) => () => {
    btn.disabled = true;
    problem.textContent = '';
    work().catch((err: unknown) => {
      problem.textContent = err instanceof Error ? err.message : String(err);
      btn.disabled = false;
    });
  };
  carryOnBtn.addEventListener('click', attempt(carryOnBtn, actions.carryOn));
  passkeyBtn.addEventListener('click', attempt(passkeyBtn, actions.withPasskey));
  backBtn.addEventListener('click', actions.back);
  const panel = h(
    'section',
    { class: 'panel', id: 'signed-out', 'data-code': refusal.code },
    h('h2', {}, 'You are signed out'),
    h('p', { id: 'signed-out-why' }, why(refusal.code)),
    h('p', {}, 'Your old guest account and its progress stay on the server, but this browser can no longer prove it is yours. If you secured it with a passkey, sign in with that to get it back. Otherwise you can carry on as a new guest with the same name (with a #tag while the old account holds it); the new account starts from zero.'),
    h('p', { class: 'muted', id: 'signed-out-detail' }, `The server said: ${refusal.message}`),
    h('p', { class: 'row' }, passkeyBtn, ' ', carryOnBtn, ' ', backBtn),
    problem,
  );
  app.replaceChildren(panel);
  return { dispose: () => panel.remove() };
}
