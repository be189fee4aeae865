import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../types.js';
import { contentBox } from './content-box.js';

/** A w×h frame of one flat colour. */
function canvas(w: number, h: number, grey = 128): RgbImage {
  return { width: w, height: h, data: new Uint8Array(w * h * 3).fill(grey) };
}

/** Paints a noisy "photo" (pseudo-random pixels, as a camera's sensor noise makes) at (x, y). */
function paintNoise(img: RgbImage, x: number, y: number, w: number, h: number, seed = 1): void {
  let s = seed;
  for (let yy = y; yy < y + h; yy++)
    for (let xx = x; xx < x + w; xx++)
      for (let c = 0; c < 3; c++) {
        s = (s * 1103515245 + 12345) & 0x7fffffff;
        img.data[(yy * img.width + xx) * 3 + c] = 40 + (s % 160);
      }
}

describe('contentBox', () => {
  it('is the whole frame for a camera frame (noise everywhere)', () => {
    const img = canvas(64, 48);
    paintNoise(img, 0, 0, 64, 48);
    expect(contentBox(img)).toEqual([0, 0, 64, 48]);
  });

  it('finds a photo pasted on a flat grey canvas', () => {
    const img = canvas(64, 48);
    paintNoise(img, 20, 10, 25, 30);
    expect(contentBox(img)).toEqual([20, 10, 25, 30]);
  });

  it('drops mid-tone bars top and bottom only', () => {
    const img = canvas(40, 60, 90);
    paintNoise(img, 0, 12, 40, 30);
    expect(contentBox(img)).toEqual([0, 12, 40, 30]);
  });

  it('keeps black or white bands: a camera clips to them in the dark or in glare', () => {
    for (const v of [0, 10, 250, 255]) {
      const img = canvas(40, 60, v);
      paintNoise(img, 0, 12, 40, 30);
      expect(contentBox(img)).toEqual([0, 0, 40, 60]);
    }
  });

  it('keeps a flat band thinner than minBand as content', () => {
    const img = canvas(40, 40);
    paintNoise(img, 0, 2, 40, 38);
    expect(contentBox(img)).toEqual([0, 0, 40, 40]);
    expect(contentBox(img, { minBand: 2 })).toEqual([0, 2, 40, 38]);
  });

  it('tolerates small deviations in the band (JPEG noise) but not a picture', () => {
    const img = canvas(30, 30);
    img.data[(1 * 30 + 5) * 3] = 131; // within the default tolerance of 6
    paintNoise(img, 10, 10, 10, 10);
    expect(contentBox(img)).toEqual([10, 10, 10, 10]);
    // Stricter: row 1 and column 5 count as content, leaving bands too thin to be padding there.
    expect(contentBox(img, { tolerance: 2 })).toEqual([0, 0, 20, 20]);
  });

  it('returns the whole frame for a uniform or degenerate frame', () => {
    expect(contentBox(canvas(32, 24))).toEqual([0, 0, 32, 24]);
    expect(contentBox(canvas(1, 1))).toEqual([0, 0, 1, 1]);
  });
});
