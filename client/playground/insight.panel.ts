import { unpackBoundary, type PlaygroundProbeMessage, type ProbeLayer } from '../../shared/playground.messages.ts';
import type { ActivationMapsView } from './activation-maps.view.ts';
import { byId, h } from '../shell/dom.ts';
import { figure, inputMaps, layerHealth, resampleGrid, strongestEdges, unitIntensity, unpackMaps } from './insight.summary.ts';
import type { LayerHeatmapsView } from './layer-heatmaps.view.ts';
import type { NetworkGraphView } from './network-graph.view.ts';
import type { RendererKind } from '../shell/renderer-choice.ts';
import { isPageShortcut } from '../widgets/page-keys.ts';

/** Probes the layer view replays when it opens (its strips are this wide). */
const KEEP = 120;
/** Edges the 3D graph draws at most. */
const MAX_EDGES = 400;

type Tab = 'layers' | 'neurons' | 'graph';
const TABS: Array<{ id: Tab; label: string; key: string }> = [
  { id: 'layers', label: 'Layers', key: 'w' },
  { id: 'neurons', label: 'Neurons', key: 'a' },
  { id: 'graph', label: '3D graph', key: 'g' },
];

/** What the page knows about the layers, for names and health. */
export interface LayerInfo {
  activations: readonly string[];
  frozen: readonly boolean[];
}

/**
 * "Inside the network": three views opened from tabs (click, arrow keys, or
 * `w`, `a`, `g`): per-layer weight and gradient heatmaps with a health row
 * that warns in words, per-unit activation maps of a chosen layer, and the
 * network as a 3D graph. Each view starts the first time it is opened; the 3D
 * one loads Babylon then.
 */
export class InsightPanel {
  readonly element: HTMLElement;
  private readonly renderer: () => Promise<RendererKind>;
  private readonly info: () => LayerInfo;
  private readonly history: ProbeLayer[][] = [];
  private latest?: PlaygroundProbeMessage;
  private open?: Tab;
  private layers?: Promise<LayerHeatmapsView>;
  private neurons?: Promise<ActivationMapsView>;
  private graph?: Promise<NetworkGraphView>;
  private readonly buttons = new Map<Tab, HTMLButtonElement>();
  private readonly layerSelect = h('select', { id: 'neuron-layer', 'aria-label': 'Layer whose units to show' });

