// Colour-texture and spectrum descriptors of a face crop, for presentation-attack detection
// (Boulkenafet, Komulainen, Hadid, "Face spoofing detection using colour texture analysis",
// 2016): a recaptured face (print, screen) changes the fine texture of the chroma channels more
// than that of the luminance, so uniform LBP histograms are taken separately on the H, S, V and
// Y, Cb, Cr channels and concatenated. The spectrum cues look for what a screen's pixel grid,
// moiré or print halftone adds: high-frequency energy and isolated spectral peaks.
// Pure TypeScript on 8-bit RGB or RGBA pixel buffers, so it could run in the kiosk's worker (the
// colour LBP of a 64×64 face crop costs ~1 ms). Measured as candidate features and not shipped:
// eval/src/spoof-dump.ts --cues writes them, eval/src/texture-probe-study.ts fits them; the
// figures are in docs/liveness.md ("Colour texture and embedding probes").

export interface PixelBuffer {
  width: number;
  height: number;
  /** 8-bit pixels, row-major, RGB (3 bytes a pixel) or RGBA (4 bytes a pixel). */
  data: Uint8Array | Uint8ClampedArray;
}

/** Uniform LBP with 8 neighbours: 58 uniform patterns + 1 bin for all the others. */
export const LBP_BINS = 59;
/** The channels the histograms are taken on, in output order. */
export const COLOUR_CHANNELS = ['H', 'S', 'V', 'Y', 'Cb', 'Cr'] as const;

function bytesPerPixel(img: PixelBuffer): 3 | 4 {
  const n = img.width * img.height;
  if (!(Number.isInteger(img.width) && Number.isInteger(img.height) && img.width > 0 && img.height > 0))
    throw new RangeError(`pixel buffer size must be positive integers, got ${img.width}×${img.height}`);
  if (img.data.length === n * 4) return 4;
  if (img.data.length === n * 3) return 3;
  throw new RangeError(
    `pixel buffer of ${img.width}×${img.height} must hold ${n * 3} (RGB) or ${n * 4} (RGBA) bytes, got ${img.data.length}`,
  );
}

/**
 * The part of `img` inside `box` ([x, y, w, h], frame pixels; clamped to the image), resampled
 * bilinearly to size×size, as RGBA.
 */
export function cropRgba(img: PixelBuffer, box: readonly number[], size: number): Uint8ClampedArray {
  const bpp = bytesPerPixel(img);
  if (!(Number.isInteger(size) && size >= 4))
    throw new RangeError(`crop size must be an integer ≥ 4, got ${size}`);
  const { width: W, height: H, data } = img;
  const x0 = Math.min(Math.max(box[0] ?? 0, 0), W - 1);
  const y0 = Math.min(Math.max(box[1] ?? 0, 0), H - 1);
  const x1 = Math.min(Math.max((box[0] ?? 0) + (box[2] ?? 0), x0 + 1), W);
  const y1 = Math.min(Math.max((box[1] ?? 0) + (box[3] ?? 0), y0 + 1), H);
  const sx = (x1 - x0) / size;
  const sy = (y1 - y0) / size;
  const out = new Uint8ClampedArray(size * size * 4);
  for (let j = 0; j < size; j++) {
    const fy = Math.min(Math.max(y0 + (j + 0.5) * sy - 0.5, 0), H - 1);
    const ya = Math.floor(fy);
    const yb = Math.min(ya + 1, H - 1);
    const wy = fy - ya;
    for (let i = 0; i < size; i++) {
      const fx = Math.min(Math.max(x0 + (i + 0.5) * sx - 0.5, 0), W - 1);
      const xa = Math.floor(fx);
      const xb = Math.min(xa + 1, W - 1);
      const wx = fx - xa;
      const a = (ya * W + xa) * bpp;
      const b = (ya * W + xb) * bpp;
      const c = (yb * W + xa) * bpp;
      const d = (yb * W + xb) * bpp;
      const o = (j * size + i) * 4;
      for (let k = 0; k < 3; k++) {
        const top = data[a + k]! * (1 - wx) + data[b + k]! * wx;
        const bottom = data[c + k]! * (1 - wx) + data[d + k]! * wx;
        out[o + k] = top * (1 - wy) + bottom * wy;
      }
      out[o + 3] = 255;
    }
  }
  return out;
}

