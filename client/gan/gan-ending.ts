import { GanDistribution } from '../../shared/gan.schema.ts';
import type { GanResultMessage } from '../../shared/gan.messages.ts';
import type { Ending } from '../widgets/ending.panel.ts';

/** A GAN battle's result as its ending shows it: the winning side, rounds and points, how it was decided, the gains; "Next race" keeps its `distribution`. */
export function ganEnding(res: GanResultMessage, isPlayer: boolean, distribution: string): Ending {
  const nextDistribution = GanDistribution.safeParse(distribution);
  const sides = [
    { ...res.generator, role: 'generator' as const },
    { ...res.discriminator, role: 'discriminator' as const },
  ].sort((a, b) => (a.role === res.winner ? -1 : b.role === res.winner ? 1 : 0));
  return {
    headline: `${sides[0]!.player} (${res.winner}) wins`,
    places: sides.map((s, i) => ({ place: i + 1, player: s.player, figure: `${s.role}: ${s.rounds} round${s.rounds === 1 ? '' : 's'} · ${s.points} points` })),
    decided: [`Decided: ${res.decidedBy}.`],
    gains: res.gains,
    rated: res.rated,
    matchHref: res.matchId ? `${location.pathname}#/matches/${res.matchId}` : null,
    isPlayer,
    ...(nextDistribution.success ? { next: { kind: 'gan' as const, distribution: nextDistribution.data } } : {}),
  };
}
