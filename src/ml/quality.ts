// Per-face quality figures and the gates that decide whether a face may be matched at all.
import type { FaceQuality, GateFailure } from './types.js';

export interface GateThresholds {
  /** Minimum face box height in frame pixels. */
  minFaceSize: number;
  /** Maximum |yaw|, |pitch|, |roll| in degrees. */
  maxYaw: number;
  maxPitch: number;
  maxRoll: number;
  /** Minimum normalised sharpness (0..1, see cropStats). */
  minSharpness: number;
  /** Minimum mean luminance (0..255) of the face. */
  minBrightness: number;
  /** Minimum Human antispoof score (0..1, higher = real). */
  minAntispoof: number;
  /** Minimum Human liveness score (0..1, higher = live). */
  minLiveness: number;
}

/**
 * Variance of the Laplacian of the grey face crop, squashed to 0..1 by v / (v + k).
 * K is the variance at which we call a crop "half sharp": with Human's 192×192 crop a sharp
 * near-frontal face lands around 300-1500, a badly blurred one under 50.
 */
const SHARPNESS_HALF_POINT = 100;

export interface CropStats {
  sharpness: number;
  brightness: number;
}

/**
 * Sharpness and brightness of the central part of a face crop (row-major RGB, values 0..1),
 * skipping the border where hair and background live.
 *
 * `nativeSide` is how many frame pixels the crop's side covers. When the face was smaller than
 * the crop (it was upscaled into it), the central part is first scaled back down to that size
 * by area averaging, so sharpness is measured at the face's own resolution: an upscaled face
 * has a low Laplacian variance however sharp the photo is, and a gate on that would refuse
 * small sharp faces (scanned ID photos) for being small, not blurred. A crop that was not
 * upscaled is measured as it is.
 */
export function cropStats(
  pixels: Float32Array | Uint8Array,
  width: number,
  height: number,
  unit = true,
  nativeSide = Infinity,
): CropStats {
  const k = unit ? 255 : 1;
  const x0 = Math.floor(width * 0.2);
  const x1 = Math.ceil(width * 0.8);
  const y0 = Math.floor(height * 0.2);
  const y1 = Math.ceil(height * 0.8);
  const w = x1 - x0;
  const h = y1 - y0;
  const grey = new Float32Array(w * h);
  let sum = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = ((y + y0) * width + (x + x0)) * 3;
      const g = k * (0.299 * pixels[i]! + 0.587 * pixels[i + 1]! + 0.114 * pixels[i + 2]!);
      grey[y * w + x] = g;
      sum += g;
    }
  }
  const scale =
    Number.isFinite(nativeSide) && nativeSide > 0 ? Math.min(1, nativeSide / Math.max(width, height)) : 1;
  const native = scale < 1 ? areaDownscale(grey, w, h, scale) : { grey, w, h };
  const variance = laplacianVariance(native.grey, native.w, native.h);
  return {
    sharpness: variance / (variance + SHARPNESS_HALF_POINT),
    brightness: grey.length > 0 ? sum / grey.length : 0,
  };
}

/** Variance of the 4-neighbour Laplacian over the interior of a grey image. */
function laplacianVariance(grey: Float32Array, w: number, h: number): number {
  let lapSum = 0;
  let lapSq = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const c = y * w + x;
      const lap = grey[c - w]! + grey[c + w]! + grey[c - 1]! + grey[c + 1]! - 4 * grey[c]!;
      lapSum += lap;
      lapSq += lap * lap;
      n++;
    }
  }
  const mean = n > 0 ? lapSum / n : 0;
  return n > 0 ? lapSq / n - mean * mean : 0;
}

/**
 * For one axis of `from` samples shrunk by `scale` (< 1): each output sample's source
 * samples and their weights (the share of the source pixel the output pixel covers).
 */
function areaWeights(
  from: number,
  scale: number,
): { to: number; taps: { index: number; weight: number }[][] } {
  const to = Math.max(3, Math.round(from * scale));
  const step = from / to;
  const taps: { index: number; weight: number }[][] = [];
  for (let o = 0; o < to; o++) {
    const start = o * step;
    const end = start + step;
    const row: { index: number; weight: number }[] = [];
    for (let i = Math.floor(start); i < Math.min(from, Math.ceil(end)); i++) {
      const cover = Math.min(end, i + 1) - Math.max(start, i);
      if (cover > 0) row.push({ index: i, weight: cover / step });
    }
    taps.push(row);
  }
  return { to, taps };
}

/** Shrinks a grey image by `scale` (< 1) with area averaging, rows then columns. */
function areaDownscale(
  grey: Float32Array,
  w: number,
  h: number,
  scale: number,
): { grey: Float32Array; w: number; h: number } {
  const cols = areaWeights(w, scale);
  const rows = areaWeights(h, scale);
  const wide = new Float32Array(cols.to * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < cols.to; x++) {
      let v = 0;
      for (const t of cols.taps[x]!) v += t.weight * grey[y * w + t.index]!;
      wide[y * cols.to + x] = v;
    }
  }
  const out = new Float32Array(cols.to * rows.to);
  for (let y = 0; y < rows.to; y++) {
    for (let x = 0; x < cols.to; x++) {
      let v = 0;
      for (const t of rows.taps[y]!) v += t.weight * wide[t.index * cols.to + x]!;
      out[y * cols.to + x] = v;
    }
  }
  return { grey: out, w: cols.to, h: rows.to };
}

/** Every gate the face fails, in a stable order; empty means it may be matched. */
export function gateFailures(
  quality: FaceQuality,
  antispoof: number,
  liveness: number,
  gates: GateThresholds,
): GateFailure[] {
  const failures: GateFailure[] = [];
  if (quality.size < gates.minFaceSize) failures.push('too_small');
  if (
    Math.abs(quality.yaw) > gates.maxYaw ||
    Math.abs(quality.pitch) > gates.maxPitch ||
    Math.abs(quality.roll) > gates.maxRoll
  ) {
    failures.push('pose');
  }
  if (quality.sharpness < gates.minSharpness) failures.push('blur');
  if (quality.brightness < gates.minBrightness) failures.push('too_dark');
  if (antispoof < gates.minAntispoof) failures.push('spoof');
  if (liveness < gates.minLiveness) failures.push('not_live');
  return failures;
}
