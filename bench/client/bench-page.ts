/**
 * The client benchmark's page: draws what a spectator sees, with synthetic
 * data of a chosen size, and times each frame from the data change to the
 * finished picture (the GPU is waited for with `gl.finish()`). The result
 * lands in `window.benchResult` for bench/client.bench.ts to read.
 *   ?view=curves&points=10000   8 learning curves of that many points each
 *   ?view=terrain&resolution=129   the loss terrain on a grid of that side
 *   &renderer=webgpu|webgl         which renderer the view asks for (default webgl); on WebGPU the frame
 *                                  ends when the device's queue has done its work (`onSubmittedWorkDone`)
 */
import { CurveChart, type CurveSeries } from '../../client/widgets/curve-chart.ts';
import { TerrainView } from '../../client/playground/terrain.view.ts';

declare global {
  interface Window {
    benchResult?: { renderer: string; frames: number[] } | { error: string };
  }
}

const params = new URLSearchParams(location.search);
const FRAMES = Number(params.get('frames') ?? 240);
const WARMUP = 20;
const host = document.getElementById('host')!;
const RENDERER = params.get('renderer') === 'webgpu' ? 'webgpu' : 'webgl';

/** The little of a WebGPU device the bench uses (the DOM typings here carry no WebGPU). */
interface QueueOwner {
  queue: { onSubmittedWorkDone(): Promise<void> };
}

/** A deterministic, noisy learning curve of `n` points over `budget` samples. */
function curve(seat: number, n: number, budget: number): CurveSeries {
  let s = seat * 7919 + 1;
  const noise = () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * 0.06;
  const samples: number[] = [];
  const loss: number[] = [];
  const valAccuracy: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = i / n;
    samples.push(Math.round(t * budget));
    loss.push(0.7 * Math.exp(-t * (2 + seat)) + 0.05 + noise());
    valAccuracy.push(0.5 + 0.45 * (1 - Math.exp(-t * (3 + seat))) + noise());
  }
  return { seat, label: `entry ${seat + 1}`, samples, loss, valAccuracy };
}

/**
 * Waits for the GPU (software here) to finish the frame: on WebGL the canvas hands back the context its renderer
 * made; on WebGPU the view's device (read from the renderer's internals) says when its queue is done.
 */
function finisher(canvas: HTMLCanvasElement, device?: QueueOwner): () => void | Promise<void> {
  if (device) return () => device.queue.onSubmittedWorkDone();
  const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
  if (!gl) throw new Error('the view did not draw with WebGL: nothing to time');
  return () => gl.finish();
}

async function benchCurves(points: number): Promise<{ renderer: string; frames: number[] }> {
  const budget = 1_000_000;
  const chart = new CurveChart(host);
  const renderer = await chart.init(RENDERER);
  const canvas = host.querySelector('canvas')!;
  const pixi = chart as unknown as { app: { renderer: { gpu?: { device: QueueOwner } } } };
  const finish = finisher(canvas, renderer === 'webgpu' ? pixi.app.renderer.gpu?.device : undefined);
  // A live race: each frame every entry gains a point at the end, the oldest slides out, so the length stays `points`.
  const series = Array.from({ length: 8 }, (_, seat) => curve(seat, points + FRAMES + WARMUP, budget));
  const frames: number[] = [];
  for (let f = 0; f < FRAMES + WARMUP; f++) {
    await new Promise(requestAnimationFrame);
    const t0 = performance.now();
    chart.update(
      series.map((s) => ({ ...s, samples: s.samples.slice(f, f + points), loss: s.loss.slice(f, f + points), valAccuracy: s.valAccuracy.slice(f, f + points) })),
      budget,
    );
    chart.renderNow();
    await finish();
    if (f >= WARMUP) frames.push(performance.now() - t0);
  }
  return { renderer, frames };
}

async function benchTerrain(resolution: number): Promise<{ renderer: string; frames: number[] }> {
  const view = new TerrainView(host);
  const renderer = await view.init(RENDERER);
  const axis = Array.from({ length: resolution }, (_, i) => -1 + (2 * i) / (resolution - 1));
  const losses: number[] = [];
  for (const b of axis) for (const a of axis) losses.push(0.2 + a * a + 0.6 * b * b + 0.08 * Math.sin(9 * a) * Math.cos(7 * b));
  const trajectory = Array.from({ length: 120 }, (_, i) => {
    const r = 0.9 * (1 - i / 119);
    const th = i / 9;
    const alpha = r * Math.cos(th);
    const beta = r * Math.sin(th);
    return { step: i * 50, alpha, beta, loss: 0.2 + alpha * alpha + 0.6 * beta * beta };
  });
  view.show({ resolution, range: 1, axis, losses, center: 0.2, trajectory });
  // Take over the view's rendering (it renders on demand, here on each camera move) so each frame is timed from
  // the camera move to the finished picture, and rendered once.
  const inner = view as unknown as { engine: { _device?: QueueOwner; beginFrame(): void; endFrame(): void }; frames: { stop(): void; start(): void }; scene: { render(): void }; camera: { alpha: number } };
  inner.frames.stop();
  const finish = finisher(host.querySelector('canvas')!, renderer === 'WebGPU' ? inner.engine._device : undefined);
  const frames: number[] = [];
  for (let f = 0; f < FRAMES + WARMUP; f++) {
    await new Promise(requestAnimationFrame);
    const t0 = performance.now();
    inner.camera.alpha += 0.01; // orbiting, as a spectator drags the view
    // a whole frame, as the view renders it: on WebGPU only endFrame submits what render() recorded
    inner.engine.beginFrame();
    inner.scene.render();
    inner.engine.endFrame();
    await finish();
    if (f >= WARMUP) frames.push(performance.now() - t0);
  }
  // The view renders on demand again (one frame now), as on the page.
  inner.frames.start();
  return { renderer, frames };
}

try {
  const which = params.get('view');
  window.benchResult =
    which === 'terrain' ? await benchTerrain(Number(params.get('resolution') ?? 129)) : await benchCurves(Number(params.get('points') ?? 10_000));
} catch (err) {
  window.benchResult = { error: err instanceof Error ? `${err.message}\n${err.stack}` : String(err) };
}
