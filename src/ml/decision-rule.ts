// The door's decision rule for one face: may the best-ranked person be accepted?
//
// A kiosk's gallery is its whole site's roster (hundreds to thousands of students), but most
// people at a classroom door belong to the class in session. Open-set errors grow with the
// number of people a face is compared with (each extra person is one more chance that a
// stranger's best score clears the threshold), so the rule has two tiers (docs/recognition.md,
// "Decision rule at school scale", has the measurements behind every number):
//
// - CLASS tier: the best person is a student of the class in session. The calibrated point
//   (threshold, minMargin; the kiosk's settings) was chosen on galleries of a class's size
//   (faces-lfw-640: 25 people), so it applies as calibrated — with the margin taken over the
//   second-best student OF THE CLASS, and the candidate only has to lead everybody else in the
//   school (rank 1). Measured on faces-gallery (docs/recognition.md), a margin over the whole
//   school's second-best rejects genuine faces more and more as the school grows (37 of the 51
//   rejected known probes at 1,391 people failed on the margin alone), while the people who
//   could take that margin (the rest of the school) are rarely at this door: that is the prior.
// - SCHOOL tier: anybody else (or any person when no class is in session), judged against the
//   whole gallery: margin over the whole gallery's second-best, at a point that moves with the
//   gallery's size. Measured (docs/recognition.md), a large gallery raises BOTH what strangers
//   score (their best is the maximum over more people) and every genuine face's second-best (an
//   impostor's maximum), so a fixed margin rejects more and more students while a fixed
//   threshold accepts more and more strangers. The school point (SCHOOL_CALIBRATION) was chosen
//   by the calibration rule on faces-lfw-640 probes against a gallery grown to 1,025 people: a
//   higher threshold and a smaller margin. Between a class-sized gallery and that size the point
//   moves linearly in ln(people); beyond it the threshold rises by the gallery's own impostor
//   tail scale per e-fold of growth (below), the margin stays. The attendance engine also asks
//   this tier for one more agreeing frame.
//
// The gallery model (measured on faces-lfw-640 and on the kiosk's own gallery): above a high
// quantile u, person-level impostor scores (a face against one other person's best template)
// have an exponential tail, P(S > x) ≈ pU · exp(−(x − u) / beta), beta ≈ 0.035-0.04 for the
// shipped embedder. The best of N such scores then sits near u + beta · ln(N · pU): growing the
// gallery e-fold moves a stranger's best score up by beta, and raising the threshold by as much
// keeps the stranger acceptance where it was calibrated. The model's absolute level is NOT used
// (it put the stranger rate at 1,391 people far below the measured one); only its slope is.
import { fitExponentialTail, type ExponentialTail } from './impostor-tail.js';
import { SCHOOL_CALIBRATION, type SchoolPoint } from './calibration.js';
import type { Matcher } from './matcher.js';
import type { MatchResult } from './types.js';

export interface OperatingPoint {
  threshold: number;
  minMargin: number;
}

export type Tier = 'class' | 'school';

export type Ranking = Omit<MatchResult, 'accepted'>;

/** A person and their best-template score. */
export interface Candidate {
  personId: string;
  score: number;
}

/** How many of the best persons the rule looks at (Gallery.top): enough to find the class's second. */
export const TOP_K = 8;

/** The shipped embedder's school point (calibration.ts); the door's default. */
export const SHIPPED_SCHOOL_POINT: SchoolPoint | null = SCHOOL_CALIBRATION.faceplugin ?? null;

/** The fitted impostor tail of one gallery (null: too small a gallery to fit one). */
export type GalleryModel = ExponentialTail | null;

export interface DecisionContext {
  /** The calibrated point for a class-sized gallery (the kiosk's matchThreshold / matchMargin). */
  point: OperatingPoint;
  /** People in the gallery the face was ranked against. */
  galleryPeople: number;
  /** The gallery's impostor tail (galleryModel()); null keeps the calibrated point. */
  model: GalleryModel;
  /** Whether a person is a student of the class in session; absent when no class is in session. */
  inClass?: (personId: string) => boolean;
  /** The school-scale calibrated point (default: the shipped embedder's; null: none, the calibrated point applies). */
  school?: SchoolPoint | null;
}

export interface FaceDecision extends MatchResult {
  tier: Tier | null;
  /** The point the face was judged at. */
  threshold: number;
  minMargin: number;
}

/** Gallery size the calibrated point was chosen for (faces-lfw-640, one protocol fold). */
export const CALIBRATION_GALLERY_PEOPLE = 25;
/** The impostor tail scale used when a gallery beyond the school calibration size has no fitted tail. */
export const DEFAULT_TAIL_BETA = 0.04;
/** Share of impostor scores in the fitted tail. */
export const TAIL_FRACTION = 1e-3;
/** Fewer impostor scores than this and no tail is fitted (the calibrated point applies). */
export const MIN_TAIL_SCORES = 20_000;
/** Impostor scores sampled from a gallery (templates × people) to fit its tail. */
export const TAIL_SAMPLE_SCORES = 300_000;

