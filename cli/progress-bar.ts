/** A one-line progress bar with ETA for terminals. */
export function progressLine(done: number, total: number, elapsedSec: number, extra: string, width = 30): string {
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(frac * width);
  const eta = frac > 0 ? (elapsedSec * (1 - frac)) / frac : NaN;
  const etaText = Number.isFinite(eta) ? `${eta.toFixed(1)}s left` : '…';
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${etaText} ${extra}`;
}

/** Rewrites the current terminal line. */
export function writeProgress(stream: NodeJS.WriteStream, line: string): void {
  stream.write(`\r\x1b[2K${line}`);
}
