import type { GuestIdentity } from '../../shared/identity.schema.ts';
import { hasSavedAccount, NameTakenRefusal, savedName, signInAsGuest } from './arena-client.ts';
import { h } from './dom.ts';
import { nameTakenHint } from './name-taken.hint.ts';
import type { PasskeyInfo } from '../../shared/passkey.schema.ts';
import { myPasskeys, passkeysSupported, removePasskey, securePasskey, signInWithPasskey } from './passkeys.ts';

const when = (iso: string) => new Date(iso).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' });

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
 * Asks before a passkey is removed, in a modal dialog (focus starts on "Keep it"; Escape keeps it too).
 * The account's last passkey gets a warning of its own: without one the account signs in nowhere else.
 * Resolves true when the person confirmed.
 */
function confirmRemoval(host: HTMLElement, passkey: PasskeyInfo, last: boolean): Promise<boolean> {
  const keep = h('button', { type: 'button', id: 'passkey-remove-cancel', class: 'ghost', autofocus: true }, 'Keep it');
  const remove = h('button', { type: 'button', id: 'passkey-remove-confirm', class: 'danger' }, last ? 'Remove my last passkey' : 'Remove passkey');
  const dialog = h(
    'dialog',
    { id: 'passkey-remove-dialog', class: 'confirm', 'aria-labelledby': 'passkey-remove-title', 'aria-describedby': 'passkey-remove-what', 'data-last': String(last) },
    h('h3', { id: 'passkey-remove-title' }, `Remove “${passkey.name}”?`),
    h(
      'p',
      { id: 'passkey-remove-what' },
      last
        ? 'This is your account’s last passkey. Without it you cannot sign in on any other device: the account then lives only in the browsers that hold it now, and if they forget it, its name, XP and ratings are lost. You can add a passkey again later.'
        : 'You will no longer be able to sign in with it, on any device. Your other passkeys keep working.',
    ),
    h('div', { class: 'row' }, remove, keep),
  ) as HTMLDialogElement;
  host.append(dialog);
  return new Promise((resolve) => {
    let confirmed = false;
    remove.addEventListener('click', () => ((confirmed = true), dialog.close()));
    keep.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(confirmed);
    });
    dialog.showModal();
    keep.focus();
  });
}

/**
 * Where a player secures their guest account with a passkey and signs in with one made on another
 * device: a line saying how the account is kept, the account's passkeys (name, when made and last used,
 * each with a Remove button that asks first), and the two buttons. Without WebAuthn in the browser
 * it says so instead of offering them.
 */
export function accountPanel(opts: AccountPanelOptions): HTMLElement {
  const status = h('p', { id: 'account-status', class: 'muted' });
  const problem = h('p', { id: 'account-problem', class: 'error-text', role: 'alert' });
  const secureBtn = h('button', { id: 'passkey-secure', type: 'button' }, 'Secure with a passkey');
  const signInBtn = h('button', { id: 'passkey-sign-in', type: 'button', class: 'ghost' }, 'Sign in with a passkey');
  const list = h('ul', { id: 'passkey-list', class: 'passkey-list', 'aria-label': 'Your passkeys', hidden: true });
  const panel = h('div', { id: 'account', class: 'account' }, status, list, h('div', { class: 'row' }, secureBtn, signInBtn), problem);

  let refocus: string | undefined;
  const showPasskeys = (passkeys: PasskeyInfo[]) => {
    list.hidden = passkeys.length === 0 || opts.offerSecure === false; // an invite page only signs in
    list.replaceChildren(
      ...passkeys.map((p) => {
        const remove = h('button', { type: 'button', class: 'ghost passkey-remove', 'aria-label': `Remove passkey “${p.name}”` }, 'Remove');
        remove.addEventListener('click', () =>
          void busy(remove, async () => {
            refocus = p.id; // the list is drawn again after: focus goes back to this row, or to the list's next
            const last = passkeys.length === 1;
            if (!(await confirmRemoval(panel, p, last))) return;
            await removePasskey(p.id, last);
          }),
        );
        return h(
          'li',
          { 'data-passkey': p.id },
          h('div', {}, h('strong', { class: 'passkey-name' }, p.name), h('div', { class: 'muted passkey-dates' }, `added ${when(p.createdAt)} · ${p.lastUsedAt ? `last used ${when(p.lastUsedAt)}` : 'not used to sign in yet'}`)),
          remove,
        );
      }),
    );
    if (refocus === undefined) return;
    const again = list.querySelector<HTMLElement>(`li[data-passkey="${CSS.escape(refocus)}"] button`) ?? list.querySelector<HTMLElement>('li button') ?? (secureBtn.hidden ? signInBtn : secureBtn);
    refocus = undefined;
    again.focus();
  };

  const describe = async () => {
    if (!hasSavedAccount()) {
      status.textContent = 'No account in this browser yet: it is made when you first play. Made a passkey on another device? Sign in with it.';
      panel.dataset.secured = 'false';
      showPasskeys([]);
      return;
    }
    const { passkeys } = await myPasskeys().catch((): { passkeys: PasskeyInfo[] } => ({ passkeys: [] }));
    showPasskeys(passkeys);
    const name = savedName();
    panel.dataset.secured = String(passkeys.length > 0);
    status.textContent =
      passkeys.length > 0
        ? `“${name}” is secured with ${passkeys.length === 1 ? 'a passkey: sign in with it' : `${passkeys.length} passkeys: sign in with any of them`} on any device.`
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
