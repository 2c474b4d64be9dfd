import { shownRating } from '../../shared/rating-scale.ts';
import type { PlayerProfile } from '../../shared/api.schema.ts';
import { api } from '../shell/api.ts';
import { pathStates } from '../../shared/lesson.schema.ts';
import { h } from '../shell/dom.ts';
import { PageScope } from '../shell/page-scope.ts';

const SVG = 'http://www.w3.org/2000/svg';

/** A small line chart of a player's overall rating after each match (SVG: crisp at any size, readable by screen readers). */
function ratingChart(history: PlayerProfile['ratingHistory']): Element {
  const points = history.filter((p) => p.scope === 'overall');
  if (points.length === 0) return h('p', { class: 'muted' }, 'No rated matches yet.');
  const w = 480;
  const hgt = 140;
  const pad = 24;
  const values = points.map((p) => shownRating(p.display));
  const lo = Math.min(...values, 0);
  const hi = Math.max(...values, 1);
  const x = (i: number) => pad + (points.length === 1 ? (w - 2 * pad) / 2 : (i * (w - 2 * pad)) / (points.length - 1));
  const y = (v: number) => hgt - pad - ((v - lo) / (hi - lo || 1)) * (hgt - 2 * pad);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
  svg.setAttribute('class', 'rating-chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `Rating after each match: ${values.map((v) => v.toFixed(1)).join(', ')}`);
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', points.map((p, i) => `${x(i)},${y(shownRating(p.display))}`).join(' '));
  line.setAttribute('class', 'rating-line');
  svg.append(line);
  points.forEach((p, i) => {
    const dot = document.createElementNS(SVG, 'circle');
    dot.setAttribute('cx', String(x(i)));
    dot.setAttribute('cy', String(y(shownRating(p.display))));
    dot.setAttribute('r', '3.5');
    dot.setAttribute('class', 'rating-dot');
    svg.append(dot);
  });
  for (const v of [lo, hi]) {
    const t = document.createElementNS(SVG, 'text');
    t.setAttribute('x', '2');
    t.setAttribute('y', String(y(v) + 4));
    t.setAttribute('class', 'rating-label');
    t.textContent = v.toFixed(0);
    svg.append(t);
  }
  return svg;
}

/** The learning path as far as the player got: lessons done (with the held-out score that passed them), open and locked. */
function learningPath(lessons: PlayerProfile['lessons']): Element {
  const passes = new Map(lessons.map((l) => [l.lessonId, l]));
  const states = pathStates(new Set(passes.keys()));
  const done = states.filter((s) => s.state === 'done').length;
  return h(
    'section',
    { class: 'panel', id: 'profile-path' },
    h('h2', {}, 'Learning path'),
    h('p', { class: 'muted', id: 'profile-path-progress' }, `${done} of ${states.length} lessons done · `, h('a', { href: '/#/learn' }, done === states.length ? 'play them again' : 'carry on')),
    h('div', { class: 'track', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': String(states.length), 'aria-valuenow': String(done), 'aria-label': 'lessons done' }, h('div', { style: `width:${(100 * done) / states.length}%` })),
    h(
      'ol',
      { class: 'lesson-path' },
      ...states.map(({ lesson, state }, i) => {
        const pass = passes.get(lesson.id);
        return h('li', { class: `lesson ${state}`, 'data-lesson': lesson.id, 'data-state': state }, h('div', { class: 'lesson-head' }, h('span', { class: 'lesson-step' }, String(i + 1)), h('strong', {}, lesson.title), h('span', { class: `badge lesson-badge ${state}` }, state)), h('span', { class: 'muted' }, pass ? `${(pass.heldOutAccuracy * 100).toFixed(1)}% held out · ${lesson.xp} XP · ${pass.passedAt.slice(0, 10)}` : `${lesson.xp} XP`));
      }),
    ),
  );
}

/** A player's profile: level and XP bar, achievements with progress and rarity, rating history, recent matches. */
export async function mountProfile(app: HTMLElement, id: string, page = new PageScope()): Promise<PageScope> {
  app.replaceChildren(h('p', { class: 'muted' }, 'Loading the profile…'));
  let p: PlayerProfile;
  try {
    p = await api.player(id);
  } catch (err) {
    if (!page.disposed) app.replaceChildren(h('section', { class: 'panel' }, h('h2', {}, 'Profile'), h('p', { class: 'error-text', role: 'alert' }, err instanceof Error ? err.message : String(err))));
    return page;
  }
  if (page.disposed) return page;
  const span = Math.max(1, p.nextLevelAt - p.levelStart);
  const into = p.xp - p.levelStart;
  const overall = p.ratings.find((r) => r.scope === 'overall');
  app.replaceChildren(
    h(
      'section',
      { class: 'panel', id: 'profile' },
      h('h2', {}, p.name),
      h('p', { class: 'muted' }, `Level ${p.level} · ${p.xp.toLocaleString('en')} XP · ${p.achievementPoints.toLocaleString('en')} achievement points${overall ? ` · rating ${shownRating(overall.display)} after ${overall.matches} ${overall.matches === 1 ? "match" : "matches"}` : ''}`),
      h('div', { class: 'xpbar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': String(span), 'aria-valuenow': String(into), title: `${into} of ${span} XP to level ${p.level + 1}` }, h('div', { style: `width:${(100 * into) / span}%` })),
      h('p', { class: 'muted' }, `${(p.nextLevelAt - p.xp).toLocaleString('en')} XP to level ${p.level + 1}`),
    ),
    learningPath(p.lessons),
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, 'Achievements'),
      h(
        'div',
        { class: 'achievements', id: 'achievements' },
        ...p.achievements.map((a) => {
          const next = a.tiers[a.tier] ?? a.tiers.at(-1)!;
          return h(
            'div',
            { class: a.tier > 0 ? 'achievement unlocked' : 'achievement', 'data-key': a.key },
            h('strong', {}, a.name + (a.tiers.length > 1 && a.tier > 0 ? ` · tier ${a.tier}` : '')),
            h('span', { class: 'muted' }, a.description),
            h('div', { class: 'track', title: `${Math.min(a.progress, next)} of ${next}` }, h('div', { style: `width:${Math.min(100, (100 * a.progress) / next)}%` })),
            h('span', { class: 'muted' }, `${a.tier > 0 ? `unlocked ${a.unlockedAt?.slice(0, 10) ?? ''}` : `${a.progress} / ${next}`} · held by ${(a.rarity * 100).toFixed(1)}% of players`),
          );
        }),
      ),
    ),
    h('div', { class: 'grid2' }, h('section', { class: 'panel' }, h('h2', {}, 'Rating'), ratingChart(p.ratingHistory)), h(
      'section',
      { class: 'panel' },
      h('h2', {}, 'Recent matches'),
      p.recentMatches.length === 0
        ? h('p', { class: 'muted' }, 'No matches yet.')
        : h('table', { id: 'recent' }, h('tbody', {}, ...p.recentMatches.map((m) => h('tr', {}, h('td', {}, h('a', { href: `#/matches/${m.matchId}` }, m.kind === 'gan' ? `GAN battle · ${m.task}` : m.task)), h('td', { class: 'num' }, m.rank ? `#${m.rank} of ${m.players}` : '—'), h('td', { class: 'muted' }, m.finishedAt.slice(0, 16).replace('T', ' ')))))),
    )),
  );
  return page;
}