  constructor(renderer: () => Promise<RendererKind>, info: () => LayerInfo) {
    this.renderer = renderer;
    this.info = info;
    const tablist = h('div', { class: 'tabs insight-tabs', role: 'tablist', 'aria-label': 'Inside the network' });
    for (const t of TABS) {
      const b = h('button', { id: `insight-tab-${t.id}`, type: 'button', class: 'tab', role: 'tab', 'aria-selected': 'false', 'aria-controls': `insight-${t.id}`, tabindex: '-1', title: `${t.label} (${t.key})` }, t.label);
      b.addEventListener('click', () => this.show(t.id));
      tablist.append(b);
      this.buttons.set(t.id, b);
    }
    this.buttons.get('layers')!.tabIndex = 0;
    tablist.addEventListener('keydown', (e) => {
      const i = TABS.findIndex((t) => t.id === (document.activeElement as HTMLElement).id.replace('insight-tab-', ''));
      if (i < 0 || (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft')) return;
      e.preventDefault();
      const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]!;
      this.buttons.get(next.id)!.focus();
      this.show(next.id);
    });
    this.layerSelect.addEventListener('change', () => this.drawNeurons());
    const pane = (id: Tab, ...children: Array<Node | string>) => h('div', { id: `insight-${id}`, role: 'tabpanel', 'aria-labelledby': `insight-tab-${id}`, class: 'insight-pane', hidden: true }, ...children);
    this.element = h(
      'section',
      { class: 'panel', id: 'insight-panel' },
      h('div', { class: 'row' }, h('h2', {}, 'Inside the network ', h('span', { class: 'muted', id: 'insight-step' }, '')), tablist),
      pane(
        'layers',
        h('p', { class: 'muted' }, 'Each layer’s weights and gradients over time: a row is a value, a column a probe, brighter where more values fall. Healthy layers spread and keep moving.'),
        h('ul', { id: 'layer-health', class: 'layer-health' }),
        h('div', { id: 'layer-heatmaps', class: 'insight-canvas' }),
      ),
      pane(
        'neurons',
        h('div', { class: 'row neuron-controls' }, h('label', { for: 'neuron-layer' }, 'Layer'), this.layerSelect, h('span', { class: 'muted' }, 'What each unit outputs over the plane: blue positive, orange negative, blank where it is silent.')),
        h('div', { id: 'activation-maps', class: 'insight-canvas' }),
      ),
      pane(
        'graph',
        h('p', { class: 'muted', id: 'graph-status' }, 'Units glow and pulse with their mean activation. An edge’s width is how strongly a unit follows the one before it over the plane (the correlation of their outputs), blue when it follows, orange when it opposes; the 400 strongest are drawn. Drag to orbit, scroll to zoom.'),
        h('div', { id: 'network-graph', class: 'terrain-wrap' }),
      ),
    );
    document.addEventListener('keydown', this.onKey);
  }

  private readonly onKey = (e: KeyboardEvent): void => {
    if (!isPageShortcut(e)) return;
    const t = TABS.find((x) => x.key === e.key);
    if (t) this.show(t.id);
  };

  private destroyed = false;

  /** Stops listening for keys and frees the views it started (those still starting, once they have). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    document.removeEventListener('keydown', this.onKey);
    for (const view of [this.layers, this.neurons, this.graph]) void view?.then((v) => v.destroy(), () => {});
  }

  /** A new run: the history starts again. */
  reset(): void {
    this.history.length = 0;
    void this.layers?.then((v) => this.destroyed || v.reset());
  }

  /** Opens a view (starting it the first time). */
  show(tab: Tab): void {
    if (this.destroyed) return;
    this.open = tab;
    for (const t of TABS) {
      const b = this.buttons.get(t.id)!;
      const on = t.id === tab;
      b.classList.toggle('active', on);
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
      byId(`insight-${t.id}`).hidden = !on;
    }
    if (tab === 'layers' && !this.layers) {
      this.layers = (async () => {
        const { LayerHeatmapsView } = await import('./layer-heatmaps.view.ts');
        const v = new LayerHeatmapsView(byId('layer-heatmaps'));
        await v.init(await this.renderer());
        for (const layers of this.history) v.add(layers, this.layerNames(layers.length));
        return v;
      })();
    }
    if (tab === 'neurons' && !this.neurons) {
      this.neurons = (async () => {
        const { ActivationMapsView } = await import('./activation-maps.view.ts');
        const v = new ActivationMapsView(byId('activation-maps'));
        await v.init(await this.renderer());
        return v;
      })();
    }
    if (tab === 'graph' && !this.graph) {
      this.graph = (async () => {
        const { NetworkGraphView } = await import('./network-graph.view.ts');
        const host = byId('network-graph');
        const v = new NetworkGraphView(host);
        host.dataset.engine = await v.init(await this.renderer());
        return v;
      })();
    }
    this.redraw();
  }

  /** A probe from the room. */
  update(p: PlaygroundProbeMessage): void {
    if (this.destroyed) return;
    if (this.latest && p.step < this.latest.step) this.reset(); // a new run (or a rewind) starts the history again
    this.latest = p;
    if (p.layers.length) {
      this.history.push(p.layers);
      if (this.history.length > KEEP) this.history.shift();
      void this.layers?.then((v) => this.destroyed || v.add(p.layers, this.layerNames(p.layers.length)));
    }
    byId('insight-step').textContent = `at step ${p.step}`;
    this.element.dataset.step = String(p.step);
    this.redraw();
  }

  /** What the layer names and health last drew from the room's state (see refreshLayers). */
  private layersKey = '';

  /**
   * The room's state changed: where the layers' activations or frozen flags did (a layer added, say; its state
   * patch can come after the probe that first shows the layer), the open view is drawn again with them.
   */
  refreshLayers(): void {
    const { activations, frozen } = this.info();
    const key = `${activations.join(',')}|${frozen.join(',')}`;
    if (key === this.layersKey) return;
    this.layersKey = key;
    this.redraw();
  }

  private layerNames(count: number): string[] {
    const widths = this.latest?.network?.widths ?? [];
    const acts = this.info().activations;
    return Array.from({ length: count }, (_, i) => (i === count - 1 ? `Output · ${widths[i + 1] ?? ''}` : `Layer ${i + 1} · ${widths[i + 1] ?? '?'} ${acts[i] ?? ''}`));
  }

  private redraw(): void {
    if (!this.latest) return;
    if (this.open === 'layers') this.drawHealth();
    if (this.open === 'neurons') this.drawNeurons();
    if (this.open === 'graph') this.drawGraph();
  }

  private drawHealth(): void {
    const p = this.latest!;
    const names = this.layerNames(p.layers.length);
    const { frozen } = this.info();
    byId('layer-health').replaceChildren(
      ...p.layers.map((l, i) => {
        const s = l.stats;
        const health = layerHealth(s, frozen[i] === true);
        const words = health.findings.length ? health.findings.join(', ') : s ? 'healthy' : 'waiting for figures';
        return h(
          'li',
          { class: `health ${health.level}`, 'data-layer': String(i) },
          h('strong', {}, names[i]!),
          h('span', { class: 'stat' }, s ? `‖grad‖ ${figure(s.gradNorm)} · update ${figure(s.updateRatio)} · dead ${Math.round(s.deadFraction * 100)}%${frozen[i] ? ' · frozen' : ''}` : ''),
          h('span', { class: 'verdict' }, `${health.level === 'ok' ? '' : '⚠ '}${words}`),
        );
      }),
    );
  }

  private drawNeurons(): void {
    const maps = this.latest?.activations;
    const box = byId('activation-maps');
    if (!maps?.length) {
      box.dataset.empty = 'true';
      this.layerSelect.replaceChildren(h('option', {}, 'no maps for this task'));
      return;
    }
    const names = this.layerNames(this.latest!.layers.length);
    const key = maps.map((m) => `${m.layer}:${m.units.length}`).join(',');
    if (this.layerSelect.dataset.key !== key) {
      const keep = this.layerSelect.value;
      this.layerSelect.dataset.key = key;
      this.layerSelect.replaceChildren(...maps.map((m) => h('option', { value: String(m.layer) }, names[m.layer] ?? `Layer ${m.layer + 1}`)));
      if (maps.some((m) => String(m.layer) === keep)) this.layerSelect.value = keep;
    }
    const chosen = maps.find((m) => String(m.layer) === this.layerSelect.value) ?? maps[0]!;
    delete box.dataset.empty;
    box.dataset.step = String(this.latest!.step);
    void this.neurons?.then((v) => this.destroyed || v.show(chosen));
  }

  private drawGraph(): void {
    const p = this.latest!;
    const widths = p.network?.widths;
    if (!widths) return;
    const hidden = (p.activations ?? []).map(unpackMaps);
    let layerMaps: Array<Float32Array[] | undefined> = widths.map(() => undefined);
    if (hidden.length && p.network) {
      const { resolution, extent } = p.activations![0]!;
      const out = widths.at(-1)!;
      let outputs: Float32Array[] | undefined;
      if (p.boundary && (out === 1 || out === 2)) {
        const v = resampleGrid(unpackBoundary(p.boundary), p.boundary.resolution, resolution);
        outputs = out === 1 ? [v] : [v.map((x) => 1 - x), v];
      }
      layerMaps = [inputMaps(p.network.inputs, resolution, extent), ...hidden, outputs];
    }
    const intensity = layerMaps.map((m) => (m ? unitIntensity(m) : undefined));
    const edges = strongestEdges(layerMaps, MAX_EDGES);
    void this.graph?.then((v) => {
      if (this.destroyed) return;
      v.show(widths, intensity, edges);
      byId('network-graph').dataset.step = String(p.step);
    });
  }
}
