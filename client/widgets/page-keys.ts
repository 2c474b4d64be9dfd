/**
 * Whether a keydown is the page's to handle as a shortcut: not while the player types in a field, not
 * with a modifier held (the browser's and the system's shortcuts), and not Enter or space on a focused
 * control (a button, link, checkbox or summary), where the key already activates that control: Enter on
 * a table's sort button must sort, not also start a run.
 */
const TYPING = new Set(['INPUT', 'SELECT', 'TEXTAREA']);
const ACTIVATES = 'button, a[href], summary, [role="button"], [role="tab"], [role="option"]';

export function isPageShortcut(e: KeyboardEvent): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey) return false;
  const target = e.target instanceof Element ? e.target : null;
  if (!target) return true;
  if (TYPING.has(target.tagName) || (target as HTMLElement).isContentEditable) return false;
  if ((e.key === 'Enter' || e.key === ' ') && target.closest(ACTIVATES)) return false;
  return true;
}
