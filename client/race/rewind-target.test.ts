import { describe, expect, it } from 'vitest';
import { rewindTarget } from './rewind-target.ts';

describe("the race's rewind target", () => {
  it('is the checkpoint about a quarter of the way back while the run keeps it', () => {
    expect(rewindTarget(400, 50, 0)).toBe(300);
    expect(rewindTarget(430, 50, 0)).toBe(300); // 322.5, down to a checkpoint
    expect(rewindTarget(1000, 50, 700)).toBe(750);
  });

  it('is the earliest checkpoint the run keeps when the quarter back has been let go', () => {
    // A large network keeps its first and latest 7 checkpoints: at step 2000, those from 1700.
    expect(rewindTarget(2000, 50, 1700)).toBe(1700);
    // After a rewind the step is back below the highest reached; what is kept starts where it did.
    expect(rewindTarget(1750, 50, 1700)).toBe(1700);
  });

  it('is never past the latest checkpoint, and there is none before the first after the start', () => {
    expect(rewindTarget(1710, 50, 1700)).toBe(1700);
    // A run resumed at step 1660 after a restart holds checkpoints from 1700 on: none to offer before then.
    expect(rewindTarget(1690, 50, 1700)).toBeUndefined();
    expect(rewindTarget(40, 50, 0)).toBeUndefined();
    expect(rewindTarget(50, 50, 0)).toBeUndefined();
    expect(rewindTarget(500, 0, 0)).toBeUndefined();
  });
});
