import type { OptimizerName } from '../../shared/model-spec.schema.ts';
import type { DetectorState } from './detectors.ts';
import type { ConvCheckpoint } from './image-stem.ts';
import type { DenseLayer } from './network.ts';

/** One layer as a checkpoint keeps it. */
export interface LayerCheckpoint {
  activation: DenseLayer['activation'];
  dropout: number;
  frozen: boolean;
  fanIn: number;
  fanOut: number;
  kernel: Float32Array;
  bias: Float32Array;
  kernelSlots: Float32Array[];
  biasSlots: Float32Array[];
}

/**
 * Everything a run needs to go on exactly where it was: weights, optimizer
 * state, random state and data position (and the training set itself when a
 * control changed it). Plain data, so it serialises to bytes and back.
 */
export interface Checkpoint {
  runId: string;
  step: number;
  samplesSpent: number;
  layers: LayerCheckpoint[];
  /** Conv nets only: the conv layers, in order. */
  stem?: ConvCheckpoint[];
  optimizer: { name: OptimizerName; learningRate: number; t: number };
  batchSize: number;
  augment: boolean;
  /** The difficulty ramp, when a `setDifficulty` control made it differ from the task's. */
  ramp?: number;
  rng: { batch: number; control: number };
  order: Uint32Array;
  cursor: number;
  /** Present only when controls changed the training set. */
  train?: { x: Float32Array; y: Float32Array; count: number };
  additions: number;
  detectors: DetectorState;
  /** How many entries of the run's control log had taken effect. */
  controlsApplied: number;
  /** Early stopping: the best automatic checkpoint so far on the validation split (absent without early stopping). */
  earlyStopBest?: { step: number; samples: number; loss: number; accuracy: number };
}

const MAGIC = 0x4b434147; // "GACK"
/** One encoder for every checkpoint (a run encodes one every 50 steps). */
const UTF8 = new TextEncoder();

/** Serialises a checkpoint: a JSON header followed by the raw typed arrays. */
export function encodeCheckpoint(cp: Checkpoint): Uint8Array {
  const blobs: Array<Float32Array | Uint32Array> = [];
  const header = JSON.stringify(cp, (_key, value: unknown) => {
    if (value instanceof Float32Array) return { $f32: blobs.push(value) - 1 };
    if (value instanceof Uint32Array) return { $u32: blobs.push(value) - 1 };
    if (typeof value === 'number' && !Number.isFinite(value)) return { $num: String(value) };
    return value;
  });
  const headerBytes = UTF8.encode(header);
  const pad = (n: number) => (4 - (n % 4)) % 4;
  let size = 8 + headerBytes.length + pad(headerBytes.length);
  for (const b of blobs) size += 4 + b.byteLength;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, headerBytes.length, true);
  out.set(headerBytes, 8);
  let offset = 8 + headerBytes.length + pad(headerBytes.length);
  for (const b of blobs) {
    view.setUint32(offset, b.byteLength, true);
    out.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), offset + 4);
    offset += 4 + b.byteLength;
  }
  return out;
}

/** Reads bytes written by `encodeCheckpoint`; throws a clear error on anything else. */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  if (bytes.byteLength < 8) throw new Error('not a checkpoint: too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new Error('not a checkpoint: bad magic number');
  const headerLength = view.getUint32(4, true);
  if (8 + headerLength > bytes.byteLength) throw new Error('not a checkpoint: truncated header');
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
  let offset = 8 + headerLength + ((4 - (headerLength % 4)) % 4);
  const blobs: Uint8Array[] = [];
  while (offset < bytes.byteLength) {
    const len = view.getUint32(offset, true);
    if (offset + 4 + len > bytes.byteLength) throw new Error('not a checkpoint: truncated data');
    blobs.push(bytes.slice(offset + 4, offset + 4 + len)); // copy: aligned and detached from the input
    offset += 4 + len;
  }
  return JSON.parse(header, (_key, value: unknown) => {
    if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      if (typeof v.$f32 === 'number') return new Float32Array(blobs[v.$f32]!.buffer);
      if (typeof v.$u32 === 'number') return new Uint32Array(blobs[v.$u32]!.buffer);
      if (typeof v.$num === 'string') return Number(v.$num);
    }
    return value;
  }) as Checkpoint;
}
