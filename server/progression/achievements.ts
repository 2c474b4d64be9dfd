import type { Control, LoggedControl } from '../../shared/control.schema.ts';
import type { RunEvent } from '../../shared/run.schema.ts';

/** An achievement as defined in code (and mirrored into the `achievements` table). */
export interface AchievementDef {
  key: string;
  name: string;
  description: string;
  /** Progress needed for each tier (one entry: not tiered). */
  tiers: number[];
  /** Points for reaching each tier. */
  points: number[];
}

export const ACHIEVEMENTS = [
  { key: 'first-convergence', name: 'First Convergence', description: 'Train a run to its target accuracy (tiers: 1, 10, 50 runs).', tiers: [1, 10, 50], points: [10, 25, 50] },
  { key: 'vanishing-gradient', name: 'Vanishing Gradient', description: 'See gradients vanish in a run, then bring them back.', tiers: [1], points: [30] },
  { key: 'overfitting-detective', name: 'Overfitting Detective', description: 'Catch a run overfitting and fix it (augmentation, more data, a smaller network, noise on the inputs or a rewind).', tiers: [1], points: [30] },
  { key: 'architecture-innovator', name: 'Architecture Innovator', description: 'Win a race with an architecture nobody has won with on that task.', tiers: [1, 5], points: [40, 80] },
  { key: 'speed-run', name: 'Speed Run', description: 'Reach the target accuracy on a task in fewer samples than any run before.', tiers: [1], points: [50] },
  { key: 'resource-efficiency', name: 'Resource Efficiency', description: 'Reach the target accuracy on a task with fewer FLOPs than any run before.', tiers: [1], points: [50] },
  { key: 'architecture-puzzle', name: 'Architecture Puzzle', description: 'Finish above 95% held-out accuracy with a smaller network than anyone before on that task.', tiers: [1], points: [50] },
  { key: 'robustness', name: 'Robustness', description: 'Inject noise (strength 0.2 or more) into a run and still finish above 90% validation accuracy.', tiers: [1], points: [30] },
  { key: 'comeback', name: 'Comeback', description: 'Win a race after rewinding your run.', tiers: [1], points: [40] },
  { key: 'giant-slayer', name: 'Giant Slayer', description: 'Finish above a player rated at least 5 points (mu) higher than you.', tiers: [1, 5], points: [40, 80] },
  { key: 'tournament-champion', name: 'Tournament Champion', description: 'Win a tournament (tiers: 1, 5, 20).', tiers: [1, 5, 20], points: [100, 200, 400] },
  { key: 'gan-forger', name: 'GAN Forger', description: 'As the generator, win a GAN battle (tiers: 1, 10).', tiers: [1, 10], points: [60, 120] },
  { key: 'challenger', name: 'Challenger', description: 'Pass playground challenges (a target, the smallest network, a noise shock) or lessons of the learning path, each lesson once (tiers: 1, 5, 20).', tiers: [1, 5, 20], points: [20, 50, 100] },
] as const satisfies readonly AchievementDef[];

export type AchievementKey = (typeof ACHIEVEMENTS)[number]['key'];

/** One counted step toward an achievement; `eventKey` makes it count once however often it arrives. */
export interface AchievementGrant {
  playerId: string;
  key: AchievementKey;
  eventKey: string;
}

/** Accuracy a run must reach to count as converged for records (the engine's default target). */
export const TARGET_ACCURACY = 0.95;
const NOISE_STRENGTH = 0.2;
const ROBUST_ACCURACY = 0.9;
const GIANT_GAP = 5;

/** What a finished run of a player tells the achievements. */
export interface RunFacts {
  runId: string;
  playerId: string;
  task: string;
  events: readonly RunEvent[];
  controls: readonly LoggedControl[];
  finalValAccuracy: number | null;
  heldOutAccuracy: number | null;
  parameters: number;
  architecture: string;
  convergedSamples: number | null;
  convergedFlops: number | null;
}

/** What the arena knew before this result: records on the task and who had won with what. */
export interface TaskHistory {
  bestConvergedSamples: number | null;
  bestConvergedFlops: number | null;
  smallestAccurateNetwork: number | null;
  winningArchitectures: ReadonlySet<string>;
}

const FIXES = new Set<Control['type']>(['setAugmentation', 'addSamples', 'addPoints', 'removeLayer', 'rewind']);

/** Whether a control counts as a fix for overfitting: augmentation on, more samples, a layer removed, noise on the inputs, or a rewind. */
export function isOverfittingFix(c: Control): boolean {
  if (c.type === 'setAugmentation') return c.enabled;
  if (c.type === 'injectNoise') return c.target === 'inputs';
  return FIXES.has(c.type);
}

/** Achievements a single run earns from its own events and controls, and from records on its task. */
export function runAchievements(run: RunFacts, history: TaskHistory): AchievementGrant[] {
  const grants: AchievementGrant[] = [];
  const grant = (key: AchievementKey) => grants.push({ playerId: run.playerId, key, eventKey: `run:${run.runId}` });
  const types = run.events.map((e) => e.type);
  if (types.includes('converged')) grant('first-convergence');
  const vanished = types.indexOf('vanishingGradients');
  if (vanished >= 0 && types.indexOf('gradientsRecovered', vanished) > vanished) grant('vanishing-gradient');
  const overfit = run.events.find((e) => e.type === 'overfitting');
  if (overfit && run.controls.some((c) => c.step >= overfit.step && isOverfittingFix(c.control))) grant('overfitting-detective');
  const noisy = run.controls.some((c) => c.control.type === 'injectNoise' && c.control.strength >= NOISE_STRENGTH);
  if (noisy && (run.finalValAccuracy ?? 0) >= ROBUST_ACCURACY) grant('robustness');
  if (run.convergedSamples !== null && (history.bestConvergedSamples === null || run.convergedSamples < history.bestConvergedSamples)) grant('speed-run');
  if (run.convergedFlops !== null && (history.bestConvergedFlops === null || run.convergedFlops < history.bestConvergedFlops)) grant('resource-efficiency');
  if ((run.heldOutAccuracy ?? 0) >= TARGET_ACCURACY && (history.smallestAccurateNetwork === null || run.parameters < history.smallestAccurateNetwork)) grant('architecture-puzzle');
  return grants;
}

/** An entry of a finished race, for the achievements that depend on the standings. */
export interface RaceEntryFacts {
  run: RunFacts;
  rank: number;
  /** The player's overall mu before this race. */
  muBefore: number;
}

/** Achievements a race's standings earn: a new winning architecture, a comeback, a giant slain. */
export function raceAchievements(matchId: string, entries: readonly RaceEntryFacts[], history: TaskHistory): AchievementGrant[] {
  const grants: AchievementGrant[] = [];
  const eventKey = `match:${matchId}`;
  for (const e of entries) {
    const won = e.rank === 1;
    if (won && !history.winningArchitectures.has(e.run.architecture)) grants.push({ playerId: e.run.playerId, key: 'architecture-innovator', eventKey });
    if (won && e.run.controls.some((c) => c.control.type === 'rewind')) grants.push({ playerId: e.run.playerId, key: 'comeback', eventKey });
    if (entries.some((o) => o.rank > e.rank && o.run.playerId !== e.run.playerId && o.muBefore - e.muBefore >= GIANT_GAP)) grants.push({ playerId: e.run.playerId, key: 'giant-slayer', eventKey });
  }
  return grants;
}
