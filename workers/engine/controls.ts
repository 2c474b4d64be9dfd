import * as tf from '@tensorflow/tfjs';
import type { Control } from '../../shared/control.schema.ts';
import { deriveSeed } from '../../contract/random.ts';
import { isPlanar, taskKind, taskShape } from '../../shared/task.schema.ts';
import { denseOffset, disposeLayer, layerAt, makeLayer, trainableLayers } from './network.ts';
import { drawPoints, subset, type RawPoints } from './task-data.ts';
import { ControlError } from './control-error.ts';
import type { ControlTarget } from './control-target.ts';
import { bestCheckpoint } from './best-checkpoint.ts';
import { trainCount } from '../../contract/datasets/task-split.ts';

/** Hidden layers as the spec counts them: a conv net's image layers and flatten, then the dense hidden layers. */
function hiddenCount(s: ControlTarget): number {
  return denseOffset(s.net) + s.net.layers.length - 1;
}

/** The dense layer at a spec layer index; refuses a conv net's other layers, saying `why`. */
function denseAt(s: ControlTarget, layer: number, why: string): number {
  const at = layerAt(s.net, layer);
  if (at && at.kind !== 'dense') throw new ControlError(`layer ${layer} is a ${at.kind === 'conv' ? 'conv2d' : at.kind} layer: ${why}`);
  return layer - denseOffset(s.net);
}

function checkHidden(s: ControlTarget, layer: number): void {
  if (layer >= hiddenCount(s)) throw new ControlError(`layer ${layer} does not exist: the network has ${hiddenCount(s)} hidden layers (0 to ${hiddenCount(s) - 1})`);
}

function resetSlots(s: ControlTarget): void {
  for (const l of trainableLayers(s.net)) {
    tf.dispose([...l.kernelSlots, ...l.biasSlots]);
    l.kernelSlots = [];
    l.biasSlots = [];
  }
}

function concatPoints(a: RawPoints, b: RawPoints): RawPoints {
  const x = new Float32Array(a.x.length + b.x.length);
  x.set(a.x);
  x.set(b.x, a.x.length);
  const y = new Float32Array(a.y.length + b.y.length);
  y.set(a.y);
  y.set(b.y, a.y.length);
  return { x, y, count: a.count + b.count, dim: a.dim };
}

function injectNoise(s: ControlTarget, target: 'weights' | 'inputs' | 'labels', strength: number): void {
  const rng = s.controlRng;
  if (target === 'weights') {
    for (const layer of trainableLayers(s.net)) {
      const w = layer.kernel.dataSync();
      let mean = 0;
      for (const v of w) mean += v;
      mean /= w.length;
      let variance = 0;
      for (const v of w) variance += (v - mean) ** 2;
      const std = Math.sqrt(variance / w.length) * strength;
      const noisy = new Float32Array(w.length);
      for (let i = 0; i < w.length; i++) noisy[i] = w[i]! + rng.normal() * std;
      tf.tidy(() => layer.kernel.assign(tf.tensor(noisy, layer.kernel.shape)));
    }
    return;
  }
  const train = s.train;
  if (target === 'inputs') {
    const x = train.x.slice();
    for (let i = 0; i < x.length; i++) x[i] = x[i]! + rng.normal() * strength;
    s.setTrain({ ...train, x });
    return;
  }
  const y = train.y.slice();
  const classes = taskShape(s.job.task.name).outputs;
  for (let i = 0; i < y.length; i++) {
    if (taskKind(s.job.task.name) === 'regression') y[i] = y[i]! + rng.normal() * strength;
    else if (rng.next() < strength) y[i] = rng.int(classes);
  }
  s.setTrain({ ...train, y });
}

/** Input values a training set may grow to by controls (16 MB of float32), unless the task started larger. */
export const MAX_GROWN_TRAIN_VALUES = 4_000_000;

/**
 * The most points a run's training set may hold after samples or points were added: twice what its task starts
 * with, or MAX_GROWN_TRAIN_VALUES input values, whichever is more. Adding without a bound would let one player's
 * controls take the worker's memory.
 */
export function trainingSetLimit(task: Parameters<typeof trainCount>[0], dim: number): number {
  return Math.max(2 * trainCount(task), Math.floor(MAX_GROWN_TRAIN_VALUES / dim));
}

/** Refuses, in words, to add `count` points when the training set would outgrow `trainingSetLimit`. */
function checkRoomFor(s: ControlTarget, count: number): void {
  const limit = trainingSetLimit(s.job.task, s.train.dim);
  if (s.train.count + count > limit) throw new ControlError(`the training set holds ${s.train.count.toLocaleString('en')} points and may hold at most ${limit.toLocaleString('en')}: adding ${count.toLocaleString('en')} would pass that`);
}

