import type { AchievementInfo, LeaderboardPage, LeaderboardQuery, PlayerProfile } from '../shared/api.schema.ts';
import type { Match } from '../shared/match.schema.ts';
import type { RunView } from '../shared/run-view.schema.ts';
import type { RaceResult, Unlock } from './progression/progression.service.ts';
import type { Trainer } from './trainer/trainer.port.ts';

/** What rooms and routes may call; built once at start-up. */
export interface ArenaServices {
  trainer: Trainer;
  players: {
    /** The joining player's id: theirs if they have one, else a new guest's. */
    ensure(id: string | undefined, name: string): Promise<string>;
    profile(id: string): Promise<PlayerProfile | undefined>;
  };
  matches: {
    load(id: string): Promise<Match | undefined>;
    /** Stores a race with its runs, ratings, XP and achievements. */
    recordRace(result: RaceResult): Promise<Unlock[]>;
  };
  runs: {
    load(id: string): Promise<RunView | undefined>;
  };
  progression: {
    leaderboard(q: LeaderboardQuery): Promise<LeaderboardPage>;
    achievements(): Promise<AchievementInfo[]>;
  };
}
