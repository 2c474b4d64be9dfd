import { Engine } from '@babylonjs/core/Engines/engine.js';
import type { AbstractEngine } from '@babylonjs/core/Engines/abstractEngine.js';
import type { RendererKind } from './renderer-choice.ts';

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
