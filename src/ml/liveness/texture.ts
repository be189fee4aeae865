// Cheap texture figures of the context crop (the 128×128 crop FASNet sees, 0..255, CHW, BGR):
// recaptures lose or add fine detail (print halftone blur, screen pixel grid and moiré), glare
// off glass or glossy paper saturates, screens shift colour. Measured, not assumed: which of
// them the fused decision uses is in docs/liveness.md.

export interface TextureCues {
  /** Laplacian variance at full resolution over that at half resolution (fine-detail ratio). */
  fineDetail: number;
  /** Mean HSV saturation, 0..1. */
  saturation: number;
  /** Share of pixels with luminance ≥ 245 (specular glare). */
  glare: number;
}

function lapVar(grey: Float32Array, w: number, h: number): number {
  let s = 0;
  let s2 = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const c = y * w + x;
      const l = grey[c - w]! + grey[c + w]! + grey[c - 1]! + grey[c + 1]! - 4 * grey[c]!;
      s += l;
      s2 += l * l;
      n++;
    }
  }
  if (n === 0) return 0;
  const m = s / n;
  return s2 / n - m * m;
}

export function textureCues(chw: Float32Array, size: number): TextureCues {
  const plane = size * size;
  const grey = new Float32Array(plane);
  let sat = 0;
  let glare = 0;
  for (let i = 0; i < plane; i++) {
    const b = chw[i]!;
    const g = chw[plane + i]!;
    const r = chw[2 * plane + i]!;
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    grey[i] = y;
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    sat += max > 0 ? (max - min) / max : 0;
    if (y >= 245) glare++;
  }
  const half = size >> 1;
  const small = new Float32Array(half * half);
  for (let y = 0; y < half; y++) {
    for (let x = 0; x < half; x++) {
      const i = 2 * y * size + 2 * x;
      small[y * half + x] = (grey[i]! + grey[i + 1]! + grey[i + size]! + grey[i + size + 1]!) / 4;
    }
  }
  const full = lapVar(grey, size, size);
  const coarse = lapVar(small, half, half);
  return { fineDetail: coarse > 0 ? full / coarse : 0, saturation: sat / plane, glare: glare / plane };
}
