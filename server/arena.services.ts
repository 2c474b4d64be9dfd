import type { Match } from '../shared/match.schema.ts';
import type { Trainer } from './trainer/trainer.port.ts';

/** What rooms and routes may call; built once at start-up. */
export interface ArenaServices {
  trainer: Trainer;
  matches: {
    save(match: Match): Promise<void>;
    load(id: string): Promise<Match | undefined>;
  };
}
