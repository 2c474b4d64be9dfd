import type { ColumnType, Selectable } from 'kysely';

/** Kysely's view of the tables the migrations create. */
export interface MatchesTable {
  id: string;
  room_id: string;
  kind: string;
  task: ColumnType<unknown, string, string>;
  seed: number;
  budget: number;
  started_at: ColumnType<Date, Date, never>;
  finished_at: ColumnType<Date, Date, never>;
}

export interface MatchEntriesTable {
  match_id: string;
  seat: number;
  player_name: string;
  run_id: string;
  spec: ColumnType<unknown, string, string>;
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

export interface Database {
  matches: MatchesTable;
  match_entries: MatchEntriesTable;
}

export type MatchRow = Selectable<MatchesTable>;
export type MatchEntryRow = Selectable<MatchEntriesTable>;
