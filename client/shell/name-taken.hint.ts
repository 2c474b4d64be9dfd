import type { NameTakenRefusal } from './arena-client.ts';
import { h } from './dom.ts';

/**
 * What the page says when someone else holds the chosen name: the name, a button that takes the free
 * `#tag`ged suggestion, and that any other name will do too.
 */
export function nameTakenHint(refusal: NameTakenRefusal, useSuggestion: (name: string) => void): HTMLElement {
  const use = h('button', { type: 'button', id: 'use-suggested-name', class: 'ghost' }, `Use “${refusal.suggestion}”`);
  use.addEventListener('click', () => useSuggestion(refusal.suggestion));
  return h('span', { id: 'name-taken', 'data-suggestion': refusal.suggestion }, `“${refusal.taken}” is taken in this arena (names are unique, whatever the letter case). `, use, ' or pick another name.');
}
