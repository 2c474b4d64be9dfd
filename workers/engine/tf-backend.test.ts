import { describe, expect, it } from 'vitest';
import { backendProblem } from './tf-backend.ts';

describe('backendProblem', () => {
  it('names tfjs-node-gpu that found no GPU device (it trains on the CPU)', () => {
    expect(backendProblem('tfjs-node-gpu', { isGPUPackage: true, isUsingGpuDevice: false })).toMatch(/no GPU device/);
  });

  it('has nothing to say about a GPU backend on a GPU, or about the others', () => {
    expect(backendProblem('tfjs-node-gpu', { isGPUPackage: true, isUsingGpuDevice: true })).toBeUndefined();
    expect(backendProblem('tfjs-node', { isGPUPackage: false, isUsingGpuDevice: false })).toBeUndefined();
    expect(backendProblem('wasm', {})).toBeUndefined();
    expect(backendProblem('cpu', {})).toBeUndefined();
  });
});
