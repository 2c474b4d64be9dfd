import { Engine } from '@babylonjs/core/Engines/engine.js';
import type { AbstractEngine } from '@babylonjs/core/Engines/abstractEngine.js';
import type { Camera } from '@babylonjs/core/Cameras/camera.js';
import type { Scene } from '@babylonjs/core/scene.js';
import type { RendererKind } from './renderer-choice.ts';
import { RenderScheduler } from '../widgets/render-scheduler.ts';

/** A canvas for a Babylon view: fills its host, labelled for screen readers, takes touch gestures for the camera. */
export function babylonCanvas(id: string, label: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.id = id;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  canvas.style.width = '100%';
  canvas.style.height = '100%';
  canvas.style.touchAction = 'none';
  return canvas;
}

/** Starts Babylon on `canvas`: WebGPU when the page chose it and an adapter works, WebGL otherwise. */
export async function startBabylonEngine(canvas: HTMLCanvasElement, preference: RendererKind): Promise<{ engine: AbstractEngine; kind: 'WebGPU' | 'WebGL' }> {
  if (preference === 'webgpu') {
    try {
      const { WebGPUEngine } = await import('@babylonjs/core/Engines/webgpuEngine.js');
      const gpu = new WebGPUEngine(canvas, { antialias: true });
      await gpu.initAsync();
      return { engine: gpu, kind: 'WebGPU' };
    } catch {
      // an adapter that fails here still leaves WebGL
    }
  }
  // loseContextOnDispose: a view that goes gives its WebGL context back at once (the browser keeps only a few).
  return { engine: new Engine(canvas, true, { preserveDrawingBuffer: true, stencil: true, loseContextOnDispose: true }, true), kind: 'WebGL' };
}

/** Frames in a row a scene may spend getting ready (shaders compiling) before it is left until the next change. */
const READY_FRAMES = 300;

/**
 * Renders `scene` on demand instead of in a permanent loop: when the view asks (`request()` on the result, after it
 * changed the scene), while the camera moves (a drag, a wheel, the camera's inertia after them) and while the scene
 * is still getting ready (materials compiling draw nothing yet). An idle scene costs nothing; on a software WebGPU
 * every frame costs milliseconds of the page's only thread. `onReadyFrame` hears of each frame painted with every
 * material ready, i.e. one that shows the whole scene.
 */
export function renderOnDemand(scene: Scene, camera: Camera, canvas: HTMLCanvasElement, onReadyFrame?: () => void): RenderScheduler {
  let notReady = 0;
  const engine = scene.getEngine();
  const frames: RenderScheduler = new RenderScheduler(() => {
    if (engine.isDisposed) return;
    // A frame as the engine's render loop makes one: on WebGPU only endFrame submits what render() recorded.
    engine.beginFrame();
    scene.render();
    engine.endFrame();
    notReady = scene.isReady() ? 0 : notReady + 1;
    if (notReady === 0) onReadyFrame?.();
    else if (notReady < READY_FRAMES) frames.request();
  });
  // The camera's inputs only gather the pointer's moves; they turn into a new view in the next render, whose new
  // view matrix asks for one more frame, and so on until the inertia has died down.
  camera.onViewMatrixChangedObservable.add(() => frames.request());
  const onPointer = (e: PointerEvent | WheelEvent) => {
    if (e.type !== 'pointermove' || e.buttons !== 0) frames.request();
  };
  for (const type of ['pointerdown', 'pointermove', 'pointerup', 'wheel'] as const) canvas.addEventListener(type, onPointer, { passive: true });
  return frames;
}
