import { schema, t, type SchemaType } from '@colyseus/schema';
import { FairSeedView } from './seed-commitment.state.ts';

/** One seat of a GAN battle (generator or discriminator). */
export const GanSeat = schema(
  {
    player: t.string().default(''),
    connected: t.boolean().default(false),
    ready: t.boolean().default(false),
    /** The side's design, e.g. "32-32 relu · adam 0.002 · 1 step". */
    summary: t.string().default(''),
    roundsWon: t.uint8().default(0),
    points: t.uint16().default(0),
  },
  'GanSeat',
);
export type GanSeat = SchemaType<typeof GanSeat>;

/** A scored round. */
export const GanRoundScore = schema(
  {
    round: t.uint8().default(0),
    distance: t.float32().default(0),
    dAccuracy: t.float32().default(0),
    generatorPoints: t.uint8().default(0),
    discriminatorPoints: t.uint8().default(0),
    winner: t.string().default(''),
  },
  'GanRoundScore',
);
export type GanRoundScore = SchemaType<typeof GanRoundScore>;

/** A GAN battle's state: what spectators draw. */
export const GanState = schema(
  {
    phase: t.string().default('lobby'),
    /** The room of the rematch a player called once it was over ('' until then): join it with one click. */
    rematch: t.string().default(''),
    distribution: t.string().default('ring'),
    round: t.uint8().default(0),
    rounds: t.uint8().default(0),
    iterationsPerRound: t.uint32().default(0),
    /** Iteration of the round under way. */
    iteration: t.uint32().default(0),
    /** Seconds left of the break between rounds. */
    countdown: t.uint16().default(0),
    spectators: t.uint16().default(0),
    /** 'generator' or 'discriminator' once the battle is over. */
    winner: t.string().default(''),
    /** Rated or custom, and the seed commitment; the seed and salt only once the battle is over. */
    fairSeed: t.ref(FairSeedView),
    /** Keyed 'generator' and 'discriminator'. */
    seats: t.map(GanSeat),
    dLoss: t.float32().default(0),
    gLoss: t.float32().default(0),
    dAccuracy: t.float32().default(0),
    distance: t.float32().default(0),
    /** The distance of a generator collapsed onto the origin: what the generator is scored against. */
    referenceDistance: t.float32().default(0),
    /** Real points, flattened (x1, x2, …): fixed for the battle. */
    real: t.array('float32'),
    /** The latest generated points, flattened. */
    generated: t.array('float32'),
    /** The discriminator's probability of "real" over [-extent, extent]², row by row from the top. */
    heatmap: t.array('float32'),
    heatmapResolution: t.uint8().default(0),
    heatmapExtent: t.float32().default(0),
    /** The round under way, downsampled: iteration, both losses and the distance. */
    curveIteration: t.array('uint32'),
    curveDLoss: t.array('float32'),
    curveGLoss: t.array('float32'),
    curveDistance: t.array('float32'),
    results: t.array(GanRoundScore),
  },
  'GanState',
);
export type GanState = SchemaType<typeof GanState>;
