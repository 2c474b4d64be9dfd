import { z } from 'zod';
import { Challenge, type ChallengeStatus } from './challenge.schema.ts';
import { LessonId } from './lesson.schema.ts';
import { PlayerName } from './identity.schema.ts';
import { Control } from './control.schema.ts';
import { ConvStemWeights } from './conv-feature-maps.ts';
import { ProbeWorstPoint } from './error-analysis.ts';
import { LandscapeRequest } from './landscape.schema.ts';
import { ModelSpec } from './model-spec.schema.ts';
import type { RoomErrorMessage } from './protocol.ts';
import { LayerStats, type ProbeFrame } from './run.schema.ts';
import { TaskSpec } from './task.schema.ts';
import { SweepClientMessages } from './sweep.schema.ts';

/** Options a playground room is created with. */
export const PlaygroundCreateOptions = z.object({
  task: TaskSpec.default(TaskSpec.parse({})),
  /** Training samples the run may spend (rewinds spend too). */
  budget: z.number({ error: 'budget must be a number' }).int('budget must be a whole number').min(1_000, 'budget must be at least 1000 samples').max(5_000_000, 'budget must be at most 5000000 samples').default(200_000),
  /** Seed of the data and the initial weights (random when absent). */
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  /** A goal each run is judged against on the held-out split (none: free play). */
  challenge: Challenge.optional(),
  /**
   * A lesson of the learning path: its task, budget, seed and starting network replace those above (and any
   * challenge); its run is judged by the lesson's rule when stored, and the owner must have passed the lesson before it.
   */
  lesson: LessonId.optional(),
  /**
   * Stretches each run over at least this many seconds so the owner and spectators can follow it
   * (0, the default: as fast as training goes). Pacing changes nothing a run computes.
   */
  paceSeconds: z.number({ error: 'paceSeconds must be a number' }).int('paceSeconds must be a whole number').min(0).max(600, 'paceSeconds must be at most 600').default(0),
});
export type PlaygroundCreateOptions = z.infer<typeof PlaygroundCreateOptions>;

/** Options a client joins a playground with (the same as a race's). */
export const PlaygroundJoinOptions = z.object({
  /** An anonymous spectator's display name; the owner is named by their guest token. */
  name: PlayerName.optional(),
  role: z.enum(['player', 'spectator']).default('player'),
});
export type PlaygroundJoinOptions = z.infer<typeof PlaygroundJoinOptions>;

/** Client → server messages, by type. Only `landscape` may come from a spectator. */
export const PlaygroundClientMessages = {
  /** The network to train next (before the start, or after a run has ended). */
  spec: z.object({ spec: ModelSpec }),
  /** Starts a run with the current spec (again, after one has ended). */
  start: z.object({}),
  /** Steers the running run (`a`, the default) or its fork (`b`). */
  control: z.object({ control: Control, run: z.enum(['a', 'b'], { error: 'run must be a or b' }).default('a') }),
  /**
   * Forks a run at one of its checkpoints into a second run (B) that trains beside the room's run; a fork
   * replaces the previous one. `runId`: the room's current run (the default, live or ended) or one of the
   * room's stored runs; `step`: the checkpoint (the latest when absent; required for a stored run).
   */
  fork: z.object({
    runId: z.string({ error: 'runId must be a string' }).uuid('runId must be a run id').optional(),
    step: z.number({ error: 'step must be a number' }).int('step must be a whole number').min(0, 'step must be at least 0').max(100_000_000, 'step is too large').optional(),
  }),
  /** Asks for the loss landscape around the current weights; everyone in the room receives it. */
  landscape: LandscapeRequest,
  /** A hyperparameter sweep over the current network (owner only; see SweepRequest), its cancel, and training one of its trials' networks. */
  ...SweepClientMessages,
} as const;
export type PlaygroundClientMessageType = keyof typeof PlaygroundClientMessages;
export type PlaygroundClientMessage<K extends PlaygroundClientMessageType> = z.input<(typeof PlaygroundClientMessages)[K]>;

