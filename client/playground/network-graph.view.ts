/**
 * The network as a 3D graph in Babylon.js: one sphere per unit, layers from
 * left (inputs) to right (outputs); edges as thin cylinders whose thickness
 * is the connection's strength and whose colour its sign; nodes glow and
 * grow with their mean activation, easing to each probe's over about a second
 * (then the scene stays still and renders nothing). Loaded on demand like the terrain.
 * Spheres and cylinders are thin instances: two draw calls whatever the size.
 */
import { ArcRotateCamera } from '@babylonjs/core/Cameras/arcRotateCamera.js';
import '@babylonjs/core/Cameras/Inputs/arcRotateCameraPointersInput.js';
import '@babylonjs/core/Cameras/Inputs/arcRotateCameraMouseWheelInput.js';
import type { AbstractEngine } from '@babylonjs/core/Engines/abstractEngine.js';
import { HemisphericLight } from '@babylonjs/core/Lights/hemisphericLight.js';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial.js';
import { Color3, Color4 } from '@babylonjs/core/Maths/math.color.js';
import { Matrix, Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import { CreateCylinder } from '@babylonjs/core/Meshes/Builders/cylinderBuilder.js';
import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder.js';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import '@babylonjs/core/Meshes/thinInstanceMesh.js';
import { Scene } from '@babylonjs/core/scene.js';
import { cssRgb } from '../widgets/css-color.ts';
import { graphLayout, signedColor, type GraphEdge, type GraphNode } from './insight.summary.ts';
import type { RendererKind } from '../shell/renderer-choice.ts';
import { onThemeChange } from '../shell/theme.ts';
import { babylonCanvas, renderOnDemand, startBabylonEngine } from '../shell/babylon-engine.ts';
import type { RenderScheduler } from '../widgets/render-scheduler.ts';

/** Units drawn per layer at most. */
const MAX_UNITS = 48;
const NODE = 0.42;
/** How close to its probe's intensity a node's glow must come to stop easing. */
const SETTLED = 0.004;

export class NetworkGraphView {
  /** Stops following the theme (set when the view starts). */
  private offTheme: () => void = () => {};
  private engine!: AbstractEngine;
  private scene!: Scene;
  private camera!: ArcRotateCamera;
  private nodes?: Mesh;
  private edges?: Mesh;
  private layout: GraphNode[] = [];
  private widthsKey = '';
  /** Shown and target intensity per node (eased between probes). */
  private glow = new Float32Array(0);
  private target = new Float32Array(0);
  private nodeMatrices = new Float32Array(0);
  private nodeColors = new Float32Array(0);
  /** The node buffers are new: hand them to Babylon instead of flagging an update. */
  private freshNodes = false;
  private readonly canvas = babylonCanvas('network-canvas', 'The network in 3D: units glow with their activation, edges show how strongly each unit follows the ones before it');
  private readonly host: HTMLElement;
  /** Renders when the graph, the theme, the size or the camera changed, and while the nodes ease (see renderOnDemand). */
  private frames?: RenderScheduler;
  private readonly onResize = () => {
    this.engine.resize();
    this.frames?.request();
  };

  constructor(host: HTMLElement) {
    this.host = host;
  }

  /** Starts Babylon on WebGPU when the page chose it, WebGL otherwise; returns which. */
  async init(preference: RendererKind): Promise<'WebGPU' | 'WebGL'> {
    this.host.append(this.canvas);
    const { engine, kind } = await startBabylonEngine(this.canvas, preference);
    this.engine = engine;
    this.scene = new Scene(this.engine);
    this.camera = new ArcRotateCamera('camera', -Math.PI / 2 + 0.5, Math.PI / 2.5, 16, Vector3.Zero(), this.scene);
    this.camera.lowerRadiusLimit = 4;
    this.camera.upperRadiusLimit = 60;
    this.camera.wheelDeltaPercentage = 0.01;
    this.camera.attachControl(this.canvas, true);
    const sky = new HemisphericLight('sky', new Vector3(0.3, 1, -0.4), this.scene);
    sky.intensity = 0.95;
    sky.groundColor = new Color3(0.45, 0.45, 0.5);
    this.applyTheme();
    this.offTheme = onThemeChange(() => this.applyTheme());
    window.addEventListener('resize', this.onResize);
    this.scene.onBeforeRenderObservable.add(() => {
      if (this.pulse()) this.frames?.request(); // still easing: one more frame
    });
    this.frames = renderOnDemand(this.scene, this.camera, this.canvas);
    this.frames.start();
    return kind;
  }

  private applyTheme(): void {
    const [r, g, b] = cssRgb('--panel', [255, 255, 255]);
    this.scene.clearColor = new Color4(r / 255, g / 255, b / 255, 1);
    this.frames?.request();
  }

  /**
   * A new probe: `widths` from inputs to outputs, `intensity[layer][unit]` in
   * [0, 1] (absent: the layer has no maps), and the strongest edges (w in [-1, 1]).
   */
  show(widths: readonly number[], intensity: ReadonlyArray<readonly number[] | undefined>, edges: readonly GraphEdge[]): void {
    const key = widths.join('-');
    if (key !== this.widthsKey) this.rebuildNodes(widths, key);
    this.layout.forEach((n, i) => (this.target[i] = intensity[n.layer]?.[n.unit] ?? 0.35));
    this.setEdges(edges);
    this.frames?.request();
  }

  private rebuildNodes(widths: readonly number[], key: string): void {
    this.widthsKey = key;
    this.layout = graphLayout(widths, 4, 0.9, MAX_UNITS);
    const n = this.layout.length;
    this.glow = new Float32Array(n);
    this.target = new Float32Array(n);
    this.nodeMatrices = new Float32Array(16 * n);
    this.nodeColors = new Float32Array(4 * n);
    this.freshNodes = true;
    if (!this.nodes) {
      this.nodes = CreateSphere('node', { diameter: 1, segments: 12 }, this.scene);
      const mat = new StandardMaterial('node-mat', this.scene);
      mat.diffuseColor = new Color3(1, 1, 1);
      mat.specularColor = new Color3(0.2, 0.2, 0.2);
      this.nodes.material = mat;
    }
    const span = Math.max(...this.layout.map((p) => Math.abs(p.x)), ...this.layout.map((p) => Math.abs(p.y)), 3);
    this.camera.radius = Math.min(this.camera.upperRadiusLimit!, span * 3);
    this.pulse();
  }

  /** Eases each node toward its probe's intensity: brighter and larger when busier. Says whether any node is still on its way. */
  private pulse(): boolean {
    if (!this.nodes || !this.layout.length) return false;
    let moving = false;
    const m = new Matrix();
    const q = Quaternion.Identity();
    const accent = cssRgb('--accent', [106, 76, 255]).map((v) => v / 255);
    const idle = cssRgb('--muted', [93, 100, 120]).map((v) => v / 255);
    this.layout.forEach((p, i) => {
      const gap = this.target[i]! - this.glow[i]!;
      if (Math.abs(gap) > SETTLED) {
        this.glow[i] = this.glow[i]! + gap * 0.08;
        moving = true;
      } else this.glow[i] = this.target[i]!;
      const g = this.glow[i]!;
      const size = NODE * (0.65 + 0.6 * g);
      Matrix.ComposeToRef(new Vector3(size, size, size), q, new Vector3(p.x, p.y, p.z), m);
      m.copyToArray(this.nodeMatrices, 16 * i);
      for (let k = 0; k < 3; k++) this.nodeColors[4 * i + k] = idle[k]! + (accent[k]! - idle[k]!) * Math.min(1, g);
      this.nodeColors[4 * i + 3] = 1;
    });
    if (this.freshNodes) {
      this.freshNodes = false;
      this.nodes.thinInstanceSetBuffer('matrix', this.nodeMatrices, 16, false);
      this.nodes.thinInstanceSetBuffer('color', this.nodeColors, 4, false);
    } else {
      this.nodes.thinInstanceBufferUpdated('matrix');
      this.nodes.thinInstanceBufferUpdated('color');
    }
    return moving;
  }

  private setEdges(edges: readonly GraphEdge[]): void {
    const at = new Map(this.layout.map((p) => [`${p.layer}:${p.unit}`, p]));
    const drawn = edges.filter((e) => at.has(`${e.layer}:${e.from}`) && at.has(`${e.layer + 1}:${e.to}`));
    if (!this.edges) {
      this.edges = CreateCylinder('edge', { height: 1, diameter: 1, tessellation: 6 }, this.scene);
      const mat = new StandardMaterial('edge-mat', this.scene);
      mat.diffuseColor = new Color3(1, 1, 1);
      mat.specularColor = new Color3(0, 0, 0);
      mat.emissiveColor = new Color3(0.25, 0.25, 0.25);
      this.edges.material = mat;
    }
    const matrices = new Float32Array(16 * drawn.length);
    const colors = new Float32Array(4 * drawn.length);
    const bg = cssRgb('--panel', [255, 255, 255]);
    const up = Vector3.Up();
    const q = new Quaternion();
    const m = new Matrix();
    drawn.forEach((e, i) => {
      const a = at.get(`${e.layer}:${e.from}`)!;
      const b = at.get(`${e.layer + 1}:${e.to}`)!;
      const from = new Vector3(a.x, a.y, a.z);
      const dir = new Vector3(b.x, b.y, b.z).subtract(from);
      const length = dir.length();
      Quaternion.FromUnitVectorsToRef(up, dir.normalize(), q);
      const thick = 0.015 + 0.085 * Math.abs(e.w);
      Matrix.ComposeToRef(new Vector3(thick, length, thick), q, from.add(dir.scale(length / 2)), m);
      m.copyToArray(matrices, 16 * i);
      // Strong edges in full colour, weak ones fade toward the background.
      const [r, g, bl] = signedColor(Math.sign(e.w) * (0.35 + 0.65 * Math.abs(e.w)), bg);
      colors.set([r / 255, g / 255, bl / 255, 1], 4 * i);
    });
    this.edges.isVisible = drawn.length > 0; // with no instances the cylinder itself would show
    this.edges.thinInstanceSetBuffer('matrix', matrices, 16, false);
    this.edges.thinInstanceSetBuffer('color', colors, 4, false);
    this.host.dataset.edges = String(drawn.length);
  }

  destroy(): void {
    this.offTheme();
    window.removeEventListener('resize', this.onResize);
    this.frames?.stop();
    this.scene.dispose();
    this.engine.dispose();
    this.canvas.remove();
  }
}