/** The six 8-bit planes H, S, V, Y, Cb, Cr (BT.601 full range) of a size×size RGBA crop. */
export function colourPlanes(rgba: Uint8ClampedArray | Uint8Array, size: number): Uint8Array[] {
  const n = size * size;
  if (rgba.length !== n * 4) throw new RangeError(`expected a ${size}×${size} RGBA crop (${n * 4} bytes)`);
  const planes = COLOUR_CHANNELS.map(() => new Uint8Array(n));
  const [pH, pS, pV, pY, pCb, pCr] = planes as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ];
  for (let i = 0; i < n; i++) {
    const r = rgba[4 * i]!;
    const g = rgba[4 * i + 1]!;
    const b = rgba[4 * i + 2]!;
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    const delta = max - min;
    let h = 0;
    if (delta > 0) {
      if (max === r) h = ((g - b) / delta + 6) % 6;
      else if (max === g) h = (b - r) / delta + 2;
      else h = (r - g) / delta + 4;
    }
    pH[i] = Math.round((h / 6) * 255);
    pS[i] = max > 0 ? Math.round((delta / max) * 255) : 0;
    pV[i] = max;
    pY[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    pCb[i] = Math.min(255, Math.max(0, Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b)));
    pCr[i] = Math.min(255, Math.max(0, Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b)));
  }
  return planes;
}

/** Maps each 8-bit LBP code to its uniform-pattern bin (≤ 2 circular 0/1 transitions), else 58. */
const UNIFORM_BIN: Uint8Array = (() => {
  const table = new Uint8Array(256);
  let next = 0;
  for (let code = 0; code < 256; code++) {
    let transitions = 0;
    for (let k = 0; k < 8; k++) if (((code >> k) & 1) !== ((code >> ((k + 1) % 8)) & 1)) transitions++;
    table[code] = transitions <= 2 ? next++ : LBP_BINS - 1;
  }
  return table;
})();

/**
 * Normalised uniform-LBP histogram (59 bins, sums to 1) of one size×size plane, 8 neighbours on
 * the square ring at `radius` pixels (a neighbour counts 1 when ≥ the centre). Border pixels
 * closer than `radius` to the edge are not centres.
 */
export function uniformLbpHistogram(plane: Uint8Array, size: number, radius = 1): Float32Array {
  if (plane.length !== size * size) throw new RangeError(`expected a ${size}×${size} plane`);
  if (!(Number.isInteger(radius) && radius >= 1 && 2 * radius < size))
    throw new RangeError(`LBP radius must be an integer in 1..${Math.floor((size - 1) / 2)}, got ${radius}`);
  const r = radius;
  // Neighbours in circular order, as offsets into the plane.
  const offsets = [r, -r * size + r, -r * size, -r * size - r, -r, r * size - r, r * size, r * size + r];
  const hist = new Float32Array(LBP_BINS);
  let count = 0;
  for (let y = r; y < size - r; y++) {
    for (let x = r; x < size - r; x++) {
      const i = y * size + x;
      const c = plane[i]!;
      let code = 0;
      for (let k = 0; k < 8; k++) if (plane[i + offsets[k]!]! >= c) code |= 1 << k;
      hist[UNIFORM_BIN[code]!]!++;
      count++;
    }
  }
  for (let k = 0; k < LBP_BINS; k++) hist[k] = hist[k]! / count;
  return hist;
}

