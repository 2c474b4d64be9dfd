/**
 * A small picture of the network: one bar per layer (input, hidden, output),
 * its height in proportion to the layer's width, joined by bands.
 */

const SVG = 'http://www.w3.org/2000/svg';

/** One layer's bar, in diagram units. */
export interface DiagramBar {
  x: number;
  y: number;
  width: number;
  height: number;
  units: number;
}

/**
 * Lays out one bar per width across `width`×`height`, each as tall as its
 * share of the widest layer (at least `minHeight`), centred vertically.
 */
export function diagramLayout(widths: readonly number[], width: number, height: number, minHeight = 4): DiagramBar[] {
  const n = widths.length;
  if (n === 0) return [];
  const max = Math.max(1, ...widths);
  const barWidth = Math.min(14, width / (n * 2));
  const step = n > 1 ? (width - barWidth) / (n - 1) : 0;
  return widths.map((units, i) => {
    const h = Math.max(minHeight, (Math.max(0, units) / max) * height);
    return { x: n > 1 ? i * step : (width - barWidth) / 2, y: (height - h) / 2, width: barWidth, height: h, units };
  });
}

function el(tag: string, attrs: Record<string, string | number>): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** Draws the diagram for these widths into `svg` (replacing what was there). */
export function drawNetworkDiagram(svg: SVGSVGElement, widths: readonly number[], width = 300, height = 64): void {
  svg.setAttribute('viewBox', `0 0 ${width} ${height + 14}`);
  const bars = diagramLayout(widths, width, height);
  const parts: SVGElement[] = [];
  for (let i = 1; i < bars.length; i++) {
    const a = bars[i - 1]!;
    const b = bars[i]!;
    parts.push(el('polygon', { class: 'diagram-band', points: `${a.x + a.width},${a.y} ${b.x},${b.y} ${b.x},${b.y + b.height} ${a.x + a.width},${a.y + a.height}` }));
  }
  bars.forEach((b, i) => {
    const kind = i === 0 ? 'input' : i === bars.length - 1 ? 'output' : 'hidden';
    parts.push(el('rect', { class: `diagram-bar ${kind}`, x: b.x, y: b.y, width: b.width, height: b.height, rx: 2 }));
    const label = el('text', { class: 'diagram-label', x: b.x + b.width / 2, y: height + 12, 'text-anchor': 'middle' });
    label.textContent = String(b.units);
    parts.push(label);
  });
  svg.replaceChildren(...parts);
}

/** A fresh diagram element. */
export function networkDiagram(id: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg') as SVGSVGElement;
  svg.setAttribute('id', id);
  svg.setAttribute('class', 'network-diagram');
  svg.setAttribute('role', 'img');
  return svg;
}