/** Server → client: something the client sent was refused. */
export type PlaygroundErrorMessage = RoomErrorMessage;

/** Server → client, on joining: the id to keep, and whether this client steers. */
export interface PlaygroundWelcomeMessage {
  playerId: string | null;
  owner: boolean;
}

/** Server → client, on joining: some of the task's training points (never validation or held-out ones), to draw under the boundary. */
export interface PlaygroundPointsMessage {
  /** Row-major (x1, x2) pairs. */
  x: number[];
  /** Class (or regression target) of each point. */
  y: number[];
}

/** A decision boundary grid packed for the wire: values scaled to 0..255 between `min` and `max`. */
export interface PackedBoundary {
  resolution: number;
  extent: number;
  min: number;
  max: number;
  values: number[];
}

/** A histogram as the engine makes it: `counts` over equal bins from `min` to `max`. */
export const ProbeHistogram = z.object({ min: z.number(), max: z.number(), counts: z.array(z.number().int().min(0)) });
export type ProbeHistogram = z.infer<typeof ProbeHistogram>;

/** One dense layer (hidden or output) in a probe: its weight and gradient histograms and its latest health figures. */
export const ProbeLayer = z.object({
  layer: z.number().int().min(0),
  weights: ProbeHistogram,
  gradients: ProbeHistogram,
  /** From the latest light frame, rounded to 4 significant digits (absent before the first frame). */
  stats: LayerStats.optional(),
});
export type ProbeLayer = z.infer<typeof ProbeLayer>;

/**
 * A hidden layer's units over a coarse grid of [-extent, extent]² (row by row
 * from the top), each value scaled to 0..255 between the layer's `min` and `max`.
 */
export const PackedActivationMaps = z.object({
  layer: z.number().int().min(0),
  resolution: z.number().int().min(1),
  extent: z.number().positive(),
  min: z.number(),
  max: z.number(),
  units: z.array(z.array(z.number().int().min(0).max(255))),
});
export type PackedActivationMaps = z.infer<typeof PackedActivationMaps>;

/** The network's shape, for the graph: widths from inputs to outputs, and the input features' names. */
export const ProbeNetwork = z.object({ widths: z.array(z.number().int().min(1)), inputs: z.array(z.string()) });
export type ProbeNetwork = z.infer<typeof ProbeNetwork>;

/** Units per layer whose activation maps a probe carries at most. */
export const MAX_MAP_UNITS = 64;

/** Server → client: the latest heavy probe, trimmed to what the page draws. */
export const PlaygroundProbeMessage = z.object({
  step: z.number().int(),
  samples: z.number().int(),
  boundary: z.object({ resolution: z.number().int(), extent: z.number(), min: z.number(), max: z.number(), values: z.array(z.number()) }).optional(),
  /** counts[true][predicted] on the validation split. */
  confusion: z.array(z.array(z.number().int())).optional(),
  /** Every dense layer, the output layer last. */
  layers: z.array(ProbeLayer).default([]),
  /** Planar tasks: every hidden layer's activation maps. */
  activations: z.array(PackedActivationMaps).optional(),
  network: ProbeNetwork.optional(),
  /** The validation points the network gets most wrong now (worst first), with what each layer does with each. */
  worst: z.array(ProbeWorstPoint).optional(),
  /** Conv nets: the image layers' weights, from which the page computes a chosen digit's feature maps. */
  convStem: ConvStemWeights.optional(),
});
export type PlaygroundProbeMessage = z.infer<typeof PlaygroundProbeMessage>;

