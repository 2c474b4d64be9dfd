/** XP for taking part in a race, plus a bonus by place: 20 + 10 per entry beaten. */
export function raceXp(rank: number, entries: number): number {
  return 20 + 10 * Math.max(0, entries - rank);
}

/** The Monday (UTC) of the week an instant falls in, as YYYY-MM-DD: the key of weekly boards. */
export function weekOf(at: Date): string {
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const day = (d.getUTCDay() + 6) % 7; // Monday = 0
  d.setUTCDate(d.getUTCDate() - day);
  return d.toISOString().slice(0, 10);
}
