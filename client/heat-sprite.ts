import { Sprite, Texture } from 'pixi.js';

/**
 * A heatmap on a Pixi sprite: `res`×`res` cells painted into a canvas and
 * uploaded as the sprite's texture, smoothed between cells. The texture is
 * made once per size; later paints update it in place.
 */
export class HeatSprite extends Sprite {
  private readonly grid = document.createElement('canvas');
  private heat?: Texture;

  /** Whether anything has been painted yet. */
  get painted(): boolean {
    return this.heat !== undefined;
  }

  /** Paints cell `i` (row by row from the top) with `colorOf(i)`. */
  paint(res: number, colorOf: (i: number) => readonly [number, number, number]): void {
    if (this.grid.width !== res) {
      this.grid.width = res;
      this.grid.height = res;
      this.heat?.destroy(true);
      this.heat = undefined;
    }
    const ctx = this.grid.getContext('2d')!;
    const img = ctx.createImageData(res, res);
    for (let i = 0; i < res * res; i++) {
      const [r, g, b] = colorOf(i);
      img.data[4 * i] = r;
      img.data[4 * i + 1] = g;
      img.data[4 * i + 2] = b;
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    if (!this.heat) {
      this.heat = Texture.from(this.grid);
      this.heat.source.scaleMode = 'linear';
      this.texture = this.heat;
    } else this.heat.source.update();
  }

  override destroy(options?: Parameters<Sprite['destroy']>[0]): void {
    this.heat?.destroy(true);
    this.heat = undefined;
    super.destroy(options);
  }
}
