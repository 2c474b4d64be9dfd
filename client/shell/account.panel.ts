import type { GuestIdentity } from '../../shared/identity.schema.ts';
import { hasSavedAccount, NameTakenRefusal, savedName, signInAsGuest } from './arena-client.ts';
import { h } from './dom.ts';
import { nameTakenHint } from './name-taken.hint.ts';
import { myPasskeys, passkeysSupported, securePasskey, signInWithPasskey } from './passkeys.ts';

/** What the account panel needs from the page it sits on. */
export interface AccountPanelOptions {
  /** The name in the page's name field (a passkey secures the account under it, made first if need be). */
  name: () => string;
  /** Puts a name into the page's name field (after a passkey sign-in, or a suggested free name). */
  setName: (name: string) => void;
  /** Called after signing in with a passkey: this browser now holds that account. */
  signedIn?: (identity: GuestIdentity) => void;
  /** Whether to offer securing the account (default true; an invite page only offers signing in). */
  offerSecure?: boolean;
}

/**
 * Where a player secures their guest account with a passkey and signs in with one made on another
 * device: a line saying how the account is kept, and the two buttons. Without WebAuthn in the browser
 * it says so instead of offering them.
 */
export function accountPanel(opts: AccountPanelOptions): HTMLElement {
  const status = h('p', { id: 'account-status', class: 'muted' });
  const problem = h('p', { id: 'account-problem', class: 'error-text', role: 'alert' });
  const secureBtn = h('button', { id: 'passkey-secure', type: 'button' }, 'Secure with a passkey');
  const signInBtn = h('button', { id: 'passkey-sign-in', type: 'button', class: 'ghost' }, 'Sign in with a passkey');
  const panel = h('div', { id: 'account', class: 'account' }, status, h('div', { class: 'row' }, secureBtn, signInBtn), problem);

  const describe = async () => {
    if (!hasSavedAccount()) {
      status.textContent = 'No account in this browser yet: it is made when you first play. Made a passkey on another device? Sign in with it.';
      panel.dataset.secured = 'false';
      return;
    }
    const { passkeys } = await myPasskeys().catch(() => ({ passkeys: [] }));
    const name = savedName();
    panel.dataset.secured = String(passkeys.length > 0);
    status.textContent =
      passkeys.length > 0
        ? `“${name}” is secured with ${passkeys.length === 1 ? 'a passkey' : `${passkeys.length} passkeys`}: sign in with it on any device.`
        : `“${name}” is a guest account kept in this browser only. Secure it with a passkey to keep it, and to sign in on your other devices.`;
    secureBtn.textContent = passkeys.length > 0 ? 'Add another passkey' : 'Secure with a passkey';
  };

  const busy = async (btn: HTMLButtonElement, work: () => Promise<void>) => {
    btn.disabled = true;
    problem.textContent = '';
    try {
      await work();
    } catch (err) {
      if (err instanceof NameTakenRefusal) problem.replaceChildren(nameTakenHint(err, (free) => (opts.setName(free), secureBtn.click())));
      else problem.textContent = err instanceof Error ? err.message : String(err);
    } finally {
      btn.disabled = false;
      await describe();
    }
  };
  secureBtn.addEventListener('click', () =>
    void busy(secureBtn, async () => {
      const name = opts.name().trim();
      if (!name) throw new Error('Pick a name first: the passkey secures the account under it.');
      await signInAsGuest(name); // made now if this browser has none; renamed if the field changed
      await securePasskey();
    }),
  );
  signInBtn.addEventListener('click', () =>
    void busy(signInBtn, async () => {
      const identity = await signInWithPasskey();
      opts.setName(identity.name);
      opts.signedIn?.(identity);
    }),
  );

  if (opts.offerSecure === false) secureBtn.hidden = true;
  if (!passkeysSupported()) {
    secureBtn.hidden = true;
    signInBtn.hidden = true;
    status.textContent = 'This browser cannot use passkeys: your guest account is kept in this browser only.';
  } else void describe();
  return panel;
}
