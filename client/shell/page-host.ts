import { PageScope } from './page-scope.ts';

/**
 * The one page on screen. `next()` disposes the page shown so far (its
 * widgets, handlers, timers and room) and hands out the scope of the next;
 * `current(scope)` tells a mount that was still awaiting whether it has been
 * navigated away from meanwhile.
 */
export class PageHost {
  private shown?: PageScope;

  next(): PageScope {
    this.shown?.dispose();
    this.shown = new PageScope();
    return this.shown;
  }

  current(scope: PageScope): boolean {
    return this.shown === scope;
  }
}

/**
 * The same-document navigation a click on `event`'s link asks for, or
 * undefined when the browser should follow it itself (another page or site,
 * a new tab or window, a download, a modifier key).
 */
export function inAppLink(event: MouseEvent): URL | undefined {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return undefined;
  const link = (event.target as Element | null)?.closest?.('a[href]');
  if (!(link instanceof HTMLAnchorElement) || link.hasAttribute('download') || (link.target && link.target !== '_self')) return undefined;
  const url = new URL(link.href);
  return url.origin === location.origin && url.pathname === location.pathname ? url : undefined;
}
