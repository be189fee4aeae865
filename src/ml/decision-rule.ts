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
// - SCHOOL tier: anybody else (or any person when no class is in session). The threshold is
//   normalised against the gallery's own impostor distribution: it is raised until the
//   modelled share of strangers accepted by the whole gallery is at most SCHOOL_MAX_FPIR (never
//   below the calibrated point). The attendance engine also asks this tier for one more
//   agreeing frame.
//
// At the school tier the margin is over the second-best person of the whole gallery.
//
// The gallery model (measured on faces-lfw-640 and on the kiosk's own gallery): above a high
// quantile u, person-level impostor scores (a face against one other person's best template)
// have an exponential tail, P(S > x) ≈ pU · exp(−(x − u) / beta), beta ≈ 0.035-0.04 for the
// shipped embedder. For a stranger against N people, P(best ≥ t) ≈ N · pU · exp(−(t − u) / beta),
// and, the tail being memoryless, the lead of the best over the second-best is exponential with
// the same beta, so P(margin ≥ m | best ≥ t) ≈ exp(−m / beta). Hence the threshold
//   t(N) = u + beta · ln(N · pU / SCHOOL_MAX_FPIR) − m.
import { fitExponentialTail, type ExponentialTail } from './impostor-tail.js';
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
}

export interface FaceDecision extends MatchResult {
  tier: Tier | null;
  /** The point the face was judged at. */
  threshold: number;
  minMargin: number;
}

/** Gallery size the calibrated point was chosen for (faces-lfw-640, one protocol fold). */
export const CALIBRATION_GALLERY_PEOPLE = 25;
/** The calibration rule's stranger budget (chooseOperatingPoint's maxFpir), kept at any gallery size. */
export const SCHOOL_MAX_FPIR = 0.005;
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

/** The school tier's point for a gallery of `people` (never below the calibrated point). */
export function schoolPoint(point: OperatingPoint, people: number, model: GalleryModel): OperatingPoint {
  if (!model || model.beta <= 0 || people < 1) return point;
  const t = model.u + model.beta * Math.log((people * model.pU) / SCHOOL_MAX_FPIR) - point.minMargin;
  return { threshold: Math.max(point.threshold, Math.round(t * 1e4) / 1e4), minMargin: point.minMargin };
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
  const at = schoolPoint(ctx.point, ctx.galleryPeople, ctx.model);
  return {
    ...base,
    margin,
    tier: 'school',
    threshold: at.threshold,
    minMargin: at.minMargin,
    accepted: first.score >= at.threshold && margin >= at.minMargin,
  };
}
