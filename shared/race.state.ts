import { schema, t, type SchemaType } from '@colyseus/schema';
import { FairSeedView } from './seed-commitment.state.ts';

/** One player's entry, as every client sees it. */
export const RaceEntry = schema(
  {
    seat: t.uint8().default(0),
    player: t.string(),
    connected: t.boolean().default(true),
    /** The run training this entry, once the race has started (runs are public: /api/runs/ID). */
    runId: t.string().default(''),
    /** Interventions this player may still make: only the player sees it. */
    interventionsLeft: t.uint8().default(0).view(),
    status: t.string().default('designing'),
    /** Short description of the network, e.g. "2-16-16-2 relu · adam 0.01 · b32". */
    summary: t.string().default(''),
    params: t.uint32().default(0),
    samples: t.uint32().default(0),
    /** Training step of the run's latest frame (a rewind takes it back). */
    step: t.uint32().default(0),
    /**
     * The earliest step a rewind can still take the run back to, its start (step 0) aside: a run keeps its first
     * and its latest checkpoints (fewer of a large network's), so this rises as it trains (0: any it has taken).
     */
    rewindFrom: t.uint32().default(0),
    loss: t.float32().default(0),
    accuracy: t.float32().default(0),
    valAccuracy: t.float32().default(0),
    samplesPerSec: t.float32().default(0),
    /** Final place, 0 until the race is over. */
    rank: t.uint8().default(0),
    /** Score on the held-out split, revealed when the race is over. */
    heldOutAccuracy: t.float32().default(0),
    /** Downsampled learning curve: samples seen, training loss, validation accuracy. */
    curveSamples: t.array('uint32'),
    curveLoss: t.array('float32'),
    curveValAccuracy: t.array('float32'),
  },
  'RaceEntry',
);
export type RaceEntry = SchemaType<typeof RaceEntry>;

/** A race room's state. Entries are keyed by the player's session id. */
export const RaceState = schema(
  {
    phase: t.string().default('lobby'),
    /** The room of the rematch a player called once it was over ('' until then): join it with one click. */
    rematch: t.string().default(''),
    task: t.string().default('spiral'),
    budget: t.uint32().default(0),
    minPlayers: t.uint8().default(0),
    maxPlayers: t.uint8().default(0),
    /** Seconds left before the start while counting down. */
    countdown: t.uint16().default(0),
    spectators: t.uint16().default(0),
    /** Seconds the race is stretched over (0: as fast as training goes). */
    paceSeconds: t.uint16().default(0),
    /** Interventions each player gets, and what one costs in samples. */
    interventions: t.uint8().default(0),
    interventionCost: t.uint32().default(0),
    /** Steps between two automatic checkpoints of each run: the steps a rewind may go back to (0 before the start). */
    checkpointEvery: t.uint32().default(0),
    matchId: t.string().default(''),
    /** Why the race was called off (after a server restart, its runs could not be carried on in time); empty otherwise. */
    abortReason: t.string().default(''),
    /** Rated or custom, and the seed commitment; the seed and salt only once the race is over. */
    fairSeed: t.ref(FairSeedView),
    entries: t.map(RaceEntry),
  },
  'RaceState',
);
export type RaceState = SchemaType<typeof RaceState>;
