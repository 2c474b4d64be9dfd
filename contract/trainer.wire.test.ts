import { describe, expect, it } from 'vitest';
import { FromTrainer, ToTrainer, TRAINER_WIRE_VERSION, type FromTrainer as FromTrainerMsg } from './trainer.messages.ts';
import { readStreamEntry, readThreadMessage, streamFields, toThread } from './trainer.wire.ts';
import type { TelemetryFrame } from '../shared/run.schema.ts';

const frame: TelemetryFrame = {
  runId: 'r1',
  step: 12,
  samples: 384,
  flops: 1e6,
  loss: 0.5,
  accuracy: 0.75,
  valLoss: 0.625,
  valAccuracy: 0.5,
  learningRate: 0.25,
  batchSize: 32,
  samplesPerSec: 1024,
  createdAt: 1_700_000_000_000,
  layers: [{ gradNorm: 0.5, weightMean: 0, weightStd: 0.25, updateRatio: 0.001953125, deadFraction: 0 }],
};

/** Stream fields as `XREAD` (buffers) gives them back. */
const asRead = (fields: Array<string | Buffer>): Buffer[] => fields.map((f) => (typeof f === 'string' ? Buffer.from(f) : f));

describe('trainer wire', () => {
  it('carries every kind of message over a stream and between threads, unchanged (a frame in its compact binary)', () => {
    const messages: FromTrainerMsg[] = [
      { type: 'frame', frame },
      { type: 'event', event: { runId: 'r1', step: 3, samples: 96, type: 'controlRefused', message: 'layer 5 does not exist', control: { type: 'setActivation', layer: 5, activation: 'tanh' } } },
      { type: 'recovered', runId: 'r1', info: { fromStep: 40, reason: 'training worker crashed' }, stalls: 1 },
      { type: 'failed', runId: 'r1', message: 'out of memory' },
    ];
    for (const msg of messages) {
      const fields = streamFields(msg);
      expect(readStreamEntry(FromTrainer, 'r1', asRead(fields))).toEqual({ ok: true, msg });
      expect(readThreadMessage(FromTrainer, structuredClone(toThread(msg)))).toEqual({ ok: true, msg });
    }
    const frameFields = streamFields({ type: 'frame', frame });
    expect(Buffer.isBuffer(frameFields[5])).toBe(true);
    expect((frameFields[5] as Buffer).byteLength).toBeLessThan(JSON.stringify(frame).length / 3);
    const control = { type: 'control' as const, runId: 'r1', control: { type: 'setLearningRate' as const, learningRate: 0.1 } };
    expect(readStreamEntry(ToTrainer, 'r1', asRead(streamFields(control)))).toEqual({ ok: true, msg: control });
  });

  it('rejects another version, an old unversioned entry, and a malformed message with a clear reason, and never throws', () => {
    const next = TRAINER_WIRE_VERSION + 1;
    const foreign = readStreamEntry(FromTrainer, 'r1', asRead(['v', String(next), 't', 'failed', 'b', '{"type":"failed","runId":"r1","message":"x"}']));
    expect(foreign).toEqual({ ok: false, type: 'failed', error: `trainer wire: version ${next} is not supported (this side reads version ${TRAINER_WIRE_VERSION}): update the server and the workers together` });
    const old = readStreamEntry(FromTrainer, 'r1', asRead(['k', 'e', 'v', '{}']));
    expect(old.ok).toBe(false);
    expect(!old.ok && old.error).toMatch(/^trainer wire: version \{\} is not supported/);
    const unversioned = readThreadMessage(FromTrainer, { type: 'done' });
    expect(!unversioned.ok && unversioned.error).toMatch(/^trainer wire: a message without a version/);
    const badShape = readThreadMessage(FromTrainer, { v: TRAINER_WIRE_VERSION, msg: { type: 'frame', frame: { ...frame, step: 'twelve' } } });
    expect(badShape).toMatchObject({ ok: false, type: 'frame' });
    expect(!badShape.ok && badShape.error).toMatch(/^trainer wire: a 'frame' message that does not parse: frame\.step/);
    const badJson = readStreamEntry(FromTrainer, 'r1', asRead(['v', String(TRAINER_WIRE_VERSION), 't', 'event', 'b', '{not json']));
    expect(!badJson.ok && badJson.error).toMatch(/^trainer wire: an unreadable 'event' entry/);
    const shortFrame = readStreamEntry(FromTrainer, 'r1', asRead(['v', String(TRAINER_WIRE_VERSION), 't', 'frame', 'b', Buffer.alloc(3)]));
    expect(!shortFrame.ok && shortFrame.error).toMatch(/not a telemetry frame/);
    const mislabelled = readStreamEntry(FromTrainer, 'r1', asRead(['v', String(TRAINER_WIRE_VERSION), 't', 'done', 'b', '{"type":"failed","runId":"r1","message":"x"}']));
    expect(!mislabelled.ok && mislabelled.error).toMatch(/type 'done' whose body is of type 'failed'/);
    // The next good entry still reads.
    expect(readStreamEntry(FromTrainer, 'r1', asRead(streamFields({ type: 'frame', frame }))).ok).toBe(true);
  });
});