/** Planar tasks: the given labelled points join the training set (labels checked against the task). */
function addPoints(s: ControlTarget, points: Extract<Control, { type: 'addPoints' }>['points']): void {
  const { name } = s.job.task;
  if (!isPlanar(name)) throw new ControlError(`${name} has no plane to add points on: add samples instead`);
  const classes = taskShape(name).outputs;
  const classification = taskKind(name) === 'classification';
  points.forEach((p, i) => {
    if (classification && (!Number.isInteger(p.label) || p.label < 0 || p.label >= classes)) throw new ControlError(`point ${i + 1} has label ${p.label}: ${name} has classes 0 to ${classes - 1}`);
  });
  checkRoomFor(s, points.length);
  const more: RawPoints = { x: Float32Array.from(points.flatMap((p) => p.x)), y: Float32Array.from(points.map((p) => p.label)), count: points.length, dim: 2 };
  s.setTrain(concatPoints(s.train, more));
}

/** Planar tasks: drops every training point inside the rectangle from `from` to `to`; refuses to drop none, or all. */
function removePoints(s: ControlTarget, from: readonly [number, number], to: readonly [number, number]): void {
  const { name } = s.job.task;
  if (!isPlanar(name)) throw new ControlError(`${name} has no plane to remove points from: remove samples instead`);
  const [lo1, hi1] = [Math.min(from[0], to[0]), Math.max(from[0], to[0])];
  const [lo2, hi2] = [Math.min(from[1], to[1]), Math.max(from[1], to[1])];
  const { x, y, count } = s.train;
  const keep: number[] = [];
  for (let i = 0; i < count; i++) {
    const [a, b] = [x[2 * i]!, x[2 * i + 1]!];
    if (a < lo1 || a > hi1 || b < lo2 || b > hi2) keep.push(i);
  }
  const area = `[${lo1.toFixed(2)}, ${hi1.toFixed(2)}] × [${lo2.toFixed(2)}, ${hi2.toFixed(2)}]`;
  if (keep.length === count) throw new ControlError(`no training point lies in ${area}: nothing to remove`);
  if (keep.length === 0) throw new ControlError(`every training point lies in ${area}: the training set must keep at least one`);
  s.setTrain(subset(s.train, keep));
}

/** An identity-initialised layer before hidden layer `index`: with a linear (or ReLU after ReLU) activation the function does not change. */
function addLayer(s: ControlTarget, index: number, activation: Extract<Control, { type: 'addLayer' }>['activation']): void {
  const first = denseOffset(s.net);
  if (index > hiddenCount(s) || index < first) throw new ControlError(`a layer can be added at positions ${first} to ${hiddenCount(s)}, not ${index}${first > 0 ? ' (dense layers go after the flatten)' : ''}`);
  const dense = index - first;
  const width = dense === 0 ? s.net.layers[0]!.kernel.shape[0]! : s.net.layers[dense - 1]!.kernel.shape[1]!;
  if (width > 1024) throw new ControlError(`a layer of width ${width} would be wider than the arena allows (1024)`);
  const kernel = new Float32Array(width * width);
  for (let i = 0; i < width; i++) kernel[i * width + i] = 1;
  s.net.layers.splice(dense, 0, makeLayer(kernel, new Float32Array(width), width, width, activation));
}

/** Removes hidden layer `index`, folding its weights into the next layer: K' = K·K₊₁, b' = b·K₊₁ + b₊₁. */
function removeLayer(s: ControlTarget, index: number): void {
  checkHidden(s, index);
  const dense = denseAt(s, index, 'only dense layers can be removed live');
  if (hiddenCount(s) <= 1) throw new ControlError('the network must keep at least one hidden layer');
  const [a, b] = [s.net.layers[dense]!, s.net.layers[dense + 1]!];
  const { kernel, bias } = tf.tidy(() => ({
    kernel: tf.matMul(a.kernel, b.kernel).dataSync() as Float32Array,
    bias: tf.add(tf.matMul(a.bias.reshape([1, -1]), b.kernel).reshape([-1]), b.bias).dataSync() as Float32Array,
  }));
  const merged = makeLayer(kernel, bias, a.kernel.shape[0]!, b.kernel.shape[1]!, b.activation, b.dropout);
  merged.frozen = b.frozen;
  disposeLayer(a);
  disposeLayer(b);
  s.net.layers.splice(dense, 2, merged);
}

