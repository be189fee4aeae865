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

/**
 * A point calibrated at school scale: the decision rule's school tier (decision-rule.ts) uses it
 * for a gallery of `galleryPeople`, interpolates towards the class-sized point below that and
 * raises the threshold with the gallery's impostor tail above it.
 */
export interface SchoolPoint extends OperatingPoint {
  galleryPeople: number;
}

/**
 * Derived by `npm run calibrate -- --calib <faces-lfw-640 dump> --grow <dump with distractors>`
 * (docs/recognition.md "Decision rule at school scale"): faces-lfw-640's probes, both protocol
 * folds, against its 25 enrolled people plus the 1,000 faces-gallery-distractors people (1,025).
 * The rule: on a 0.01 grid keep the school points whose interpolated points give no
 * misidentification and fpir ≤ 0.005 at 100, 400 and 1,025 people (and the class point at 25),
 * take the highest tpir at 1,025 people; ties to the higher threshold, then the higher margin.
 * faces-gallery's probes were never used to choose. Keyed like CALIBRATION.
 */
export const SCHOOL_CALIBRATION: Record<string, SchoolPoint> = {
  // Calibration tpir 0.9825 at 1,025 people (fpir 0.002, misid 0).
  faceplugin: { threshold: 0.47, minMargin: 0.1, galleryPeople: 1025 },
};

/** The school-scale point, or null when this combination was never calibrated at school scale. */
export function schoolOperatingPoint(
  embedder: string,
  flip: boolean,
  mirrorTemplates = false,
): SchoolPoint | null {
  return SCHOOL_CALIBRATION[calibrationKey(embedder, flip, mirrorTemplates)] ?? null;
}
