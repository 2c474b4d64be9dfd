import type { TournamentResultMessage } from '../../shared/tournament.messages.ts';
import type { TournamentState } from '../../shared/tournament.state.ts';
import { TaskName } from '../../shared/task.schema.ts';
import type { Ending } from '../widgets/ending.panel.ts';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/**
 * A tournament's result as its ending shows it: the champion, each player's record, the final's held-out
 * scores, and every match a tie-break decided, in words; "Next race" keeps its task.
 */
export function tournamentEnding(res: TournamentResultMessage, state: TournamentState, isPlayer: boolean): Ending {
  const name = (seat: number) => [...state.players.values()].find((p) => p.seat === seat)?.player ?? `seat ${seat + 1}`;
  const played = [...state.matches].filter((m) => m.sides.length === 2 && m.winner >= 0);
  const last = played.sort((a, b) => b.round - a.round || a.index - b.index)[0];
  const final = last ? [`Round ${last.round}: ${last.sides.map((s) => `${name(s.seat)} ${pct(s.heldOutAccuracy)}`).join(' vs ')} held-out`] : [];
  const ties = played
    .filter((m) => m.decidedBy)
    .sort((a, b) => a.round - b.round || a.index - b.index)
    .map((m) => `Round ${m.round}: ${name(m.winner)} over ${m.sides.map((s) => s.seat).filter((s) => s !== m.winner).map(name).join(', ')}: ${m.decidedBy}`);
  const nextTask = TaskName.safeParse(state.task);
  return {
    headline: `${res.champion.player} is the champion`,
    places: res.ranking.map((r) => ({ place: r.rank, player: r.player, figure: `${r.wins}–${r.losses}` })),
    decided: [...final, ...ties],
    gains: res.gains,
    rated: res.rated,
    matchHref: null,
    isPlayer,
    ...(nextTask.success ? { next: { kind: 'race' as const, task: nextTask.data } } : {}),
  };
}
