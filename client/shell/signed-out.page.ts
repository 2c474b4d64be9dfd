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
 * on the server, and a button to carry on as a new guest with the same name.
 * `carryOn` does that and enters the room the player was heading for; a
 * failure of it is shown under the buttons.
 */
export function mountSignedOut(app: HTMLElement, refusal: GuestSignInRefused, name: string, carryOn: () => Promise<void>, back: () => void): { dispose(): void } {
  const carryOnBtn = h('button', { id: 'continue-as-new-guest', type: 'button' }, `Continue as a new guest named “${name}”`);
  const backBtn = h('button', { id: 'signed-out-back', type: 'button', class: 'ghost' }, 'Back to the home page');
  const problem = h('p', { class: 'error-text', role: 'alert', id: 'signed-out-problem' });
  carryOnBtn.addEventListener('click', () => {
    carryOnBtn.disabled = true;
    problem.textContent = '';
    carryOn().catch((err: unknown) => {
      problem.textContent = err instanceof Error ? err.message : String(err);
      carryOnBtn.disabled = false;
    });
  });
  backBtn.addEventListener('click', back);
  const panel = h(
    'section',
    { class: 'panel', id: 'signed-out', 'data-code': refusal.code },
    h('h2', {}, 'You are signed out'),
    h('p', { id: 'signed-out-why' }, why(refusal.code)),
    h('p', {}, 'Your old guest account and its progress stay on the server, but this browser can no longer prove it is yours. You can carry on as a new guest with the same name; the new account starts from zero.'),
    h('p', { class: 'muted', id: 'signed-out-detail' }, `The server said: ${refusal.message}`),
    h('p', { class: 'row' }, carryOnBtn, ' ', backBtn),
    problem,
  );
  app.replaceChildren(panel);
  return { dispose: () => panel.remove() };
}
