import { describe, expect, it } from 'vitest';
import {
  colourLbp,
  colourPlanes,
  cropRgba,
  LBP_BINS,
  spectrumCues,
  uniformLbpHistogram,
} from './colour-texture.js';

/** A size×size RGBA crop from a function of (x, y) giving [r, g, b]. */
function rgbaOf(size: number, px: (x: number, y: number) => [number, number, number]): Uint8ClampedArray {
  const out = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const [r, g, b] = px(x, y);
      out.set([r, g, b, 255], (y * size + x) * 4);
    }
  return out;
}

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

describe('cropRgba', () => {
  it('reads RGB and RGBA buffers alike and resamples the box to size × size', () => {
    const w = 8;
    const h = 6;
    const rgb = new Uint8Array(w * h * 3);
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) {
      rgb.set([i, 2 * i, 255 - i], 3 * i);
      rgba.set([i, 2 * i, 255 - i, 7], 4 * i);
    }
    const a = cropRgba({ width: w, height: h, data: rgb }, [2, 1, 4, 4], 4);
    const b = cropRgba({ width: w, height: h, data: rgba }, [2, 1, 4, 4], 4);
    expect(Array.from(a)).toEqual(Array.from(b));
    // A box of exactly size × size pixels is copied as it is: pixel (2, 1) is index 10.
    expect(Array.from(a.subarray(0, 4))).toEqual([10, 20, 245, 255]);
    expect(Array.from(a.subarray(60, 64))).toEqual([37, 74, 218, 255]); // pixel (5, 4)
  });

  it('clamps a box reaching outside the picture', () => {
    const img = { width: 4, height: 4, data: new Uint8Array(4 * 4 * 3).fill(90) };
    const out = cropRgba(img, [-10, -10, 100, 100], 8);
    expect(out.length).toBe(8 * 8 * 4);
    expect(new Set(Array.from(out).filter((_, i) => i % 4 !== 3))).toEqual(new Set([90]));
  });

  it('refuses a buffer that is neither RGB nor RGBA of the stated size', () => {
    expect(() => cropRgba({ width: 4, height: 4, data: new Uint8Array(10) }, [0, 0, 4, 4], 8)).toThrow(
      /must hold 48 \(RGB\) or 64 \(RGBA\) bytes, got 10/,
    );
    expect(() => cropRgba({ width: 4, height: 4, data: new Uint8Array(48) }, [0, 0, 4, 4], 2)).toThrow(
      /crop size/,
    );
  });
});

describe('colourPlanes', () => {
  it('gives HSV and BT.601 YCbCr of known colours', () => {
    const planes = colourPlanes(
      rgbaOf(4, (x) => (x < 2 ? [255, 0, 0] : [0, 0, 255])),
      4,
    );
    const at = (i: number) => planes.map((p) => p[i]);
    // Pure red: hue 0, full saturation and value, Y 76, Cb 85, Cr 255.
    expect(at(0)).toEqual([0, 255, 255, 76, 85, 255]);
    // Pure blue: hue 240° (170 of 255), Y 29, Cb 255, Cr 107.
    expect(at(3)).toEqual([170, 255, 255, 29, 255, 107]);
  });
});

describe('uniformLbpHistogram', () => {
  it('puts a flat plane into one uniform bin and a one-pixel checkerboard into the non-uniform bin', () => {
    const size = 16;
    const flat = new Uint8Array(size * size).fill(100);
    const hFlat = uniformLbpHistogram(flat, size, 1);
    expect(hFlat.length).toBe(LBP_BINS);
    expect(Math.max(...hFlat)).toBeCloseTo(1, 6);
    expect(hFlat[LBP_BINS - 1]).toBe(0);

    const checker = Uint8Array.from({ length: size * size }, (_, i) =>
      ((i % size) + Math.floor(i / size)) % 2 ? 200 : 20,
    );
    const h1 = uniformLbpHistogram(checker, size, 1);
    // A bright centre sees its 4 dark edge neighbours as 0 and its bright diagonals as 1: eight
    // transitions, the non-uniform bin. A dark centre sees every neighbour as ≥: all ones.
    expect(h1[LBP_BINS - 1]).toBeCloseTo(0.5, 6);
    expect(Math.max(...h1.subarray(0, LBP_BINS - 1))).toBeCloseTo(0.5, 6);
    // At radius 2 every neighbour has the centre's colour: the same uniform bin as a flat plane.
    const h2 = uniformLbpHistogram(checker, size, 2);
    expect(Array.from(h2)).toEqual(Array.from(hFlat));
  });

  it('has 58 uniform patterns and sums to 1', () => {
    const size = 32;
    let seed = 7;
    const noise = Uint8Array.from(
      { length: size * size },
      () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 16) % 256,
    );
    const h = uniformLbpHistogram(noise, size, 1);
    expect(sum(h)).toBeCloseTo(1, 5);
    expect(h.filter((v) => v > 0).length).toBeGreaterThan(40); // random texture visits most bins
    expect(() => uniformLbpHistogram(noise, size, 16)).toThrow(/radius/);
  });
});

describe('colourLbp', () => {
  it('concatenates six 59-bin histograms, each summing to 1', () => {
    const crop = rgbaOf(32, (x, y) => [(x * 37 + y * 11) % 256, (x * y) % 256, (x * 5 + y * 90) % 256]);
    const h = colourLbp(crop, 32, 1);
    expect(h.length).toBe(6 * LBP_BINS);
    for (let c = 0; c < 6; c++) expect(sum(h.subarray(c * LBP_BINS, (c + 1) * LBP_BINS))).toBeCloseTo(1, 5);
  });
});

describe('spectrumCues', () => {
  it('finds the energy and the peak of a fine grid that a smooth gradient lacks', () => {
    const size = 64;
    const grid = spectrumCues(
      rgbaOf(size, (x) => (x % 3 === 0 ? [220, 220, 220] : [60, 60, 60])),
      size,
    );
    const smooth = spectrumCues(
      rgbaOf(size, (x, y) => [x * 2 + y, x * 2 + y, x * 2 + y]),
      size,
    );
    expect(grid.highFreq).toBeGreaterThan(Math.log(0.3));
    expect(smooth.highFreq).toBeLessThan(Math.log(0.01));
    expect(grid.peakiness).toBeGreaterThan(smooth.peakiness + 5);
  });

  it('refuses a size that is not a power of two', () => {
    expect(() => spectrumCues(new Uint8ClampedArray(48 * 48 * 4), 48)).toThrow(/power of two/);
  });
});
