import type { RaceResultMessage } from '../../shared/race.messages.ts';
import { TaskName } from '../../shared/task.schema.ts';
import type { Ending } from '../widgets/ending.panel.ts';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** A race's result as its ending shows it: the winner, each place's held-out score, the tie-breaks in words, the gains; "Next race" keeps its `task`. */
export function raceEnding(res: RaceResultMessage, isPlayer: boolean, task: string): Ending {
  const nextTask = TaskName.safeParse(task);
  const winner = res.ranking[0];
  return {
    headline: winner ? `${winner.player} wins with ${pct(winner.heldOutAccuracy)} on the held-out split` : 'The race is over',
    places: res.ranking.map((r) => ({ place: r.rank, player: r.player, figure: `${pct(r.heldOutAccuracy)} held-out` })),
    decided: res.tieBreaks.map((t) => `${t.above} above ${t.below}: ${t.reason}`),
    gains: res.gains,
    rated: res.rated,
    matchHref: res.matchId ? `${location.pathname}#/matches/${res.matchId}` : null,
    isPlayer,
    ...(nextTask.success ? { next: { kind: 'race' as const, task: nextTask.data } } : {}),
  };
}
