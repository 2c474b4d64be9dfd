/**
 * What `arena replay` is given: a run file (`arena train --export`), a run as
 * `GET /api/runs/:id` answers (its `runFile`), or a stored match
 * (`GET /api/matches/:id`, or the match page's address), read from a file or
 * fetched over HTTP. A match's runs are fetched from the same server.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { Match } from '../shared/match.schema.ts';
import { RunFile } from '../shared/run.schema.ts';
import { describeZodError } from '../shared/validation.ts';
import { UsageError } from './usage-error.ts';

/** One run to replay, and where it came from (for messages). */
export interface RunToReplay {
  label: string;
  run: RunFile;
}

export type ReplaySource = { kind: 'run'; item: RunToReplay } | { kind: 'match'; match: Match; url: URL };

/** Longest answer read from a server (a match with 8 entries and curves is well under this). */
const MAX_BYTES = 8 * 1024 * 1024;

/** The match page's address (`…/#/matches/ID`) becomes the API's (`…/api/matches/ID`); other URLs are kept. */
export function apiUrlOf(source: string): URL {
  const url = new URL(source);
  const page = /^#\/matches\/([0-9a-f-]{36})$/i.exec(url.hash)?.[1];
  return page ? new URL(`/api/matches/${page}`, url.origin) : url;
}

async function fetchJson(url: URL): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' } });
  } catch (err) {
    throw new UsageError(`${url.href}: the server cannot be reached (${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)})`);
  }
  const text = await res.text();
  if (text.length > MAX_BYTES) throw new UsageError(`${url.href}: the answer is larger than ${MAX_BYTES} bytes`);
  if (!res.ok) throw new UsageError(`${url.href}: the server answered ${res.status}${text ? `: ${text.slice(0, 300)}` : ''}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${url.href}: the answer is not JSON`);
  }
}

async function readJson(source: string): Promise<unknown> {
  if (/^https?:\/\//i.test(source)) return fetchJson(apiUrlOf(source));
  try {
    return JSON.parse(await readFile(source, 'utf8'));
  } catch (err) {
    throw new UsageError(`${source}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A run file, or the `runFile` of a run as the API gives it. */
function runFileOf(raw: unknown, where: string): RunFile {
  const inner = raw && typeof raw === 'object' && 'runFile' in raw ? (raw as { runFile: unknown }).runFile : raw;
  const parsed = RunFile.safeParse(inner);
  if (!parsed.success) throw new UsageError(`${where}: ${describeZodError(parsed.error).message}`);
  return parsed.data;
}

const LooksLikeMatch = z.object({ entries: z.array(z.unknown()), kind: z.string() });

/** Reads and classifies what `arena replay` was given. */
export async function loadReplaySource(source: string): Promise<ReplaySource> {
  const raw = await readJson(source);
  if (LooksLikeMatch.safeParse(raw).success) {
    if (!/^https?:\/\//i.test(source)) throw new UsageError(`${source}: this is a match; replay it from its address (http://HOST/api/matches/ID) so that its runs can be fetched`);
    const parsed = Match.safeParse(raw);
    if (!parsed.success) throw new UsageError(`${source}: ${describeZodError(parsed.error).message}`);
    return { kind: 'match', match: parsed.data, url: apiUrlOf(source) };
  }
  return { kind: 'run', item: { label: source, run: runFileOf(raw, source) } };
}

/** The run files of a match's entries that finished, fetched from the server the match came from. */
export async function matchRuns(match: Match, matchUrl: URL): Promise<RunToReplay[]> {
  const finished = match.entries.filter((e) => e.status === 'finished');
  return Promise.all(
    finished.map(async (e) => {
      const url = new URL(`../runs/${encodeURIComponent(e.runId)}`, matchUrl);
      return { label: `${e.player} (seat ${e.seat}, run ${e.runId})`, run: runFileOf(await fetchJson(url), url.href) };
    }),
  );
}
