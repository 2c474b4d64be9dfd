import { PNG } from 'pngjs';

/** What a screenshot holds: how many distinct colours, and what share differs from its most common colour. */
export interface PixelStats {
  width: number;
  height: number;
  distinctColors: number;
  /** Share of pixels not of the most common colour (0 means one flat colour). */
  inkFraction: number;
}

export function pixelStats(png: Buffer): PixelStats {
  const img = PNG.sync.read(png);
  const counts = new Map<number, number>();
  for (let i = 0; i < img.data.length; i += 4) {
    const key = (img.data[i]! << 16) | (img.data[i + 1]! << 8) | img.data[i + 2]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const total = img.width * img.height;
  const most = Math.max(...counts.values());
  return { width: img.width, height: img.height, distinctColors: counts.size, inkFraction: 1 - most / total };
}

/** Share of pixels that differ between two screenshots of the same size. */
export function changedFraction(a: Buffer, b: Buffer): number {
  const x = PNG.sync.read(a);
  const y = PNG.sync.read(b);
  if (x.width !== y.width || x.height !== y.height) return 1;
  let changed = 0;
  for (let i = 0; i < x.data.length; i += 4) {
    if (x.data[i] !== y.data[i] || x.data[i + 1] !== y.data[i + 1] || x.data[i + 2] !== y.data[i + 2]) changed++;
  }
  return changed / (x.width * x.height);
}
