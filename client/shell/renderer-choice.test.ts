import { describe, expect, it } from 'vitest';
import { detectCapabilities, pickRenderer, type BrowserProbe } from './renderer-choice.ts';

/** A browser as the probe sees it: what requestAdapter does, and which contexts a canvas gives. */
function browser(adapter: 'adapter' | 'null' | 'throws' | 'no-gpu', contexts: string[]): BrowserProbe {
  return {
    ...(adapter === 'no-gpu'
      ? {}
      : {
          gpu: {
            requestAdapter: async () => {
              if (adapter === 'throws') throw new Error('GPU process unavailable');
              return adapter === 'adapter' ? { features: new Set() } : null;
            },
          },
        }),
    createCanvas: () => ({ getContext: (kind: string) => (contexts.includes(kind) ? { kind } : null) }),
  };
}

const choose = async (probe: BrowserProbe) => pickRenderer(await detectCapabilities(probe));

describe('renderer choice', () => {
  it('takes WebGPU when the browser gives a working adapter', async () => {
    expect(await choose(browser('adapter', ['webgl2', 'webgl']))).toBe('webgpu');
    expect(await choose(browser('adapter', []))).toBe('webgpu');
  });

  it('makes no WebGL context when a WebGPU adapter answers (it would wake the GPU process for nothing)', async () => {
    let canvases = 0;
    const probe = browser('adapter', ['webgl2']);
    const counted: BrowserProbe = { ...probe, createCanvas: () => (canvases++, probe.createCanvas()) };
    expect(await choose(counted)).toBe('webgpu');
    expect(canvases).toBe(0);
    expect(await choose(browser('null', ['webgl2']))).toBe('webgl');
  });

  it('falls back to WebGL when there is no adapter, the request fails, or there is no navigator.gpu', async () => {
    expect(await choose(browser('null', ['webgl2']))).toBe('webgl');
    expect(await choose(browser('throws', ['webgl2']))).toBe('webgl');
    expect(await choose(browser('no-gpu', ['webgl2']))).toBe('webgl');
    expect(await choose(browser('null', ['webgl']))).toBe('webgl'); // WebGL 1 is enough
  });

  it('draws on a 2D canvas when neither WebGPU nor WebGL is there', async () => {
    expect(await choose(browser('null', []))).toBe('canvas');
    expect(await choose(browser('throws', []))).toBe('canvas');
    const broken: BrowserProbe = { createCanvas: () => ({ getContext: () => { throw new Error('context lost'); } }) };
    expect(await choose(broken)).toBe('canvas');
  });

  it('decides from the capabilities alone', () => {
    expect(pickRenderer({ webgpuAdapter: true, webgl: false })).toBe('webgpu');
    expect(pickRenderer({ webgpuAdapter: false, webgl: true })).toBe('webgl');
    expect(pickRenderer({ webgpuAdapter: false, webgl: false })).toBe('canvas');
  });
});
