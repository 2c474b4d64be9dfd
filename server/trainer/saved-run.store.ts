import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { Control, LoggedControl } from '../../shared/control.schema.ts';
import { TrainJob } from '../../shared/run.schema.ts';
import { describeZodError } from '../../shared/validation.ts';
import { moduleLogger } from '../logger.ts';

const log = moduleLogger('saved-runs');

/** "GARS": a saved run of the embedded trainer. */
const MAGIC = 0x53524147;
/** Bumped when the header changes shape: an older file is refused with a clear message, never misread. */
const FORMAT_VERSION = 1;
const FILE_SUFFIX = '.run';

/** The part of a saved run that is JSON: what the run's thread was told, and its log. */
const SavedRunHeader = z.object({
  /** The job as the thread runs it (after a heal: rebuilt with the log it had applied). */
  job: TrainJob,
  /** Every control that took effect, in order, with whether the job scheduled it or a player sent it live. */
  applied: z.array(LoggedControl.extend({ source: z.enum(['scheduled', 'live']) })),
  /** Live controls sent and not yet applied: sent again once the run goes on. */
  pending: z.array(Control),
  /** The step of the checkpoint that follows the header (absent: the run starts from its job's beginning). */
  checkpointStep: z.number().int().min(0).optional(),
});

/** A run as the embedded trainer saves it, enough to go on after the server process restarts. */
export type SavedRun = z.infer<typeof SavedRunHeader> & {
  /** The latest checkpoint (or the one the run was started from, a fork's): bytes the engine reads back. */
  checkpoint?: Uint8Array;
};

/** A saved run that cannot be read back: missing, truncated, from another format, or not valid. */
export class SavedRunError extends Error {
  readonly code = 'RUN_NOT_RESUMABLE' as const;
}

interface WriteSlot {
  /** The newest state not yet written. */
  latest?: () => SavedRun;
  urgent: boolean;
  busy: Promise<void>;
  removed: boolean;
}

/** File name of a run: ids are uuids in practice, but any id becomes a safe name. */
function fileName(runId: string): string {
  return `${Buffer.from(runId).toString('base64url')}${FILE_SUFFIX}`;
}

function encode(run: SavedRun): Uint8Array {
  const { checkpoint, ...header } = run;
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(12 + json.length + (checkpoint?.byteLength ?? 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  if (checkpoint) out.set(checkpoint, 12 + json.length);
  return out;
}

function decode(bytes: Uint8Array): SavedRun {
  if (bytes.byteLength < 12) throw new SavedRunError('the saved run is truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new SavedRunError('the saved run is not a saved run (bad magic number)');
  const version = view.getUint32(4, true);
  if (version !== FORMAT_VERSION) throw new SavedRunError(`the saved run has format ${version}; this server reads format ${FORMAT_VERSION}`);
  const length = view.getUint32(8, true);
  if (12 + length > bytes.byteLength) throw new SavedRunError('the saved run is truncated');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length)));
  } catch {
    throw new SavedRunError('the saved run has an unreadable header');
  }
  const parsed = SavedRunHeader.safeParse(raw);
  if (!parsed.success) throw new SavedRunError(`the saved run is not valid: ${describeZodError(parsed.error).message}`);
  const rest = bytes.subarray(12 + length);
  if (parsed.data.checkpointStep !== undefined && rest.byteLength === 0) throw new SavedRunError('the saved run lost its checkpoint');
  // A copy at offset 0: the engine reads the checkpoint's arrays in place, which needs 4-byte alignment.
  return { ...parsed.data, ...(rest.byteLength > 0 ? { checkpoint: new Uint8Array(rest) } : {}) };
}

/**
 * Each running run's latest state in a folder, one file per run, so that the
 * embedded trainer can go on with it after the server process dies: written
 * whole to a temporary file and renamed over the old one (a reader sees the
 * old state or the new one, never half of one), deleted when the run ends.
 * Writes of one run never overlap; a run changing faster than its writes land
 * is written once more with its newest state, not once per change.
 *
 * Files are not fsynced: they survive the process being killed (SIGKILL, a
 * crash), not the machine losing power mid-write.
 */
export class SavedRunStore {
  readonly dir: string;
  private readonly writing = new Map<string, WriteSlot>();
  private readonly lastWrite = new Map<string, number>();
  private readonly minIntervalMs: number;
  private tempCounter = 0;

  /** `minIntervalMs`: least time between two writes of one run, unless urgent (default 2000). */
  constructor(dir: string, options: { minIntervalMs?: number } = {}) {
    this.dir = dir;
    this.minIntervalMs = options.minIntervalMs ?? 2000;
    mkdirSync(dir, { recursive: true });
    // Writes a killed process left half done: the run's file before them is whole.
    for (const f of readdirSync(dir)) if (f.endsWith('.tmp')) rmSync(path.join(dir, f), { force: true });
  }

  /** Ids of the runs saved here (by a process that died, when called at start-up). */
  list(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(FILE_SUFFIX))
      .map((f) => Buffer.from(f.slice(0, -FILE_SUFFIX.length), 'base64url').toString());
  }

  /** Whether a run has a file here. */
  has(runId: string): boolean {
    return existsSync(path.join(this.dir, fileName(runId)));
  }

  /** A saved run; throws `SavedRunError` when there is none or it cannot be read. */
  async load(runId: string): Promise<SavedRun> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path.join(this.dir, fileName(runId)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new SavedRunError(`nothing of run ${runId} was saved (it ended, or its file was removed)`);
      throw new SavedRunError(`the saved run ${runId} could not be read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return decode(bytes);
  }

  /**
   * Saves the run's state as `state()` gives it when the write starts. Writes
   * of one run go one at a time; a save made while one is under way is
   * written once it lands (only the newest such save). A run's writes are at
   * least `minIntervalMs` apart unless `urgent` (a control's: the log must
   * not wait).
   */
  save(runId: string, state: () => SavedRun, urgent = false): void {
    const slot = this.writing.get(runId);
    if (slot) {
      if (slot.removed) return;
      slot.latest = state; // the write under way picks this up when it lands
      slot.urgent ||= urgent;
      return;
    }
    const entry: WriteSlot = { latest: state, urgent, busy: Promise.resolve(), removed: false };
    this.writing.set(runId, entry);
    entry.busy = (async () => {
      while (entry.latest && !entry.removed) {
        const wait = entry.urgent ? 0 : (this.lastWrite.get(runId) ?? 0) + this.minIntervalMs - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (entry.removed || !entry.latest) break;
        const next = entry.latest;
        entry.latest = undefined;
        entry.urgent = false;
        this.lastWrite.set(runId, Date.now());
        await this.write(runId, next()).catch((err: unknown) => log.error({ runId, err }, 'could not save a run (after a restart it would go on from an older point)'));
      }
      if (this.writing.get(runId) === entry && !entry.removed) this.writing.delete(runId);
    })();
  }

  private async write(runId: string, run: SavedRun): Promise<void> {
    const target = path.join(this.dir, fileName(runId));
    const temp = `${target}.${process.pid}.${++this.tempCounter}.tmp`;
    await writeFile(temp, encode(run));
    await rename(temp, target);
  }

  /** Deletes a run's file (it ended), after any write of it under way. */
  async remove(runId: string): Promise<void> {
    const slot = this.writing.get(runId);
    if (slot) {
      slot.removed = true;
      await slot.busy;
      this.writing.delete(runId);
    }
    this.lastWrite.delete(runId);
    await rm(path.join(this.dir, fileName(runId)), { force: true });
  }

  /** Waits for every write under way (tests, shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.writing.values()].map((s) => s.busy));
  }
}
