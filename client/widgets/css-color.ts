let probe: CanvasRenderingContext2D | null | undefined;

/**
 * A CSS custom property as [r, g, b] (0–255), whatever notation the style
 * sheet used (`#fff`, `#ffffff`, `rgb(…)`): the canvas normalises it.
 */
export function cssRgb(name: string, fallback: readonly [number, number, number]): [number, number, number] {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  probe ??= document.createElement('canvas').getContext('2d');
  if (!value || !probe) return [...fallback];
  probe.fillStyle = '#000000';
  probe.fillStyle = value;
  const m = /^#([0-9a-f]{6})$/i.exec(String(probe.fillStyle));
  if (!m) return [...fallback];
  const n = parseInt(m[1]!, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
