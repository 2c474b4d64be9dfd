/** A one-line progress bar for terminals; `eta` says the time left (see shared/run-outlook.ts). */
export function progressLine(done: number, total: number, eta: string, extra: string, width = 30): string {
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(frac * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${eta} ${extra}`;
}

/** Rewrites the current terminal line. */
export function writeProgress(stream: NodeJS.WriteStream, line: string): void {
  stream.write(`\r\x1b[2K${line}`);
}
