// A second-opinion verifier behind the shipped embedder (cascade-study.ts, docs/recognition.md
// "Second-opinion verifier (measured, not shipped)").
//
// The primary embedder (faceplugin) ranks the whole gallery and proposes its best person when
// the decision rule's school tier would accept (score ≥ threshold, margin over the gallery's
// second-best ≥ minMargin). A second, independent embedder then compares the face 1:1 with the
// PROPOSED person's templates only, and the match stands only when its best cosine against that
// person reaches the verifier threshold. The verifier never ranks and never proposes: it can
// only veto. If its errors are partly independent of the primary's, a looser primary point
// (more students accepted) might keep strangers and wrong people out.
//
// A GREY-ZONE variant asks the verifier only about proposals the shipped point would not accept
// on its own (`sure`): those stand as they are, and the looser point's extra proposals need the
// verifier's agreement. The verifier then cannot cost a match the door makes today.
//
// Pure: probes arrive already scored (the study script builds them from dumped embeddings).

export interface OperatingPoint {
  threshold: number;
  minMargin: number;
}

/** One probe as the cascade sees it at one gallery size. */
export interface CascadeProbe {
  kind: 'known' | 'unknown';
  identity: string;
  faceFound: boolean;
  /** The primary's best person over the whole gallery (its proposal when accepted). */
  candidate: string | null;
  /** The primary's best score and its lead over the gallery's second-best person. */
  score: number;
  margin: number;
  /**
   * The verifier's best cosine of this face against the candidate's templates (-Infinity when
   * it has no embedding for the face or no template for the candidate: a veto).
   */
  verifierScore: number;
}

/** The cascade's point: the primary's (threshold, margin) and the verifier's threshold (null: no verifier). */
export interface CascadePoint extends OperatingPoint {
  verifierThreshold: number | null;
}

/** Would the primary propose its candidate at `at` (the frames the verifier has to run on)? */
export function proposes(p: CascadeProbe, at: OperatingPoint): boolean {
  return p.faceFound && p.candidate !== null && p.score >= at.threshold && p.margin >= at.minMargin;
}

/**
 * The cascade's decision: the primary proposes and the verifier (when there is one) agrees —
 * unless the face clears the `sure` point (the grey-zone variant), which needs no verifier.
 */
export function cascadeAccepts(
  p: CascadeProbe,
  at: OperatingPoint,
  verifierThreshold: number | null,
  sure?: OperatingPoint,
): boolean {
  return (
    (proposes(p, at) && (verifierThreshold === null || p.verifierScore >= verifierThreshold)) ||
    (sure !== undefined && proposes(p, sure))
  );
}

/** Does this face need the verifier (a proposal that the `sure` point, if any, does not accept)? */
function needsVerifier(p: CascadeProbe, at: OperatingPoint, sure?: OperatingPoint): boolean {
  return proposes(p, at) && !(sure !== undefined && proposes(p, sure));
}

export interface CascadeFigures {
  known: number;
  unknown: number;
  trueAccepts: number;
  misidentified: number;
  falseAccepts: number;
  /** Probes (known or unknown, with a face) the primary proposed at the point. */
  proposed: number;
  /** Probes the verifier has to run on: proposals the `sure` point (if any) does not accept. */
  verifierRuns: number;
  /** Proposals the verifier turned down, by what they were. */
  vetoed: { genuine: number; wrongPerson: number; stranger: number };
  tpir: number;
  misid: number;
  fpir: number;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export function cascadeFigures(
  probes: readonly CascadeProbe[],
  at: OperatingPoint,
  verifierThreshold: number | null,
  sure?: OperatingPoint,
): CascadeFigures {
  let known = 0;
  let unknown = 0;
  let ta = 0;
  let mis = 0;
  let fa = 0;
  let proposed = 0;
  let verifierRuns = 0;
  const vetoed = { genuine: 0, wrongPerson: 0, stranger: 0 };
  for (const p of probes) {
    if (p.kind === 'known') known++;
    else unknown++;
    if (proposes(p, at)) proposed++;
    if (verifierThreshold !== null && needsVerifier(p, at, sure)) verifierRuns++;
    const accepted = cascadeAccepts(p, at, verifierThreshold, sure);
    if (!accepted && !proposes(p, at)) continue;
    const correct = p.kind === 'known' && p.candidate === p.identity;
    if (p.kind === 'unknown') {
      if (accepted) fa++;
      else vetoed.stranger++;
    } else if (correct) {
      if (accepted) ta++;
      else vetoed.genuine++;
    } else if (accepted) mis++;
    else vetoed.wrongPerson++;
  }
  return {
    known,
    unknown,
    trueAccepts: ta,
    misidentified: mis,
    falseAccepts: fa,
    proposed,
    verifierRuns,
    vetoed,
    tpir: ratio(ta, known),
    misid: ratio(mis, known),
    fpir: ratio(fa, unknown),
  };
}

/** `from` to `to` in `step`s, as exact hundredths-style values (no float drift). */
export function steps(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let i = Math.round(from / step); i <= Math.round(to / step); i++)
    out.push(Math.round(i * step * 1e6) / 1e6);
  return out;
}

