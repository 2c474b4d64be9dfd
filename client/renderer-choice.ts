/** What this browser can draw with, best first. */
export type RendererKind = 'webgpu' | 'webgl' | 'canvas';

/** What was found when probing the browser. */
export interface RendererCapabilities {
  /** `navigator.gpu.requestAdapter()` gave an adapter. */
  webgpuAdapter: boolean;
  /** A WebGL2 (or WebGL) context could be created. */
  webgl: boolean;
}

/** WebGPU where a working adapter exists, WebGL otherwise, a 2D canvas as the last resort. */
export function pickRenderer(caps: RendererCapabilities): RendererKind {
  if (caps.webgpuAdapter) return 'webgpu';
  if (caps.webgl) return 'webgl';
  return 'canvas';
}

interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

/** Probes the browser once (an adapter request can take a moment). */
export async function detectCapabilities(): Promise<RendererCapabilities> {
  let webgpuAdapter = false;
  const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu;
  if (gpu) {
    try {
      webgpuAdapter = (await gpu.requestAdapter()) != null;
    } catch {
      webgpuAdapter = false;
    }
  }
  const canvas = document.createElement('canvas');
  const webgl = Boolean(canvas.getContext('webgl2') ?? canvas.getContext('webgl'));
  return { webgpuAdapter, webgl };
}

let chosen: Promise<RendererKind> | undefined;
/** The renderer every view of this page uses. */
export function chooseRenderer(): Promise<RendererKind> {
  chosen ??= detectCapabilities().then(pickRenderer);
  return chosen;
}
