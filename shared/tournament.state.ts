import { schema, t, type SchemaType } from '@colyseus/schema';
import { FairSeedView } from './seed-commitment.state.ts';

/** One player of a tournament, as every client sees them. */
export const TournamentPlayer = schema(
  {
    seat: t.uint8().default(0),
    player: t.string(),
    connected: t.boolean().default(true),
    status: t.string().default('designing'),
    /** Short description of the player's current network. */
    summary: t.string().default(''),
    params: t.uint32().default(0),
    wins: t.uint8().default(0),
    losses: t.uint8().default(0),
    /** Swiss: points (1 a win or bye); single elimination: wins. */
    points: t.uint8().default(0),
    /** Swiss tie-break: the points of the opponents met. */
    buchholz: t.uint16().default(0),
    /** Place in the standings (Swiss, live) or the final ranking; 0 until known. */
    rank: t.uint8().default(0),
  },
  'TournamentPlayer',
);
export type TournamentPlayer = SchemaType<typeof TournamentPlayer>;

/** One side of a match, live while it races. */
export const MatchSide = schema(
  {
    seat: t.uint8().default(0),
    player: t.string(),
    status: t.string().default('training'),
    samples: t.uint32().default(0),
    loss: t.float32().default(0),
    valAccuracy: t.float32().default(0),
    /** Revealed when the match is over. */
    heldOutAccuracy: t.float32().default(0),
    /** Downsampled learning curve (samples seen, validation accuracy): a spectator who joins midway sees the best so far and the trend. */
    curveSamples: t.array('uint32'),
    curveValAccuracy: t.array('float32'),
  },
  'MatchSide',
);
export type MatchSide = SchemaType<typeof MatchSide>;

/** A match of the bracket or of a Swiss round; a bye has one side. Every client can watch every match. */
export const TournamentMatch = schema(
  {
    round: t.uint8().default(0),
    /** Position in its round (bracket order). */
    index: t.uint8().default(0),
    status: t.string().default('racing'),
    /** The stored match's id once it is over ('' for a bye or before). */
    matchId: t.string().default(''),
    /** Seat of the winner, -1 until decided. */
    winner: t.int16().default(-1),
    /** The tie-break that decided it ("tied at 56.0% held-out accuracy: decided by lower validation loss (0.412 vs 0.431)"), '' when the shown accuracy did. */
    decidedBy: t.string().default(''),
    /** The match's own seed commitment (no commitment for a bye); the seed and salt once the match is over. */
    fairSeed: t.ref(FairSeedView),
    sides: t.array(MatchSide),
  },
  'TournamentMatch',
);
export type TournamentMatch = SchemaType<typeof TournamentMatch>;

/** A tournament room's state. Players are keyed by session id. */
export const TournamentState = schema(
  {
    title: t.string().default('Tournament'),
    format: t.string().default('single_elimination'),
    phase: t.string().default('lobby'),
    /** The room of the rematch a player called once it was over ('' until then): join it with one click. */
    rematch: t.string().default(''),
    task: t.string().default('spiral'),
    budget: t.uint32().default(0),
    /** Seconds each match is stretched over (0: as fast as training goes). */
    paceSeconds: t.uint16().default(0),
    minPlayers: t.uint8().default(0),
    maxPlayers: t.uint8().default(0),
    /** Round being played or just played, from 1; 0 before the start. */
    round: t.uint8().default(0),
    totalRounds: t.uint8().default(0),
    /** Seconds left of the countdown or the break between rounds. */
    countdown: t.uint16().default(0),
    spectators: t.uint16().default(0),
    tournamentId: t.string().default(''),
    /** False when the creator chose the seed: "custom seed · unrated" (no rating, XP or achievements). */
    rated: t.boolean().default(true),
    /** The champion's name once the tournament is over. */
    champion: t.string().default(''),
    players: t.map(TournamentPlayer),
    matches: t.array(TournamentMatch),
  },
  'TournamentState',
);
export type TournamentState = SchemaType<typeof TournamentState>;
