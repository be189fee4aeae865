// The door's decision rule for one face: may the best-ranked person be accepted?
//
// A kiosk's gallery is its whole site's roster (hundreds to thousands of students), but most
// people at a classroom door belong to the class in session. Open-set errors grow with the
// number of people a face is compared with (each extra person is one more chance that a
// stranger's best score clears the threshold), so the rule has two tiers (docs/recognition.md,
// "Decision rule at school scale", has the measurements behind every number):
//
// - CLASS tier: the best person is a student of the class in session. The calibrated point
//   (threshold, minMargin; the kiosk's settings) was chosen on galleries of a class's size,
//   so it applies as calibrated.
// - SCHOOL tier: anybody else (or any person when no class is in session). The threshold
//   grows with the number of people in the gallery: schoolThreshold() below. The attendance
//   engine also asks this tier for one more agreeing frame.
//
// The margin is always measured against the second-best person of the WHOLE gallery: a class
// student who looks like someone elsewhere in the school is not accepted on a narrow lead.
import type { MatchResult } from './types';

export interface OperatingPoint {
  threshold: number;
  minMargin: number;
}

export type Tier = 'class' | 'school';

export type Ranking = Omit<MatchResult, 'accepted'>;

export interface DecisionContext {
  /** The calibrated point for a class-sized gallery (the kiosk's matchThreshold / matchMargin). */
  point: OperatingPoint;
  /** People in the gallery the face was ranked against. */
  galleryPeople: number;
  /** Whether a person is a student of the class in session; absent when no class is in session. */
  inClass?: (personId: string) => boolean;
}

export interface FaceDecision extends MatchResult {
  tier: Tier | null;
  /** The point the face was judged at (after the gallery-size adjustment). */
  threshold: number;
  minMargin: number;
}

/**
 * Gallery size the calibrated point was chosen for: faces-lfw-640 in both protocol folds
 * enrols 25 people, the size of a class.
 */
export const CALIBRATION_GALLERY_PEOPLE = 25;

/**
 * Threshold rise per tenfold growth of the gallery beyond the calibration size. Measured on
 * development data (docs/recognition.md): the score a stranger reaches against his nearest
 * gallery member grows roughly with the log of the gallery size.
 */
export const THRESHOLD_PER_DECADE = 0.04;

/** The school tier's point for a gallery of `people` (never below the calibrated point). */
export function schoolPoint(point: OperatingPoint, people: number): OperatingPoint {
  const decades = Math.max(0, Math.log10(Math.max(1, people) / CALIBRATION_GALLERY_PEOPLE));
  return { threshold: point.threshold + THRESHOLD_PER_DECADE * decades, minMargin: point.minMargin };
}

export function decideMatch(r: Ranking, ctx: DecisionContext): FaceDecision {
  if (r.personId === null) {
    return { ...r, accepted: false, tier: null, ...ctx.point };
  }
  const tier: Tier = ctx.inClass?.(r.personId) ? 'class' : 'school';
  const at = tier === 'class' ? ctx.point : schoolPoint(ctx.point, ctx.galleryPeople);
  return {
    ...r,
    tier,
    threshold: at.threshold,
    minMargin: at.minMargin,
    accepted: r.score >= at.threshold && r.margin >= at.minMargin,
  };
}
