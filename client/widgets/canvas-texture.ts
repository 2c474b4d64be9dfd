import type { Texture } from 'pixi.js';
import type { Pixi } from '../shell/pixi-module.ts';

type Rgb = readonly [number, number, number];

/**
 * Pixels painted into a canvas and uploaded as a Pixi texture: the heatmaps
 * (decision boundary, GAN discriminator, activation maps, weight and gradient
 * histograms). Drawn larger, pixels are smoothed (`linear`) or kept square
 * (`nearest`). The texture is made once per size; later paints update it in
 * place.
 */
export class CanvasTexture {
  private readonly canvas = document.createElement('canvas');
  private readonly pixi: Pick<Pixi, 'Texture'>;
  private readonly scaleMode: 'linear' | 'nearest';
  private texture?: Texture;

  /** `pixi`: Pixi's module (or just its Texture), which the page loads when it first draws (see loadPixi). */
  constructor(pixi: Pick<Pixi, 'Texture'>, scaleMode: 'linear' | 'nearest' = 'linear') {
    this.pixi = pixi;
    this.scaleMode = scaleMode;
  }

  /** Whether anything has been painted yet. */
  get painted(): boolean {
    return this.texture !== undefined;
  }

  /** Paints every pixel (x from the left, y from the top) with `colorOf(x, y)`; returns the texture. */
  paint(width: number, height: number, colorOf: (x: number, y: number) => Rgb): Texture {
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
      this.destroy();
    }
    const ctx = this.canvas.getContext('2d')!;
    const img = ctx.createImageData(width, height);
    for (let y = 0, i = 0; y < height; y++) {
      for (let x = 0; x < width; x++, i += 4) {
        const [r, g, b] = colorOf(x, y);
        img.data[i] = r;
        img.data[i + 1] = g;
        img.data[i + 2] = b;
        img.data[i + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
    if (!this.texture) {
      this.texture = this.pixi.Texture.from(this.canvas);
      this.texture.source.scaleMode = this.scaleMode;
    } else this.texture.source.update();
    return this.texture;
  }

  destroy(): void {
    this.texture?.destroy(true);
    this.texture = undefined;
  }
}