/**
 * `keepBest`: the moment itself is kept as a checkpoint (so it is a candidate, and a replay finds the step the
 * log names), then the best kept checkpoint on the validation split is restored and the run ends.
 */
function keepBest(s: ControlTarget, toStep: number | undefined): Control {
  if (toStep !== undefined && toStep !== s.step && !s.checkpoints.has(toStep)) throw new ControlError(`there is no checkpoint at step ${toStep} to keep`);
  s.keepCheckpoint();
  let step = toStep;
  if (step === undefined) {
    const best = bestCheckpoint([...s.checkpoints.values()].map((cp) => ({ step: cp.step, ...s.validationOf(cp) })), s.kind);
    if (!best) throw new ControlError('no kept checkpoint has a finite validation loss: there is no best one to keep');
    step = best.step;
  }
  s.rewind(s.checkpoints.get(step)!);
  s.stop();
  return { type: 'keepBest', toStep: step };
}

/**
 * Applies one control to a session between two steps and returns it as the log keeps it (`keepBest` names
 * the step it chose). Throws ControlError, changing nothing, when the control cannot apply to this run.
 */
export function applyControl(s: ControlTarget, c: Control): Control {
  if (c.type === 'stop') {
    s.stop();
    return c;
  }
  if (c.type === 'keepBest') return keepBest(s, c.toStep);
  applyOther(s, c);
  return c;
}

function applyOther(s: ControlTarget, c: Exclude<Control, { type: 'stop' | 'keepBest' }>): void {
  switch (c.type) {
    case 'setLearningRate':
      s.setOptimizer({ ...s.optimizer, learningRate: c.learningRate });
      return;
    case 'setBatchSize':
      s.setBatchSize(c.batchSize);
      return;
    case 'setOptimizer':
      resetSlots(s);
      s.setOptimizer({ name: c.optimizer, learningRate: c.learningRate ?? s.optimizer.learningRate, t: 0 });
      return;
    case 'setActivation': {
      checkHidden(s, c.layer);
      const at = layerAt(s.net, c.layer);
      if (at?.kind === 'conv') at.layer.activation = c.activation;
      else s.net.layers[denseAt(s, c.layer, 'it has no activation')]!.activation = c.activation;
      return;
    }
    case 'freeze': {
      if (c.layer > hiddenCount(s)) throw new ControlError(`layer ${c.layer} does not exist: layers are 0 to ${hiddenCount(s)} (the output layer)`);
      const at = layerAt(s.net, c.layer);
      if (at?.kind === 'conv') at.layer.frozen = c.frozen;
      else s.net.layers[denseAt(s, c.layer, 'it has no weights to freeze')]!.frozen = c.frozen;
      return;
    }
    case 'injectNoise':
      injectNoise(s, c.target, c.strength);
      return;
    case 'setAugmentation':
      s.setAugmentation(c.enabled);
      return;
    case 'addSamples': {
      checkRoomFor(s, c.count);
      const more = drawPoints(s.job.task, c.count, deriveSeed(s.job.seed, `add:${s.nextAddition()}`));
      s.setTrain(concatPoints(s.train, more));
      return;
    }
    case 'removeSamples': {
      if (c.count >= s.train.count) throw new ControlError(`the training set has ${s.train.count} points: at most ${s.train.count - 1} can be removed`);
      const keep = s.train.count - c.count;
      s.setTrain({ x: s.train.x.slice(0, keep * s.train.dim), y: s.train.y.slice(0, keep), count: keep, dim: s.train.dim });
      return;
    }
    case 'addPoints':
      addPoints(s, c.points);
      return;
    case 'removePoints':
      removePoints(s, c.from, c.to);
      return;
    case 'setDifficulty':
      s.setRamp(c.ramp);
      return;
    case 'addLayer':
      addLayer(s, c.index, c.activation);
      return;
    case 'removeLayer':
      removeLayer(s, c.layer);
      return;
    case 'spendBudget':
      s.spend(c.samples);
      return;
    case 'pause':
    case 'resume':
      return; // the driver stops and starts stepping; nothing in the model changes
    case 'checkpoint':
      s.keepCheckpoint();
      return;
    case 'rewind': {
      const cp = s.checkpoints.get(c.toStep);
      if (!cp) throw new ControlError(`there is no checkpoint at step ${c.toStep}; checkpoints: ${[...s.checkpoints.keys()].sort((x, y) => x - y).join(', ') || 'none'}`);
      s.rewind(cp);
      return;
    }
  }
}
