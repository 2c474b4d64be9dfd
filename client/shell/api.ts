import type { AchievementInfo, ClimbGuide, LeaderboardPage, PlayerProfile } from '../../shared/api.schema.ts';
import type { StoredMatch } from '../../shared/gan-match.schema.ts';
import type { LessonBoard } from '../../shared/lesson.schema.ts';

/** GETs JSON from the arena's API; a failure becomes an Error whose message is the server's words. */
async function getJson<T>(path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path);
  } catch {
    throw new Error('the arena cannot be reached: check your connection');
  }
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  if (!res.ok) throw new Error(body.error?.message ?? `the server answered ${res.status}`);
  return body as T;
}

export const api = {
  leaderboard: (params: Record<string, string | undefined>) => {
    const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
    return getJson<LeaderboardPage>(`/api/leaderboard?${q}`);
  },
  player: (id: string) => getJson<PlayerProfile>(`/api/players/${encodeURIComponent(id)}`),
  achievements: () => getJson<AchievementInfo[]>('/api/achievements'),
  /** A stored race or GAN battle (told apart by `kind`). */
  match: (id: string) => getJson<StoredMatch>(`/api/matches/${encodeURIComponent(id)}`),
  climb: () => getJson<ClimbGuide>('/api/climb'),
  /** A scored lesson's board (the speed run's), with `player`'s own row wherever it is. */
  lessonBoard: (id: string, player?: string) => getJson<LessonBoard>(`/api/lessons/${encodeURIComponent(id)}/board${player ? `?player=${encodeURIComponent(player)}` : ''}`),
};
