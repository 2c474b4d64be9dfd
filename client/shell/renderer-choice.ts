/** What this browser can draw with, best first. */
export type RendererKind = 'webgpu' | 'webgl' | 'canvas';

/** What was found when probing the browser. */
export interface RendererCapabilities {
  /** `navigator.gpu.requestAdapter()` gave an adapter. */
  webgpuAdapter: boolean;
  /** A WebGL2 (or WebGL) context could be created; not probed (undefined) where a WebGPU adapter was found. */
  webgl?: boolean;
}

/** What the page's renderer badge says for the renderer a view uses (Pixi's name for it, or a RendererKind). */
export function rendererLabel(kind: string): string {
  return kind === 'webgpu' ? 'WebGPU' : kind === 'webgl' ? 'WebGL' : 'Canvas 2D';
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

/** What `detectCapabilities` looks at: the WebGPU entry point and a way to make a canvas (injectable for tests). */
export interface BrowserProbe {
  gpu?: GpuLike;
  createCanvas(): { getContext(kind: string): unknown };
}

/** The adapter request public/renderer-probe.js started as the page began (undefined without navigator.gpu or that script). */
declare global {
  var arenaAdapterRequest: Promise<unknown> | undefined;
}

function browserProbe(): BrowserProbe {
  const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu;
  const early = globalThis.arenaAdapterRequest;
  return {
    // The request already under way is the answer: asking again would wait as long once more.
    gpu: gpu && early ? { requestAdapter: () => early } : gpu,
    // A throwaway context, not Pixi's check: Pixi loads only once a view starts drawing (see loadPixi), after a
    // room's page has shown its state; only the views that draw wait for this answer.
    createCanvas: () => document.createElement('canvas'),
  };
}

/** Probes the browser once (an adapter request can take a moment). A failing adapter request counts as no adapter. */
export async function detectCapabilities(probe: BrowserProbe = browserProbe()): Promise<RendererCapabilities> {
  let webgpuAdapter = false;
  if (probe.gpu) {
    try {
      webgpuAdapter = (await probe.gpu.requestAdapter()) != null;
    } catch {
      webgpuAdapter = false;
    }
  }
  if (webgpuAdapter) return { webgpuAdapter }; // WebGPU is the choice: no WebGL context is made to find out more
  const canvas = probe.createCanvas();
  let webgl = false;
  try {
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    webgl = Boolean(gl);
    // The probe's context is given back at once: the browser keeps only a few live ones.
    ((gl as WebGLRenderingContext | null)?.getExtension?.('WEBGL_lose_context') as { loseContext(): void } | null | undefined)?.loseContext();
  } catch {
    webgl = false;
  }
  return { webgpuAdapter, webgl };
}

let chosen: Promise<RendererKind> | undefined;
/** The renderer every view of this page uses. */
export function chooseRenderer(): Promise<RendererKind> {
  chosen ??= detectCapabilities().then(pickRenderer);
  return chosen;
}
