import type { ClimbGuide } from '../../shared/api.schema.ts';
import { RATING_EXPLAINED, RATING_LINK } from '../../shared/rating-scale.ts';
import { ACHIEVEMENTS } from './achievements.ts';
import { LESSONS } from '../../shared/lesson.schema.ts';
import { challengeXp, ganXp, raceXp, TOURNAMENT_CHAMPION_XP } from './xp.rules.ts';

/**
 * What pays XP and points, generated from the rules themselves (the XP functions are asked, not copied),
 * so the "how to climb" panel can never say something the server does not pay. Only rated matches pay.
 */
export function howToClimb(): ClimbGuide {
  const perPlace = raceXp(1, 2) - raceXp(2, 2);
  return {
    xp: [
      { what: 'Finish a rated race (a tournament match is one)', pays: `${raceXp(1, 1)} XP, plus ${perPlace} for every player you finish above (win a 4-player race: ${raceXp(1, 4)})` },
      { what: 'Play a rated GAN battle', pays: `${ganXp(false)} XP, ${ganXp(true)} if you win it` },
      { what: 'Win a rated tournament', pays: `${TOURNAMENT_CHAMPION_XP} XP on top of its matches` },
      { what: 'Pass a playground challenge', pays: `${challengeXp('target')} XP for a target, ${challengeXp('smallest')} for the smallest network or a noise shock` },
      { what: 'Pass a lesson of the learning path (Learn)', pays: `${LESSONS.map((l) => l.xp).join(', ')} XP for lessons 1 to ${LESSONS.length}, the first time each is passed` },
      { what: 'Unlock an achievement tier', pays: 'its points, and as much XP' },
    ],
    points: ACHIEVEMENTS.map((a) => ({ name: a.name, description: a.description, points: [...a.points] })),
    rating: { explained: `${RATING_EXPLAINED} Races move your overall rating and the task's; GAN battles have a board of their own. A custom seed is unrated.`, link: RATING_LINK },
  };
}