/** Server → client: a run ended (`run` b: the fork); `unlocks` are achievement tiers the owner earned. */
export interface PlaygroundResultMessage {
  runId: string;
  run: 'a' | 'b';
  status: 'finished' | 'diverged' | 'failed';
  valAccuracy: number | null;
  heldOutAccuracy: number | null;
  stored: boolean;
  unlocks: Array<{ achievement: string; tier: number }>;
  /** The room's challenge, judged on this run. */
  challenge?: { status: ChallengeStatus; detail: string };
  /**
   * The lesson this run played: whether it passed, and the XP it paid now (0 when the lesson was passed before: it pays once);
   * on a scored lesson, a passing run's score as the server judged it (the speed run: the training samples it spent).
   */
  lesson?: { id: string; passed: boolean; xp: number; score?: number };
}

/** Phases of a playground. */
export const PlaygroundPhase = {
  /** The owner designs a network; nothing trains. */
  Design: 'design',
  Training: 'training',
  Finished: 'finished',
  Failed: 'failed',
} as const;
export type PlaygroundPhase = (typeof PlaygroundPhase)[keyof typeof PlaygroundPhase];

/** Points the curve in state holds at most. */
export const PLAYGROUND_CURVE_POINTS = 256;

/**
 * Packs a boundary grid into bytes between its min and max (for two classes
 * that is the probability of class 1, kept on [0, 1] so colours mean the same
 * from one probe to the next). Non-finite values become the minimum.
 */
export function packBoundary(b: { resolution: number; extent: number; values: number[] }, probability: boolean): PackedBoundary {
  let min = probability ? 0 : Infinity;
  let max = probability ? 1 : -Infinity;
  if (!probability) {
    for (const v of b.values) {
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (!Number.isFinite(min)) (min = 0), (max = 1);
    if (max - min < 1e-9) max = min + 1e-9;
  }
  const scale = 255 / (max - min);
  const values = b.values.map((v) => (Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round((v - min) * scale))) : 0));
  return { resolution: b.resolution, extent: b.extent, min, max, values };
}

/** The values of a packed boundary, back on their own scale. */
export function unpackBoundary(p: PackedBoundary): Float32Array {
  const out = new Float32Array(p.values.length);
  const step = (p.max - p.min) / 255;
  for (let i = 0; i < out.length; i++) out[i] = p.min + p.values[i]! * step;
  return out;
}

const round4 = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)) : v);

/** A light frame's layer figures, rounded to 4 significant digits for the wire. */
export function roundLayerStats(l: LayerStats): LayerStats {
  return { gradNorm: round4(l.gradNorm), weightMean: round4(l.weightMean), weightStd: round4(l.weightStd), updateRatio: round4(l.updateRatio), deadFraction: round4(l.deadFraction) };
}

/**
 * A probe's activation maps in bytes: each hidden layer scaled between its own
 * min and max (so units of a layer compare), at most `maxUnits` units per layer.
 * Non-finite values become the minimum.
 */
export function packActivationMaps(maps: NonNullable<ProbeFrame['activationMaps']>, extent: number, maxUnits = MAX_MAP_UNITS): PackedActivationMaps[] {
  return maps.map((m) => {
    const units = m.units.slice(0, maxUnits);
    let min = Infinity;
    let max = -Infinity;
    for (const u of units) for (const v of u) if (Number.isFinite(v)) (min = Math.min(min, v)), (max = Math.max(max, v));
    if (!Number.isFinite(min)) (min = 0), (max = 1);
    if (max - min < 1e-9) max = min + 1e-9;
    const scale = 255 / (max - min);
    return {
      layer: m.layer,
      resolution: m.resolution,
      extent,
      min: round4(min),
      max: round4(max),
      units: units.map((u) => u.map((v) => (Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round((v - min) * scale))) : 0))),
    };
  });
}

/** One unit's packed map back on its own scale. */
export function unpackUnit(maps: Pick<PackedActivationMaps, 'min' | 'max'>, unit: readonly number[]): Float32Array {
  const out = new Float32Array(unit.length);
  const step = (maps.max - maps.min) / 255;
  for (let i = 0; i < out.length; i++) out[i] = maps.min + unit[i]! * step;
  return out;
}
