/** Shows a short message in the corner; errors stay longer than notes. */
export function toast(message: string, kind: 'error' | 'info' = 'error'): void {
  const host = document.getElementById('toasts');
  if (!host) return;
  const el = document.createElement('div');
  el.className = `toast ${kind}`;
  el.textContent = message;
  host.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}
