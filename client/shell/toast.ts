/** Toasts shown at once; older ones make room. */
const MAX_SHOWN = 3;

/** Shows a short message under the top bar, in the page's flow (it covers nothing); errors stay longer than notes. */
export function toast(message: string, kind: 'error' | 'info' = 'error'): void {
  const host = document.getElementById('toasts');
  if (!host) return;
  const el = document.createElement('div');
  el.className = `toast ${kind}`;
  el.textContent = message;
  host.append(el);
  while (host.children.length > MAX_SHOWN) host.firstElementChild?.remove(); // the oldest go first: the page moves down a little at most
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}
