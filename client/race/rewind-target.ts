/**
 * The checkpoint a race's rewind button offers: the automatic checkpoint (one every `every` steps) about a
 * quarter of the way back from `step`, or the earliest the run still keeps (`rewindFrom`, see RaceEntry) if that
 * one has been let go. Undefined until the run has passed its first checkpoint after the start (or, resumed
 * after a restart, after `rewindFrom`).
 */
export function rewindTarget(step: number, every: number, rewindFrom: number): number | undefined {
  if (every <= 0 || step <= every) return undefined;
  const latest = Math.floor(step / every) * every;
  if (rewindFrom > latest) return undefined;
  const quarterBack = Math.floor((step * 0.75) / every) * every;
  return Math.max(quarterBack, rewindFrom);
}
