// Per-pipeline operating points, derived by eval/src/calibrate.ts from embeddings dumped by
// `npm run eval -- <faces-lfw-640 development set> --dump <file>` (50 people, never the dev set).
// The rule (chooseOperatingPoint, docs/recognition.md "Calibration rule"): split the calibration
// set as EVAL-PROTOCOL (K = 2) in both parities; over thresholds and margins in 0.01 steps keep
// the points with no misidentification and fpir ≤ 0.005, take the highest tpir, ties to the
// higher threshold then the higher margin. Re-run after changing models or preprocessing.
export interface OperatingPoint {
  threshold: number;
  minMargin: number;
}

/**
 * Keyed by `<embedder pipeline>`, + `/flip` when flip-averaged, + `+mirror` when templates are
 * also enrolled mirrored. Uncalibrated combinations have no entry (eval then needs --threshold).
 * The shipped embedder's points only: the candidates' and fusions' are in
 * eval/src/candidates/calibration.ts.
 */
export type CalibrationTable = Readonly<Record<string, OperatingPoint>>;

export const CALIBRATION: CalibrationTable = {
  // Shipped (calibration tpir 1.000 at fpir 0.004, misid 0).
  faceplugin: { threshold: 0.43, minMargin: 0.16 },
  // The same model flip-averaged (cal tpir 0.998) or with mirrored templates (cal tpir 1.000).
  'faceplugin/flip': { threshold: 0.43, minMargin: 0.17 },
  'faceplugin+mirror': { threshold: 0.43, minMargin: 0.13 },
};

export function calibrationKey(embedder: string, flip: boolean, mirrorTemplates = false): string {
  return `${embedder}${flip ? '/flip' : ''}${mirrorTemplates ? '+mirror' : ''}`;
}

/** The calibrated operating point, or null when this combination was never calibrated. */
export function operatingPoint(
  embedder: string,
  flip: boolean,
  mirrorTemplates = false,
  table: CalibrationTable = CALIBRATION,
): OperatingPoint | null {
  return table[calibrationKey(embedder, flip, mirrorTemplates)] ?? null;
}
