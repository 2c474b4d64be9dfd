import { GanDistribution } from '../../shared/gan.schema.ts';
import { TaskName } from '../../shared/task.schema.ts';

/**
 * What an ending's "Next race" keeps of the finished room: a race's or a tournament's task, or a GAN battle's
 * distribution (a GAN's distributions share names with tasks, `moons` and `spiral`, so each has its own parameter).
 */
export type NextMatch = { kind: 'race'; task: TaskName } | { kind: 'gan'; distribution: GanDistribution };

/**
 * "Next race" after an ending: the home page's open rooms with quick join focused, keeping the finished
 * room's task (`/?task=moons#quick-join`) or GAN distribution (`/?gan=ring#quick-join`): quick join picks an
 * open race on that task (or GAN battle on that distribution), or creates one on it.
 */
export function nextRaceHref(next?: NextMatch): string {
  const query = !next ? '' : next.kind === 'race' ? `?task=${encodeURIComponent(next.task)}` : `?gan=${encodeURIComponent(next.distribution)}`;
  return `${location.pathname}${query}#quick-join`;
}

/** What a "Next race" link keeps (`?task=` or `?gan=`), when it names a known task or distribution. */
export function nextMatchOf(search: string): NextMatch | undefined {
  const params = new URLSearchParams(search);
  const task = TaskName.safeParse(params.get('task'));
  if (task.success) return { kind: 'race', task: task.data };
  const distribution = GanDistribution.safeParse(params.get('gan'));
  return distribution.success ? { kind: 'gan', distribution: distribution.data } : undefined;
}

/** The "Next race" link's tooltip. */
export function nextRaceTitle(next?: NextMatch): string {
  if (!next) return 'The open rooms, with a quick join to the race that starts soonest';
  return next.kind === 'race'
    ? `The open rooms, with a quick join to the ${next.task} race that starts soonest (or a new one on ${next.task})`
    : `The open rooms, with a quick join to the ${next.distribution} GAN battle that starts soonest (or a new one on ${next.distribution})`;
}
