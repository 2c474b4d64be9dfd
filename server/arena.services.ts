import type { AchievementInfo, LeaderboardPage, LeaderboardQuery, PlayerProfile } from '../shared/api.schema.ts';
import type { GuestIdentity, RoomIdentity } from '../shared/identity.schema.ts';
import type { Match, RunCurve } from '../shared/match.schema.ts';
import type { GanMatch, StoredMatch } from '../shared/gan-match.schema.ts';
import type { PlayerGain } from '../shared/match-gains.ts';
import type { IfTaken } from './identity/player-names.ts';
import type { PasskeyService } from './identity/passkey.service.ts';
import type { DesignService } from './designs/design.service.ts';
import type { RunEvent } from '../shared/run.schema.ts';
import type { LessonBoards } from './lessons/lesson.routes.ts';
import type { RunView } from './runs/run-view.schema.ts';
import type { ModelReplayer } from './runs/model-replayer.ts';
import type { RaceResult, SoloCredit, Unlock } from './progression/progression.service.ts';
import type { RunRecord } from './runs/run.record.ts';
import type { NewTournament } from './tournament/tournament.repository.ts';
import type { StoreHooks } from './outbox/result-outbox.ts';
import type { Trainer } from './trainer/trainer.port.ts';
import type { MatchLifecycle } from './match/lifecycle.ts';
import type { ResumableMatches } from './match/match-recovery.ts';

/**
 * What rooms and routes may call; built once at start-up. Every `record…` (and the tournament's `open` and
 * `finish`) resolves once its result is stored: at once, or, while the database is unreachable, after
 * `hooks.onPending` was called and the result waited in the outbox (see `ResultOutbox`).
 */
export interface ArenaServices {
  trainer: Trainer;
  identity: {
    /** A new guest account and its signed token; a taken name throws `NameTakenError` (`refuse`, the default) or gets a free `#tag`. */
    createGuest(name: string, ifTaken?: IfTaken): Promise<GuestIdentity>;
    /** A new name for the guest behind a valid token; a taken name as in `createGuest`. */
    renameGuest(token: string, name: string, ifTaken?: IfTaken): Promise<GuestIdentity>;
    /** The guest behind a valid token under its current name, with a fresh token when the old one is past half its life. */
    refreshGuest(token: string): Promise<GuestIdentity>;
    /** For rooms' `onAuth`: the verified player under the account's current name, or an anonymous spectator; throws a 401 otherwise. */
    authenticate(token: string | undefined, options: unknown): Promise<RoomIdentity>;
  };
  /** Passkeys (WebAuthn) on guest accounts: register with the guest token, sign in with one from any browser. */
  passkeys: PasskeyService;
  /** Designs saved to the player's account (with the guest token), and shared ones by their share id. */
  designs: DesignService;
  players: {
    /** The joining player's id: theirs if they have one, else a new guest's. */
    ensure(id: string | undefined, name: string): Promise<string>;
    profile(id: string): Promise<PlayerProfile | undefined>;
    /** Ids of the lessons of the learning path a player passed. */
    lessonsPassed(id: string): Promise<string[]>;
  };
  /** The learning path's boards: a scored lesson's best players (`GET /api/lessons/:id/board`). */
  lessons: LessonBoards;
  matches: {
    /** A stored race (or tournament match). */
    load(id: string): Promise<Match | undefined>;
    /** A stored match of any kind: a race or a GAN battle (what `/api/matches/:id` answers). */
    show(id: string): Promise<StoredMatch | undefined>;
    /**
     * Stores a race with its runs, ratings, XP and achievements (an unrated one: the match and its runs only);
     * a match id already stored is not stored again (none unlocked).
     */
    recordRace(result: RaceResult, hooks?: StoreHooks): Promise<Unlock[]>;
    /** Stores a called-off match with its reason, moving no rating, XP or achievement; false when its id was stored already. */
    recordAborted(result: Omit<RaceResult, 'events'>, reason: string, hooks?: StoreHooks): Promise<boolean>;
    /** Persists a match's lifecycle as it changes, so a restarted server carries it on; stop it when the room goes. */
    persist(match: MatchLifecycle): { flush(): Promise<void>; stop(): void };
    /** Matches found unfinished at start-up, waiting for the rooms that carry them on. */
    resumable: ResumableMatches;
    /** How long a match carried on after a restart may take to hear from all its runs before it is aborted (ms). */
    resumeTimeoutMs: number;
  };
  runs: {
    load(id: string): Promise<RunView | undefined>;
    /** A stored run's curve: undefined when there is no such run, null when it kept none. */
    curve(id: string): Promise<RunCurve | null | undefined>;
    /** Trains a stored run's file again to export its model (one at a time, off the server's thread). */
    replayer: Pick<ModelReplayer, 'model'>;
    /** Stores a solo run (a playground's) with the achievements its own events earn. */
    recordSolo(run: RunRecord, events: readonly RunEvent[], credit?: SoloCredit, hooks?: StoreHooks): Promise<Unlock[]>;
  };
  tournaments: {
    /** Stores a tournament as running, before its first match (matches point at it). */
    open(t: NewTournament, hooks?: StoreHooks): Promise<void>;
    /** Stores the final ranking (player ids, champion first) and, when rated, credits the champion. */
    finish(t: NewTournament & { ranking: readonly string[]; rated: boolean }, hooks?: StoreHooks): Promise<Unlock[]>;
    /** Closes a tournament that was called off (status aborted; its matches are stored as aborted on their own). */
    abort(id: string): Promise<void>;
  };
  gan: {
    /**
     * Stores a GAN battle as a match, at most once: when rated, both players' GAN ratings move, both get XP,
     * and the generator's player is a forger when it won; an unrated one (a custom seed) credits nobody.
     */
    recordBattle(battle: GanMatch, hooks?: StoreHooks): Promise<Unlock[]>;
  };
  progression: {
    leaderboard(q: LeaderboardQuery): Promise<LeaderboardPage>;
    achievements(): Promise<AchievementInfo[]>;
    /**
     * What each player gained from a stored match: its XP (with `unlocks`' and any `extraXp` source keys'),
     * the rating it moved in `scope` (shown scale) and the achievement tiers reached. Nothing moved: zeros.
     */
    gains(matchIds: readonly string[], players: ReadonlyArray<{ playerId: string; player: string }>, scope: string | null, unlocks: readonly Unlock[], extraXp?: (playerId: string) => string[]): Promise<PlayerGain[]>;
  };
}
