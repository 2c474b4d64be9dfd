import { TaskName } from '../../shared/task.schema.ts';

/**
 * "Next race" after an ending: the home page's open rooms with quick join focused, keeping the finished
 * room's task (`/?task=moons#quick-join`): quick join picks an open race on that task, or creates one on it.
 */
export function nextRaceHref(task?: TaskName): string {
  return `${location.pathname}${task ? `?task=${encodeURIComponent(task)}` : ''}#quick-join`;
}

/** The task a "Next race" link keeps (`?task=`), when it names one. */
export function nextRaceTask(search: string): TaskName | undefined {
  const parsed = TaskName.safeParse(new URLSearchParams(search).get('task'));
  return parsed.success ? parsed.data : undefined;
}
