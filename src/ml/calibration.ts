// Per-embedder operating points, derived by `npm run calibrate` (scripts/calibrate.ts) from
// embeddings dumped by `npm run eval -- <dir> --dump`. The rule (docs/recognition.md):
//   threshold = lowest cosine score with impostor acceptance ≤ 1e-3 over all impostor pairs of
//               the calibration set (faces-lfw-640, 50 people) pooled with the development set
//               (faces-640), rounded UP to 0.01;
//   minMargin = the 1st percentile of (best − second-best person) over correctly ranked genuine
//               probes of the calibration set, floored at 0.02 and rounded DOWN to 0.01.
// Values here are copied from that script's output; re-run it after changing models or
// preprocessing.
export interface OperatingPoint {
  threshold: number;
  minMargin: number;
}

/** Keyed by `<embedder pipeline>` + `/flip` when flip-averaged (e.g. 'faceres+dlib/flip'). */
export const CALIBRATION: Record<string, OperatingPoint> = {
  'faceres-aligned+mobileface': { threshold: 0.52, minMargin: 0.07 },
  'faceres+mobileface': { threshold: 0.53, minMargin: 0.06 },
  'faceres-aligned': { threshold: 0.68, minMargin: 0.01 },
  faceres: { threshold: 0.62, minMargin: 0.1 },
  mobileface: { threshold: 0.43, minMargin: 0.02 },
};

export function calibrationKey(embedder: string, flip: boolean): string {
  return `${embedder}${flip ? '/flip' : ''}`;
}

/** The calibrated operating point, or null when this combination was never calibrated. */
export function operatingPoint(embedder: string, flip: boolean): OperatingPoint | null {
  return CALIBRATION[calibrationKey(embedder, flip)] ?? null;
}
