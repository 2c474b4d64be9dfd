/**
 * The loss terrain in Babylon.js: the landscape around the current weights as
 * a lit height field, the optimizer's path (the run's checkpoints projected on
 * the same plane) as a tube over it, and the current weights marked. Loaded
 * on demand (a dynamic import), so the home page never pays for Babylon.
 */
import { ArcRotateCamera } from '@babylonjs/core/Cameras/arcRotateCamera.js';
import '@babylonjs/core/Cameras/Inputs/arcRotateCameraPointersInput.js';
import '@babylonjs/core/Cameras/Inputs/arcRotateCameraMouseWheelInput.js';
import type { AbstractEngine } from '@babylonjs/core/Engines/abstractEngine.js';
import { DirectionalLight } from '@babylonjs/core/Lights/directionalLight.js';
import { HemisphericLight } from '@babylonjs/core/Lights/hemisphericLight.js';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial.js';
import { Color3, Color4 } from '@babylonjs/core/Maths/math.color.js';
import { Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import { CreateTube } from '@babylonjs/core/Meshes/Builders/tubeBuilder.js';
import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder.js';
import { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import { VertexData } from '@babylonjs/core/Meshes/mesh.vertexData.js';
import { Scene } from '@babylonjs/core/scene.js';
import type { LandscapeFrame } from '../../shared/landscape.schema.ts';
import type { RendererKind } from '../shell/renderer-choice.ts';
import { cssRgb } from '../widgets/css-color.ts';
import { onThemeChange } from '../shell/theme.ts';
import { babylonCanvas, renderOnDemand, startBabylonEngine } from '../shell/babylon-engine.ts';
import type { RenderScheduler } from '../widgets/render-scheduler.ts';

/** Half the side of the terrain in scene units, and its tallest point. */
const HALF = 5;
const HEIGHT = 3.2;

type Landscape = NonNullable<LandscapeFrame['landscape']>;

/** Low loss is deep blue-green, high loss warm: a perceptual ramp in a few stops. */
const RAMP: Array<[number, number, number]> = [
  [0.12, 0.18, 0.45],
  [0.1, 0.45, 0.6],
  [0.25, 0.7, 0.45],
  [0.9, 0.8, 0.3],
  [0.95, 0.45, 0.25],
];
function ramp(t: number): [number, number, number] {
  const u = Math.max(0, Math.min(1, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(u));
  const w = u - i;
  return [0, 1, 2].map((k) => RAMP[i]![k]! + (RAMP[i + 1]![k]! - RAMP[i]![k]!) * w) as [number, number, number];
}

/** Heights from losses on a log scale, so valleys keep their shape next to high ridges. */
export function terrainHeights(losses: ReadonlyArray<number | null>): { height: (loss: number | null) => number; lo: number; hi: number } {
  const finite = losses.filter((l): l is number => l !== null && Number.isFinite(l) && l > 0);
  const lo = finite.length ? Math.log(Math.min(...finite) + 1e-9) : 0;
  const hi = finite.length ? Math.log(Math.max(...finite) + 1e-9) : 1;
  const span = hi - lo || 1;
  return { lo, hi, height: (l) => (l === null || !(l > 0) ? HEIGHT : ((Math.log(l + 1e-9) - lo) / span) * HEIGHT) };
}

export class TerrainView {
  /** Stops following the theme (set when the view starts). */
  private offTheme: () => void = () => {};
  private engine!: AbstractEngine;
  private scene!: Scene;
  private camera!: ArcRotateCamera;
  private terrain?: Mesh;
  private path?: Mesh;
  private marker?: Mesh;
  private readonly canvas = babylonCanvas('terrain-canvas', 'Loss terrain: loss around the current weights, with the path the optimizer took');
  private readonly host: HTMLElement;
  /** Renders when the terrain, the theme, the size or the camera changed (see renderOnDemand). */
  private frames?: RenderScheduler;
  /** Who waits for the landscape `show` was given to be on screen. */
  private readonly drawnWaiters: (() => void)[] = [];
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
    this.camera = new ArcRotateCamera('camera', -Math.PI / 3, Math.PI / 3.2, 15, new Vector3(0, HEIGHT / 3, 0), this.scene);
    this.camera.lowerRadiusLimit = 6;
    this.camera.upperRadiusLimit = 40;
    this.camera.wheelDeltaPercentage = 0.01;
    this.camera.attachControl(this.canvas, true);
    const sky = new HemisphericLight('sky', new Vector3(0.2, 1, 0.1), this.scene);
    sky.intensity = 0.6;
    sky.groundColor = new Color3(0.35, 0.35, 0.4); // the underside, seen when orbiting below, stays readable
    const sun = new DirectionalLight('sun', new Vector3(-0.6, -1, 0.4), this.scene);
    sun.intensity = 0.75;
    this.applyTheme();
    this.offTheme = onThemeChange(() => this.applyTheme());
    window.addEventListener('resize', this.onResize);
    this.frames = renderOnDemand(this.scene, this.camera, this.canvas, () => {
      for (const drawn of this.drawnWaiters.splice(0)) drawn();
    });
    this.frames.start();
    return kind;
  }

  private applyTheme(): void {
    const [r, g, b] = cssRgb('--panel', [255, 255, 255]);
    this.scene.clearColor = new Color4(r / 255, g / 255, b / 255, 1);
    this.frames?.request();
  }

  /** Replaces the terrain, the path and the marker with a new landscape; resolves once a frame has shown it whole. */
  show(l: Landscape): Promise<void> {
    for (const m of [this.terrain, this.path, this.marker]) m?.dispose(false, true);
    const n = l.resolution;
    const { height } = terrainHeights(l.losses);
    const toX = (alpha: number) => Math.max(-HALF, Math.min(HALF, (alpha / l.range) * HALF));
    const positions: number[] = [];
    const colors: number[] = [];
    const indices: number[] = [];
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const y = height(l.losses[r * n + c] ?? null);
        positions.push(toX(l.axis[c]!), y, toX(l.axis[r]!));
        const [cr, cg, cb] = ramp(y / HEIGHT);
        colors.push(cr, cg, cb, 1);
      }
    }
    for (let r = 0; r < n - 1; r++) {
      for (let c = 0; c < n - 1; c++) {
        const i = r * n + c;
        indices.push(i, i + n, i + 1, i + 1, i + n, i + n + 1);
      }
    }
    const normals: number[] = [];
    VertexData.ComputeNormals(positions, indices, normals);
    // The lights come from above: make the normals face up whatever the winding gave.
    let up = 0;
    for (let i = 1; i < normals.length; i += 3) up += normals[i]!;
    if (up < 0) for (let i = 0; i < normals.length; i++) normals[i] = -normals[i]!;
    const data = new VertexData();
    Object.assign(data, { positions, indices, normals, colors });
    const terrain = new Mesh('terrain', this.scene);
    data.applyToMesh(terrain);
    const mat = new StandardMaterial('terrain-mat', this.scene);
    mat.diffuseColor = new Color3(1, 1, 1);
    mat.specularColor = new Color3(0.15, 0.15, 0.15);
    mat.backFaceCulling = false;
    terrain.material = mat;
    this.terrain = terrain;

    const lift = 0.06;
    const pts = l.trajectory.map((p) => new Vector3(toX(p.alpha), height(p.loss) + lift, toX(p.beta)));
    const current = new Vector3(0, height(l.center) + lift, 0);
    pts.push(current);
    if (pts.length >= 2) {
      const tube = CreateTube('path', { path: pts, radius: 0.05, tessellation: 8 }, this.scene);
      const pm = new StandardMaterial('path-mat', this.scene);
      pm.diffuseColor = new Color3(0.95, 0.2, 0.55);
      pm.emissiveColor = new Color3(0.35, 0.05, 0.2);
      tube.material = pm;
      this.path = tube;
    }
    const marker = CreateSphere('current', { diameter: 0.35, segments: 16 }, this.scene);
    marker.position = current;
    const mm = new StandardMaterial('current-mat', this.scene);
    mm.diffuseColor = new Color3(1, 0.25, 0.6);
    mm.emissiveColor = new Color3(0.45, 0.05, 0.25);
    marker.material = mm;
    this.marker = marker;
    const drawn = new Promise<void>((resolve) => this.drawnWaiters.push(resolve));
    this.frames?.request();
    // Shaders compile in the background: one more frame once they are done, in case the frames waiting for them gave up.
    this.scene.executeWhenReady(() => this.frames?.request());
    return drawn;
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
