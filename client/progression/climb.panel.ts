import type { ClimbGuide } from '../../shared/api.schema.ts';
import { h } from '../shell/dom.ts';

/** "How to climb": what pays XP, what each achievement is worth, and what the rating means, as the server's rules say. */
export function climbPanel(guide: ClimbGuide): HTMLElement {
  return h(
    'section',
    { class: 'panel', id: 'climb' },
    h('h2', {}, 'How to climb'),
    h('h3', {}, 'XP'),
    h('ul', { id: 'climb-xp' }, ...guide.xp.map((x) => h('li', {}, h('strong', {}, x.what), `: ${x.pays}`))),
    h('h3', {}, 'Achievement points'),
    h(
      'div',
      { class: 'table-scroll' },
      h('table', { id: 'climb-points' }, h('thead', {}, h('tr', {}, h('th', {}, 'Achievement'), h('th', {}, 'How'), h('th', { class: 'num' }, 'Points by tier'))), h('tbody', {}, ...guide.points.map((p) => h('tr', {}, h('td', {}, p.name), h('td', { class: 'muted' }, p.description), h('td', { class: 'num' }, p.points.join(' / ')))))),
    ),
    h('h3', {}, 'Rating'),
    h('p', { id: 'climb-rating' }, guide.rating.explained, ' ', h('a', { href: guide.rating.link, target: '_blank', rel: 'noopener' }, 'About OpenSkill')),
  );
}
