import type { Match } from '../../shared/match.schema.ts';
import { checkSeedReveal, SEED_SCHEME, UNRATED_LABEL } from '../../shared/seed-commitment.ts';
import { h } from '../shell/dom.ts';

/** What a live room's header says about its seed: rated with the commitment's first digits, or custom and unrated. */
export function seedMetaText(f: { rated: boolean; commitment: string; seed: number } | undefined): string {
  if (!f || !f.commitment) return '';
  if (!f.rated) return UNRATED_LABEL;
  return f.seed >= 0 ? `rated · seed ${f.seed} revealed` : `rated · seed committed (${f.commitment.slice(0, 8)}…)`;
}

/** A value shown whole but breakable anywhere, so 64 hex digits fit a 390 px screen. */
const hex = (id: string, value: string) => h('code', { id, class: 'hex' }, value);

/**
 * The match page's fair-seed panel: rated or custom, the commitment published
 * at the start, the seed and salt revealed at the end, whether they match
 * (SHA-256 computed here, in the browser), and the command that replays the
 * match after checking the same.
 */
export function fairSeedPanel(match: Pick<Match, 'id' | 'rated' | 'seed' | 'seedReveal'>, replayable = true): HTMLElement {
  const replay = `npm run arena -- replay ${location.origin}/api/matches/${match.id}`;
  const status = h('p', { id: 'seed-check', class: 'seed-check', role: 'status' }, 'Checking the reveal against the commitment…');
  const r = match.seedReveal;
  const panel = h(
    'section',
    { class: 'panel', id: 'fair-seed' },
    h('h2', {}, 'Fair seed'),
    h(
      'p',
      { class: 'muted', id: 'seed-rated' },
      match.rated
        ? 'Rated: the server drew the seed and published a commitment to it when the match was created; nobody saw the seed before the end.'
        : `${UNRATED_LABEL}: the creator chose the seed, so ratings, XP and achievements did not move.`,
    ),
  );
  if (!r) {
    panel.append(h('p', { class: 'muted', id: 'seed-check' }, `Seed ${match.seed}. This match was stored before seed commitments: there is nothing to check.`));
  } else {
    panel.append(
      h(
        'dl',
        { class: 'seed-facts' },
        h('dt', {}, 'Commitment'),
        h('dd', {}, hex('seed-commitment', r.commitment)),
        h('dt', {}, 'Seed'),
        h('dd', {}, h('code', { id: 'seed-value' }, String(r.seed))),
        h('dt', {}, 'Salt'),
        h('dd', {}, hex('seed-salt', r.salt)),
      ),
      status,
      h('p', { class: 'muted' }, 'Check it yourself: the commitment is the SHA-256 of the text ', h('code', { class: 'hex' }, `${SEED_SCHEME}:<seed>:<salt>`), ', as in ', h('code', { class: 'hex', id: 'seed-recipe' }, `printf '%s' '${SEED_SCHEME}:${r.seed}:${r.salt}' | sha256sum`)),
    );
    void checkSeedReveal(r).then(
      (check) => {
        status.classList.add(check.ok ? 'ok' : 'bad');
        status.textContent = check.ok ? '✓ The revealed seed and salt match the commitment.' : `✗ The reveal does not match the commitment: ${check.reason}`;
      },
      (err: unknown) => {
        status.classList.add('bad');
        status.textContent = `This page cannot check it here (${err instanceof Error ? err.message : String(err)}); the command below checks it too.`;
      },
    );
  }
  if (replayable) panel.append(h('p', { class: 'muted' }, 'Replay every run of this match (the seed is checked against its commitment first):'), h('pre', { class: 'command', id: 'replay-command' }, replay));
  return panel;
}
