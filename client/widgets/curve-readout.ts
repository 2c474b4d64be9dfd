import { h } from '../shell/dom.ts';

/** What the read-out shows at the pointer: the plot x it snaps to, and one line per curve. */
export interface Readout {
  x: number;
  title: string;
  lines: Array<{ color: string; text: string }>;
}

/**
 * The hover read-out of a chart: a small box over the canvas with the figures of every curve at the point
 * nearest the pointer (`readAt` answers them for a pointer x in CSS pixels), and the guide's x to `onGuide`.
 */
export class CurveReadout {
  readonly element = h('div', { class: 'curve-readout', role: 'status', hidden: true });
  private readonly host: HTMLElement;

  constructor(host: HTMLElement, readAt: (x: number) => Readout | undefined, onGuide: (x: number | undefined) => void) {
    this.host = host;
    host.append(this.element);
    host.addEventListener('pointermove', (e) => {
      const box = host.getBoundingClientRect();
      const r = readAt(e.clientX - box.left);
      if (!r) return this.hide(onGuide);
      this.element.replaceChildren(h('strong', {}, r.title), ...r.lines.map((l) => h('div', {}, h('span', { class: 'swatch', style: `background:${l.color}` }), l.text)));
      this.element.hidden = false;
      // beside the guide, on whichever side has room
      const right = r.x + 12 + this.element.offsetWidth < box.width;
      this.element.style.left = `${Math.round(right ? r.x + 12 : r.x - 12 - this.element.offsetWidth)}px`;
      onGuide(r.x);
    });
    host.addEventListener('pointerleave', () => this.hide(onGuide));
  }

  private hide(onGuide: (x: number | undefined) => void): void {
    this.element.hidden = true;
    onGuide(undefined);
  }
}
