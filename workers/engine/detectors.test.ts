import { beforeAll, describe, expect, it } from 'vitest';
import { Control } from '../../shared/control.schema.ts';
import { TrainJob, type RunEvent } from '../../shared/run.schema.ts';
import { detect, formatLoss, initialDetectorState, overfitGap } from './detectors.ts';
import { runTraining } from './training-loop.ts';
import { initBackend } from './tf-backend.ts';

describe('detectors on real training', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('a deep sigmoid network shows vanishing gradients; switching to ReLU and Adam overcomes them', async () => {
    const events: RunEvent[] = [];
    const inbox: Control[] = [];
    await runTraining(
      TrainJob.parse({ runId: 'v', spec: { layers: Array.from({ length: 8 }, () => ({ units: 16, activation: 'sigmoid' })), optimizer: 'sgd', learningRate: 0.1, batchSize: 32 }, task: { name: 'circles' }, seed: 3, budget: 8000 }),
      {
        pullControls: () => inbox.splice(0),
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'vanishingGradients') {
            for (let i = 0; i < 8; i++) inbox.push(Control.parse({ type: 'setActivation', layer: i, activation: 'relu' }));
            inbox.push(Control.parse({ type: 'setOptimizer', optimizer: 'adam', learningRate: 0.005 }));
          }
        },
      },
    );
    const types = events.filter((e) => e.type !== 'control').map((e) => e.type);
    expect(types).toContain('vanishingGradients');
    expect(types.indexOf('gradientsRecovered')).toBeGreaterThan(types.indexOf('vanishingGradients'));
  });

  it('a wide network on noisy labels overfits, and says so; it also reports convergence', async () => {
    const events: RunEvent[] = [];
    await runTraining(
      TrainJob.parse({
        runId: 'o',
        spec: { layers: [{ units: 128, activation: 'relu' }, { units: 128, activation: 'relu' }], optimizer: 'adam', learningRate: 0.01, batchSize: 16 },
        task: { name: 'moons', samples: 200 },
        controls: [{ step: 0, control: { type: 'injectNoise', target: 'labels', strength: 0.4 } }],
        seed: 3,
        budget: 6000,
      }),
      { onEvent: (e) => events.push(e) },
    );
    const overfit = events.find((e) => e.type === 'overfitting');
    expect(overfit?.message).toMatch(/validation loss rose to .* while training loss kept falling/);
    const [rose, best] = [...overfit!.message.matchAll(/\d+\.\d+(?:e-\d+)?/g)].map((x) => Number(x[0]));
    expect(rose! - best!, 'a real gap, readable in the message').toBeGreaterThanOrEqual(overfitGap(best!));
    expect(events.some((e) => e.type === 'converged')).toBe(true);
  });

  it('fires each event once until its condition clears', () => {
    const state = initialDetectorState();
    const m = { loss: 0.1, accuracy: 1, valLoss: 0.1, valAccuracy: 0.99 };
    expect(detect(state, m, [], 0.95).map((e) => e.type)).toEqual(['converged']);
    expect(detect(state, m, [], 0.95)).toEqual([]);
  });
});

/** Runs the detectors over a sequence of (training loss, validation loss) frames and returns the frames where overfitting fired. */
function overfitFrames(frames: ReadonlyArray<{ loss: number; valLoss: number }>): Array<{ at: number; message: string }> {
  const state = initialDetectorState();
  const out: Array<{ at: number; message: string }> = [];
  frames.forEach((f, at) => {
    for (const e of detect(state, { loss: f.loss, accuracy: 0.5, valLoss: f.valLoss, valAccuracy: 0.5 }, [], 1)) if (e.type === 'overfitting') out.push({ at, message: e.message });
  });
  return out;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** A deterministic wobble, like minibatch noise on a light frame. */
const wobble = (i: number, size: number) => size * Math.sin(i * 2.3) * Math.cos(i * 0.7);

describe('the overfitting rule on realistic curves', () => {
  // Training loss keeps falling; validation loss bottoms out, then climbs as the net memorises noise.
  const classic = range(80).map((i) => ({ loss: 0.7 * Math.exp(-i / 12) + 0.02 + wobble(i, 0.005), valLoss: 0.3 + 0.4 * Math.exp(-i / 8) + Math.max(0, i - 30) * 0.008 + wobble(i, 0.01) }));

  it('fires once, after the gap has held for several frames, with readable figures', () => {
    const fired = overfitFrames(classic);
    expect(fired).toHaveLength(1);
    const bottom = classic.reduce((b, f, i) => (f.valLoss < classic[b]!.valLoss ? i : b), 0);
    expect(fired[0]!.at, 'not before the validation loss has turned').toBeGreaterThan(bottom);
    expect(fired[0]!.message).not.toContain('0.000');
  });

  it('stays quiet on a well-trained net whose losses are all near zero (no "rose to 0.000 (best 0.000)")', () => {
    const tiny = range(200).map((i) => ({ loss: 1e-4 * Math.exp(-i / 30) + 1e-6, valLoss: 1e-4 + i * 2e-6 + Math.abs(wobble(i, 2e-5)) }));
    expect(overfitFrames(tiny)).toEqual([]);
  });

  it('stays quiet on a one-frame spike of validation loss', () => {
    const spiky = range(60).map((i) => ({ loss: 0.5 * Math.exp(-i / 15) + 0.05, valLoss: (i === 40 ? 0.9 : 0.3) + wobble(i, 0.005) }));
    expect(overfitFrames(spiky)).toEqual([]);
  });

  it('does not repeat while the gap wobbles, and fires again only after it has closed and reopened', () => {
    const closed = range(20).map((i) => ({ loss: 0.03, valLoss: 0.28 + wobble(i, 0.002) }));
    const reopened = range(40).map((i) => ({ loss: 0.03 - i * 0.0005, valLoss: 0.28 + i * 0.01 + wobble(i, 0.01) }));
    const fired = overfitFrames([...classic, ...closed, ...reopened]);
    expect(fired).toHaveLength(2);
    expect(fired[1]!.at).toBeGreaterThanOrEqual(classic.length + closed.length);
  });

  it('formats small losses with significant digits', () => {
    expect(formatLoss(0.00012)).toBe('0.000120');
    expect(formatLoss(0.4567)).toBe('0.457');
  });
});