export interface CascadeGrid {
  thresholds: readonly number[];
  margins: readonly number[];
  /** Verifier thresholds; [null] searches the primary alone. */
  verifierThresholds: readonly (number | null)[];
}

export interface SizedCascadeProbes {
  people: number;
  probes: readonly CascadeProbe[];
}

export interface CascadeChoice extends CascadePoint {
  tpir: number;
  sizes: ({ people: number } & OperatingPoint & CascadeFigures)[];
}

/** Is `a` the stricter of two points with the same tpir (the rule's tie-break order)? */
export function stricter(a: CascadePoint, b: CascadePoint): boolean {
  if (a.threshold !== b.threshold) return a.threshold > b.threshold;
  if (a.minMargin !== b.minMargin) return a.minMargin > b.minMargin;
  return (a.verifierThreshold ?? -Infinity) > (b.verifierThreshold ?? -Infinity);
}

/**
 * The calibration rule for the cascade, written down before any reported figure was looked at:
 * over the grid, keep the points with NO misidentification and fpir ≤ maxFpir at EVERY gallery
 * size (each size judged at the primary point pointAt(candidate, people) gives it, the verifier
 * threshold the same at every size: it compares 1:1), and take the highest tpir at the largest
 * size; ties to the stricter point — the higher primary threshold, then the higher margin, then
 * the higher verifier threshold. Null when no point qualifies (or the best accepts nobody).
 * With `sureAt` (the grey-zone variant), a face clearing sureAt(people) needs no verifier.
 */
export function chooseCascadePoint(
  sized: readonly SizedCascadeProbes[],
  pointAt: (candidate: OperatingPoint, people: number) => OperatingPoint,
  grid: CascadeGrid,
  { maxFpir = 0.005, sureAt }: { maxFpir?: number; sureAt?: (people: number) => OperatingPoint } = {},
): CascadeChoice | null {
  if (sized.length === 0) return null;
  const largest = sized.reduce((a, b) => (b.people > a.people ? b : a));
  let best: CascadeChoice | null = null;
  for (const threshold of grid.thresholds) {
    for (const minMargin of grid.margins) {
      const at = sized.map((s) => pointAt({ threshold, minMargin }, s.people));
      const sure = sized.map((s) => sureAt?.(s.people));
      for (const verifierThreshold of grid.verifierThresholds) {
        const sizes: CascadeChoice['sizes'] = [];
        let ok = true;
        for (const [i, s] of sized.entries()) {
          const f = cascadeFigures(s.probes, at[i]!, verifierThreshold, sure[i]);
          if (f.misidentified > 0 || f.fpir > maxFpir) {
            ok = false;
            break;
          }
          sizes.push({ people: s.people, ...at[i]!, ...f });
        }
        if (!ok) continue;
        const tpir = sizes[sized.indexOf(largest)]!.tpir;
        const cand: CascadeChoice = { threshold, minMargin, verifierThreshold, tpir, sizes };
        if (!best || tpir > best.tpir || (tpir === best.tpir && stricter(cand, best))) best = cand;
      }
    }
  }
  return best && best.tpir > 0 ? best : null;
}

// ---- embeddings -------------------------------------------------------------------------------

/** A unit copy of `v` (a zero vector stays zero). */
export function unit(v: ArrayLike<number>): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n);
  return Float32Array.from(v as ArrayLike<number>, (x) => (n > 0 ? x / n : 0));
}

/**
 * A fused embedding (the engine lays each model's unit vector side by side, scaled 1/√models)
 * split back into each model's unit vector, by the models' dimensions in pipeline order.
 */
export function splitFused(fused: ArrayLike<number>, dims: readonly number[]): Float32Array[] {
  const total = dims.reduce((a, b) => a + b, 0);
  if (fused.length !== total)
    throw new RangeError(`fused embedding has ${fused.length} values, the pipeline ${total}`);
  const out: Float32Array[] = [];
  let o = 0;
  for (const d of dims) {
    out.push(unit(Array.prototype.slice.call(fused, o, o + d) as number[]));
    o += d;
  }
  return out;
}

/** Unit vectors fused as the engine fuses them: side by side, each scaled 1/√n. */
export function fuse(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  const w = 1 / Math.sqrt(parts.length);
  let o = 0;
  for (const p of parts) {
    const u = unit(p);
    for (let i = 0; i < u.length; i++) out[o++] = u[i]! * w;
  }
  return out;
}

/** The best cosine of a unit face embedding against a person's unit templates (-Infinity: none). */
export function bestCosine(face: Float32Array | null, templates: readonly Float32Array[]): number {
  if (!face) return -Infinity;
  let best = -Infinity;
  for (const t of templates) {
    if (t.length !== face.length) throw new RangeError('verifier template of another size');
    let s = 0;
    for (let i = 0; i < t.length; i++) s += face[i]! * t[i]!;
    if (s > best) best = s;
  }
  return best;
}
