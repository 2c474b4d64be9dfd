import type { ColumnType, Generated, Selectable } from 'kysely';

/** A jsonb column: objects come back parsed; values go in as JSON text. */
type Json = ColumnType<unknown, string, string>;
type CreatedAt = ColumnType<Date, Date | undefined, never>;

/** Kysely's view of the tables the migrations create. */
export interface MatchesTable {
  id: string;
  room_id: string;
  kind: string;
  task: Json;
  seed: number;
  budget: number;
  started_at: ColumnType<Date, Date, never>;
  finished_at: ColumnType<Date, Date, never>;
  tournament_id: string | null;
  round: number | null;
  /** False for a custom seed: the match moved no rating, XP or achievement. */
  rated: ColumnType<boolean, boolean | undefined, boolean>;
  /** The seed commitment (shared/seed-commitment.ts); null for matches stored before commitments. */
  seed_scheme: string | null;
  seed_commitment: string | null;
  seed_salt: string | null;
  /** Finished, or aborted (called off with `abort_reason`: nobody's rating or XP moved). */
  status: ColumnType<'finished' | 'aborted', 'finished' | 'aborted' | undefined, never>;
  abort_reason: ColumnType<string | null, string | null | undefined, never>;
  /** What is particular to the kind (a GAN battle's rounds, their curves and how it was decided); null for races. */
  detail: ColumnType<unknown, string | null | undefined, string | null>;
}

export interface MatchEntriesTable {
  match_id: string;
  seat: number;
  player_name: string;
  player_id: string | null;
  /** The entry's run; null for a GAN battle's sides (each round trains both sides in one job). */
  run_id: string | null;
  spec: Json;
  status: 'finished' | 'failed';
  rank: number | null;
  held_out_accuracy: number | null;
  val_accuracy: number | null;
  loss: number | null;
  samples: number;
  weights_hash: string | null;
  backend: string | null;
  error: string | null;
}

export interface PlayersTable {
  id: string;
  name: string;
  created_at: CreatedAt;
  xp: ColumnType<number, number | undefined, number>;
  achievement_points: ColumnType<number, number | undefined, number>;
}

export interface TournamentsTable {
  id: string;
  name: string;
  format: 'single_elimination' | 'swiss';
  task: Json;
  status: 'running' | 'finished' | 'aborted';
  champion_id: string | null;
  ranking: ColumnType<unknown, string | null, string | null>;
  created_at: CreatedAt;
  finished_at: Date | null;
}

export interface RunsTable {
  id: string;
  player_id: string | null;
  match_id: string | null;
  spec: Json;
  task: Json;
  seed: number;
  budget: number;
  controls: Json;
  /** The fast path's arithmetic the run trained with (TrainJob.arithmetic): 1 for every run stored before 0015. */
  arithmetic: ColumnType<1 | 2, 1 | 2 | undefined, 1 | 2>;
  status: 'finished' | 'diverged' | 'failed';
  final: ColumnType<unknown, string | null, string | null>;
  held_out_accuracy: number | null;
  samples: number;
  flops: number;
  parameters: number | null;
  architecture: string | null;
  converged_samples: number | null;
  converged_flops: number | null;
  weights_hash: string | null;
  backend: string | null;
  parent_run_id: string | null;
  parent_step: number | null;
  checkpoint_ref: string | null;
  /** The learning curve, downsampled (RunCurve); null for runs stored before it was kept. */
  curve: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: CreatedAt;
}

export interface RatingsTable {
  player_id: string;
  scope: string;
  mu: number;
  sigma: number;
  display: number;
  matches: number;
  /** Rated matches finished first, and the others, in this scope. */
  wins: ColumnType<number, number | undefined, number>;
  losses: ColumnType<number, number | undefined, number>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface RatingHistoryTable {
  id: Generated<string>;
  player_id: string;
  scope: string;
  match_id: string;
  mu: number;
  sigma: number;
  display: number;
  created_at: CreatedAt;
}

export interface XpEventsTable {
  id: Generated<string>;
  player_id: string;
  amount: number;
  reason: string;
  source_key: string;
  created_at: CreatedAt;
}

export interface WeeklyTable {
  player_id: string;
  week: ColumnType<Date, string, string>;
  amount: number;
}

export interface AchievementsTable {
  key: string;
  name: string;
  description: string;
  tiers: Json;
  points: Json;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface PlayerAchievementsTable {
  player_id: string;
  achievement_key: string;
  progress: number;
  tier: number;
  unlocked_at: Date | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface AchievementEventsTable {
  player_id: string;
  achievement_key: string;
  event_key: string;
  created_at: CreatedAt;
}

/** A match that is not over yet: its lifecycle's header (see `MatchLifecycleJson`, without events). */
export interface LiveMatchesTable {
  id: string;
  room_id: string;
  kind: string;
  phase: string;
  header: Json;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** One event of a live match's log, `seq` from 0 without gaps. */
export interface LiveMatchEventsTable {
  match_id: string;
  seq: number;
  event: Json;
}

/** A WebAuthn credential a player registered (migration 0009). */
export interface PasskeysTable {
  id: string;
  player_id: string;
  public_key: Uint8Array;
  /** bigint: comes back as a string from pg. */
  counter: ColumnType<string | number, number, number>;
  transports: Json;
  device_type: 'singleDevice' | 'multiDevice';
  backed_up: boolean;
  created_at: CreatedAt;
  last_used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** What its owner calls it (migration 0012); null for passkeys made before names. */
  name: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A registration's or sign-in's challenge, used at most once, before `expires_at`. */
export interface WebauthnChallengesTable {
  challenge: string;
  purpose: 'register' | 'sign_in';
  player_id: string | null;
  expires_at: Date;
}

/** A design a player saved from the model designer (migration 0010). */
export interface SavedDesignsTable {
  player_id: string;
  name: string;
  spec: Json;
  share_id: string;
  saved_at: Date;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** A lesson of the learning path a player passed (migration 0013), with a scored lesson's best (0014: all four set, or none). */
export interface LessonProgressTable {
  player_id: string;
  lesson_id: string;
  run_id: string;
  held_out_accuracy: number;
  passed_at: ColumnType<Date, Date | undefined, Date>;
  best_samples: ColumnType<number | null, number | null | undefined, number | null>;
  best_run_id: ColumnType<string | null, string | null | undefined, string | null>;
  best_held_out_accuracy: ColumnType<number | null, number | null | undefined, number | null>;
  best_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface Database {
  matches: MatchesTable;
  match_entries: MatchEntriesTable;
  players: PlayersTable;
  tournaments: TournamentsTable;
  runs: RunsTable;
  ratings: RatingsTable;
  rating_history: RatingHistoryTable;
  xp_events: XpEventsTable;
  xp_weekly: WeeklyTable;
  points_weekly: WeeklyTable;
  achievements: AchievementsTable;
  player_achievements: PlayerAchievementsTable;
  achievement_events: AchievementEventsTable;
  live_matches: LiveMatchesTable;
  live_match_events: LiveMatchEventsTable;
  passkeys: PasskeysTable;
  webauthn_challenges: WebauthnChallengesTable;
  saved_designs: SavedDesignsTable;
  lesson_progress: LessonProgressTable;
}

export type MatchRow = Selectable<MatchesTable>;
export type MatchEntryRow = Selectable<MatchEntriesTable>;
export type RunRow = Selectable<RunsTable>;
