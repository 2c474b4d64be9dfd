/** XP needed to reach a level: 50·(level − 1)², so each level asks a little more than the last. */
export function xpForLevel(level: number): number {
  return 50 * (level - 1) ** 2;
}

/** The level XP buys, with where that level starts and the next begins (for an XP bar). */
export function levelOf(xp: number): { level: number; levelStart: number; nextLevelAt: number } {
  const level = Math.floor(Math.sqrt(Math.max(0, xp) / 50)) + 1;
  return { level, levelStart: xpForLevel(level), nextLevelAt: xpForLevel(level + 1) };
}