/**
 * Fits the gallery's impostor tail: a deterministic sample of its own templates (every k-th),
 * each scored against every OTHER person. Uses enrolment data only, never a probe; cost is
 * about TAIL_SAMPLE_SCORES / people matches (≈ 0.2 s for 1,400 people, ≈ 1 s for 20,000).
 */
export function galleryModel(
  matcher: Matcher,
  templates: readonly { personId: string; embedding: Float32Array }[],
): GalleryModel {
  const people = matcher.personCount;
  if (people < 2 || templates.length === 0) return null;
  const wanted = Math.max(1, Math.min(templates.length, Math.ceil(TAIL_SAMPLE_SCORES / (people - 1))));
  if (wanted * (people - 1) < MIN_TAIL_SCORES) return null;
  const step = templates.length / wanted;
  const scores: number[] = [];
  for (let i = 0; i < wanted; i++) {
    const t = templates[Math.floor(i * step)]!;
    try {
      for (const s of matcher.impostorScores(t.embedding, t.personId)) scores.push(s);
    } catch {
      // a template the matcher refused (zero / wrong size) is not part of the gallery
    }
  }
  if (scores.length < MIN_TAIL_SCORES) return null;
  return fitExponentialTail(scores, TAIL_FRACTION);
}

/**
 * The school tier's point for a gallery of `people`. Up to the class-sized calibration gallery:
 * the calibrated `point`. Up to the school calibration gallery: linear in ln(people) from `point`
 * to `school`. Beyond it: the school threshold raised by beta · ln(people / school size), beta
 * the gallery's fitted impostor tail scale. The threshold is never below `point`'s.
 */
export function schoolPoint(
  point: OperatingPoint,
  people: number,
  model: GalleryModel,
  school: SchoolPoint | null = SHIPPED_SCHOOL_POINT,
): OperatingPoint {
  if (!school || !(people > CALIBRATION_GALLERY_PEOPLE)) return point;
  const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;
  if (people <= school.galleryPeople) {
    const f =
      Math.log(people / CALIBRATION_GALLERY_PEOPLE) /
      Math.log(school.galleryPeople / CALIBRATION_GALLERY_PEOPLE);
    return {
      threshold: Math.max(point.threshold, r4(point.threshold + (school.threshold - point.threshold) * f)),
      minMargin: r4(point.minMargin + (school.minMargin - point.minMargin) * f),
    };
  }
  const beta = model && model.beta > 0 ? model.beta : DEFAULT_TAIL_BETA;
  return {
    threshold: Math.max(
      point.threshold,
      r4(school.threshold + beta * Math.log(people / school.galleryPeople)),
    ),
    minMargin: school.minMargin,
  };
}

/**
 * Decides on the `top` persons for a face (highest first; Matcher.top / Gallery.top with TOP_K).
 * A person missing from `top` scores at most its last entry when the list is full (a gallery
 * larger than the list), else nothing: that bound is used in place of their score, which can
 * only make a margin smaller (the safe side).
 */
export function decideMatch(top: readonly Candidate[], ctx: DecisionContext & { k?: number }): FaceDecision {
  const k = ctx.k ?? TOP_K;
  const first = top[0];
  const second = top[1];
  const base = {
    personId: first?.personId ?? null,
    score: first?.score ?? 0,
    secondPersonId: second?.personId ?? null,
    secondScore: second?.score ?? 0,
  };
  if (!first) return { ...base, margin: 0, accepted: false, tier: null, ...ctx.point };
  const unlisted = top.length >= k ? top[top.length - 1]!.score : 0;
  const lead = (over: Candidate | undefined) => first.score - Math.max(over ? over.score : unlisted, 0);
  if (ctx.inClass?.(first.personId)) {
    const rest = top.slice(1);
    const classmate = rest.find((c) => ctx.inClass!(c.personId));
    const margin = lead(classmate);
    const { threshold, minMargin } = ctx.point;
    return {
      ...base,
      ...(classmate ? { secondPersonId: classmate.personId, secondScore: classmate.score } : {}),
      margin,
      tier: 'class',
      threshold,
      minMargin,
      accepted: first.score >= threshold && margin >= minMargin,
    };
  }
  const margin = lead(second);
  const at = schoolPoint(
    ctx.point,
    ctx.galleryPeople,
    ctx.model,
    ctx.school === undefined ? SHIPPED_SCHOOL_POINT : ctx.school,
  );
  return {
    ...base,
    margin,
    tier: 'school',
    threshold: at.threshold,
    minMargin: at.minMargin,
    accepted: first.score >= at.threshold && margin >= at.minMargin,
  };
}
