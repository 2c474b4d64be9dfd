import type { MeshSimple } from 'pixi.js';
import type { Pixi } from '../shell/pixi-module.ts';

/**
 * A dense curve drawn as one bar per pixel column (see `columnSpans`): a
 * mesh whose vertices are rewritten in place each frame, so a curve of any
 * length costs the same few thousand vertices and no path tessellation.
 */
export class ColumnLine {
  readonly mesh: MeshSimple;
  readonly columns: number;
  private readonly vertices: Float32Array;

  constructor(pixi: Pixi, columns: number) {
    this.columns = columns;
    this.vertices = new Float32Array(columns * 8);
    const indices = new Uint32Array(columns * 6);
    for (let c = 0; c < columns; c++) indices.set([c * 4, c * 4 + 1, c * 4 + 2, c * 4, c * 4 + 2, c * 4 + 3], c * 6);
    this.mesh = new pixi.MeshSimple({ texture: pixi.Texture.WHITE, vertices: this.vertices, uvs: new Float32Array(columns * 8), indices });
    this.mesh.autoUpdate = false; // uploaded once per `set`, not every frame
  }

  /**
   * Places the bars: column c spans x from `left + c·width` and y from
   * `yOf(hi[c])` to `yOf(lo[c])`, grown by `halfWidth` above and below;
   * NaN columns collapse to nothing.
   */
  set(lo: Float32Array, hi: Float32Array, left: number, width: number, yOf: (v: number) => number, halfWidth: number, color: number, alpha: number): void {
    const v = this.vertices;
    for (let c = 0; c < this.columns; c++) {
      const o = c * 8;
      if (Number.isNaN(lo[c]!)) {
        v.fill(0, o, o + 8);
        continue;
      }
      const xa = left + c * width;
      const xb = xa + width;
      const top = yOf(hi[c]!) - halfWidth;
      const bottom = yOf(lo[c]!) + halfWidth;
      v[o] = xa;
      v[o + 1] = top;
      v[o + 2] = xb;
      v[o + 3] = top;
      v[o + 4] = xb;
      v[o + 5] = bottom;
      v[o + 6] = xa;
      v[o + 7] = bottom;
    }
    this.mesh.geometry.getBuffer('aPosition').update();
    this.mesh.tint = color;
    this.mesh.alpha = alpha;
    this.mesh.visible = true;
  }

  destroy(): void {
    this.mesh.destroy();
  }
}