/** The six channels' uniform-LBP histograms of a size×size RGBA crop, concatenated (6 × 59). */
export function colourLbp(rgba: Uint8ClampedArray | Uint8Array, size: number, radius = 1): Float32Array {
  const planes = colourPlanes(rgba, size);
  const out = new Float32Array(planes.length * LBP_BINS);
  planes.forEach((p, c) => out.set(uniformLbpHistogram(p, size, radius), c * LBP_BINS));
  return out;
}

/** In-place iterative radix-2 FFT of (re, im), length a power of two. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b]! * cr - im[b]! * ci;
        const ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
}

export interface SpectrumCues {
  /** log of the share of (non-DC) spectral energy at radial frequency ≥ 0.5 of Nyquist. */
  highFreq: number;
  /** log of the share at radial frequency 0.25..0.5 of Nyquist. */
  midFreq: number;
  /**
   * log of the strongest coefficient over the median one at radial frequency ≥ 0.25 of Nyquist:
   * a pixel grid, moiré or halftone puts energy into a few isolated peaks.
   */
  peakiness: number;
}

/**
 * Power-spectrum cues of the luminance of a size×size RGBA crop (size a power of two), after
 * removing the mean and applying a Hann window (so the crop's edges add no spurious energy).
 */
export function spectrumCues(rgba: Uint8ClampedArray | Uint8Array, size: number): SpectrumCues {
  if (!(size >= 8 && (size & (size - 1)) === 0))
    throw new RangeError(`spectrum size must be a power of two ≥ 8, got ${size}`);
  const n = size * size;
  if (rgba.length !== n * 4) throw new RangeError(`expected a ${size}×${size} RGBA crop (${n * 4} bytes)`);
  const lum = new Float64Array(n);
  let mean = 0;
  for (let i = 0; i < n; i++) {
    lum[i] = 0.299 * rgba[4 * i]! + 0.587 * rgba[4 * i + 1]! + 0.114 * rgba[4 * i + 2]!;
    mean += lum[i]!;
  }
  mean /= n;
  const hann = Float64Array.from(
    { length: size },
    (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (size - 1)),
  );
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) re[y * size + x] = (lum[y * size + x]! - mean) * hann[y]! * hann[x]!;
  const rowRe = new Float64Array(size);
  const rowIm = new Float64Array(size);
  for (let y = 0; y < size; y++) {
    rowRe.set(re.subarray(y * size, (y + 1) * size));
    rowIm.set(im.subarray(y * size, (y + 1) * size));
    fft(rowRe, rowIm);
    re.set(rowRe, y * size);
    im.set(rowIm, y * size);
  }
  for (let x = 0; x < size; x++) {
    for (let y = 0; y < size; y++) {
      rowRe[y] = re[y * size + x]!;
      rowIm[y] = im[y * size + x]!;
    }
    fft(rowRe, rowIm);
    for (let y = 0; y < size; y++) {
      re[y * size + x] = rowRe[y]!;
      im[y * size + x] = rowIm[y]!;
    }
  }
  const half = size / 2;
  let total = 0;
  let high = 0;
  let mid = 0;
  const band: number[] = [];
  for (let v = 0; v < size; v++) {
    const fv = v < half ? v : v - size;
    for (let u = 0; u < size; u++) {
      const fu = u < half ? u : u - size;
      if (fu === 0 && fv === 0) continue;
      const p = re[v * size + u]! ** 2 + im[v * size + u]! ** 2;
      const rad = Math.sqrt(fu * fu + fv * fv) / half;
      total += p;
      if (rad >= 0.5) high += p;
      else if (rad >= 0.25) mid += p;
      if (rad >= 0.25) band.push(p);
    }
  }
  band.sort((a, b) => a - b);
  const median = band[Math.floor(band.length / 2)] ?? 0;
  const eps = 1e-9;
  return {
    highFreq: Math.log((high + eps) / (total + eps)),
    midFreq: Math.log((mid + eps) / (total + eps)),
    peakiness: Math.log(((band[band.length - 1] ?? 0) + eps) / (median + eps)),
  };
}
