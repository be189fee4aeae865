// Template freshness: which door captures may become extra templates of a student
// (docs/recognition.md "Template freshness"). Children's faces change over a school year, so a
// visit that marked a student with evidence far above the calibrated point may add its
// embedding to the student's templates. A wrong template would make the wrong child match for
// the rest of the year, so the bar is strict and set by a rule, not tuned on any result:
//
//   bar = the class-tier point (matchThreshold / matchMargin) + DOOR_TEMPLATE_STEP on BOTH the
//   similarity and the margin (0.43 / 0.16 → 0.53 / 0.26 for the shipped embedder).
//
// Why 0.10: person-level impostor scores have an exponential tail of scale beta ≈ 0.035-0.04
// (decision-rule.ts). Raising the threshold by 0.10 divides the chance that an impostor's best
// score clears it by about e^(0.10 / 0.04) ≈ 12 against the class point, which is the same as
// judging the face against a gallery about 12 times the size of the class the point was
// calibrated for; the margin gets the same step, so the face must also lead its class's
// second-best by much more than a mark needs. The evaluation's `class_aware.door_templates`
// counts what this bar admits (wrong people and strangers must both be 0).
import { CALIBRATION, type CalibrationTable } from './calibration.js';
import type { FaceDecision, OperatingPoint } from './decision-rule.js';

/** Added to the class point's similarity and margin to give the freshness bar. */
export const DOOR_TEMPLATE_STEP = 0.1;
/** Door templates kept per student (per face model); a new one replaces the oldest. */
export const DOOR_TEMPLATE_CAP = 2;

/** The freshness bar for a class point. */
export function doorTemplateBar(point: OperatingPoint): OperatingPoint {
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    threshold: r4(point.threshold + DOOR_TEMPLATE_STEP),
    minMargin: r4(point.minMargin + DOOR_TEMPLATE_STEP),
  };
}

/**
 * Whether one face's decision may become a door template: accepted at the CLASS tier (a school
 * tier match is somebody from elsewhere, who is never marked at this door) and clearing the bar
 * on both the similarity and the class margin. The engine also requires a liveness pass and a
 * present/late mark; this is the recognition part, shared with the evaluation.
 */
export function clearsDoorTemplateBar(
  d: Pick<FaceDecision, 'accepted' | 'tier' | 'personId' | 'score' | 'margin'>,
  point: OperatingPoint,
): boolean {
  const bar = doorTemplateBar(point);
  return (
    d.accepted &&
    d.tier === 'class' &&
    d.personId !== null &&
    d.score >= bar.threshold &&
    d.margin >= bar.minMargin
  );
}

/**
 * The server's own check on an offered door template, whatever the kiosk claims: the face must
 * still match one of the student's ENROLMENT templates (not a door template) at least at the
 * model's calibrated class threshold. A stolen device token cannot plant an unrelated face, and
 * door templates cannot drift away from the enrolled child one capture at a time. The threshold
 * for a kiosk model id ("faceplugin/v1": the faceplugin point, 0.43); null for a model with no
 * calibrated point, whose door templates are refused.
 */
export function doorTemplateFloor(modelId: string, table: CalibrationTable = CALIBRATION): number | null {
  return table[modelId.replace(/\/v\d+$/, '')]?.threshold ?? null;
}
