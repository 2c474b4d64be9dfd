import { describe, expect, it } from 'vitest';
import { defaultConcurrency, gpuCount } from './concurrency.ts';

describe('worker concurrency default', () => {
  it('is one per core on CPU backends and one per GPU on tfjs-node-gpu', () => {
    expect(defaultConcurrency('wasm', 8, 0)).toBe(8);
    expect(defaultConcurrency('tfjs-node', 4, 2)).toBe(4);
    expect(defaultConcurrency('tfjs-node-gpu', 32, 2)).toBe(2);
    expect(defaultConcurrency('cpu', 0, 0)).toBe(1);
  });

  it('counts GPUs from CUDA_VISIBLE_DEVICES, else nvidia-smi, else assumes one', () => {
    const smi = () => 'GPU 0: NVIDIA H100 (UUID: GPU-1)\nGPU 1: NVIDIA H100 (UUID: GPU-2)\n';
    expect(gpuCount({ CUDA_VISIBLE_DEVICES: '0,2,3' }, smi)).toBe(3);
    expect(gpuCount({ CUDA_VISIBLE_DEVICES: '' }, smi)).toBe(0);
    expect(gpuCount({}, smi)).toBe(2);
    expect(
      gpuCount({}, () => {
        throw new Error('nvidia-smi: not found');
      }),
    ).toBe(1);
  });
});
