// The pure parts of the EVAL-PROTOCOL: the deterministic split and the metrics.
// eval.ts does the file walking and the inference; everything here is data in, numbers
// out, so it is unit-tested on hand-made cases.

export interface IdentityFolder {
  identity: string;
  /** Image file names inside the folder. */
  files: string[];
}

export interface EnrolledIdentity {
  identity: string;
  templates: string[];
  probes: string[];
}

export interface ProtocolSplit {
  enrolled: EnrolledIdentity[];
  unknown: { identity: string; probes: string[] }[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Sort identities and files by name (code-unit order, like a C-locale `sort`); even positions
 * are enrolled (first K images are templates, the rest known probes), odd positions unknown.
 * Folders starting with `_` are not identities.
 */
export function splitDataset(folders: readonly IdentityFolder[], k = 2): ProtocolSplit {
  if (!Number.isInteger(k) || k < 1) throw new RangeError('K must be a positive integer');
  const identities = folders
    .filter((f) => !f.identity.startsWith('_'))
    .map((f) => ({ identity: f.identity, files: [...f.files].sort(byName) }))
    .sort((a, b) => byName(a.identity, b.identity));
  const split: ProtocolSplit = { enrolled: [], unknown: [] };
  identities.forEach((f, i) => {
    if (i % 2 === 0)
      split.enrolled.push({ identity: f.identity, templates: f.files.slice(0, k), probes: f.files.slice(k) });
    else split.unknown.push({ identity: f.identity, probes: f.files });
  });
  return split;
}

/** One probe's outcome: its true identity (null for unknown) and the matcher's ranking. */
export interface ProbeOutcome {
  kind: 'known' | 'unknown';
  identity: string;
  /** False when no face was detected. */
  faceFound: boolean;
  bestIdentity: string | null;
  bestScore: number;
  /** Whether the system accepts the best identity (threshold AND margin). */
  accepted: boolean;
}

export interface IdentificationCounts {
  known_probes: number;
  unknown_probes: number;
  rank1_correct: number;
  true_accepts: number;
  misidentified: number;
  false_accepts: number;
  known_no_face: number;
  unknown_no_face: number;
}

export interface IdentificationMetrics {
  rank1: number;
  tpir: number;
  misid: number;
  fpir: number;
  counts: IdentificationCounts;
}

const ratio = (n: number, d: number): number => (d === 0 ? 0 : n / d);

export function identificationMetrics(outcomes: readonly ProbeOutcome[]): IdentificationMetrics {
  const c: IdentificationCounts = {
    known_probes: 0,
    unknown_probes: 0,
    rank1_correct: 0,
    true_accepts: 0,
    misidentified: 0,
    false_accepts: 0,
    known_no_face: 0,
    unknown_no_face: 0,
  };
  for (const o of outcomes) {
    if (o.kind === 'known') {
      c.known_probes++;
      if (!o.faceFound) {
        c.known_no_face++;
        continue;
      }
      const correct = o.bestIdentity === o.identity;
      if (correct) c.rank1_correct++;
      if (o.accepted) {
        if (correct) c.true_accepts++;
        else c.misidentified++;
      }
    } else {
      c.unknown_probes++;
      if (!o.faceFound) {
        c.unknown_no_face++;
        continue;
      }
      if (o.accepted) c.false_accepts++;
    }
  }
  return {
    rank1: ratio(c.rank1_correct, c.known_probes),
    tpir: ratio(c.true_accepts, c.known_probes),
    misid: ratio(c.misidentified, c.known_probes),
    fpir: ratio(c.false_accepts, c.unknown_probes),
    counts: c,
  };
}

/** Genuine and impostor similarity scores over every pair of labelled embeddings. */
export function pairScores(
  items: readonly { identity: string; embedding: Float32Array }[],
  similarity: (a: Float32Array, b: Float32Array) => number,
): { genuine: number[]; impostor: number[] } {
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const s = similarity(items[i]!.embedding, items[j]!.embedding);
      (items[i]!.identity === items[j]!.identity ? genuine : impostor).push(s);
    }
  }
  return { genuine, impostor };
}

/**
 * The lowest threshold whose impostor acceptance (score ≥ threshold) is at most `far`:
 * with impostors sorted high→low and n = floor(far·N) allowed through, it sits just above the
 * (n+1)-th highest impostor score. Returns +Infinity-free values: with no impostors, -Infinity.
 */
export function thresholdAtFar(impostor: readonly number[], far: number): number {
  if (impostor.length === 0) return -Infinity;
  const sorted = [...impostor].sort((a, b) => b - a);
  const allowed = Math.floor(far * sorted.length + 1e-9);
  if (allowed >= sorted.length) return -Infinity;
  // Smallest representable step above the first impostor that must be rejected.
  const reject = sorted[allowed]!;
  return reject + Math.max(Math.abs(reject) * 1e-7, 1e-9);
}

/** Share of genuine pairs accepted at the threshold where impostor acceptance is ≤ far. */
export function tarAtFar(genuine: readonly number[], impostor: readonly number[], far: number): number {
  if (genuine.length === 0) return 0;
  const t = thresholdAtFar(impostor, far);
  return genuine.filter((s) => s >= t).length / genuine.length;
}

/** Nearest-rank percentile (p in 0..100) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** A probe reduced to what an operating point needs: was the best person right, how sure. */
export interface ScoredProbe {
  kind: 'known' | 'unknown';
  faceFound: boolean;
  /** Best identity is the true one (known probes only). */
  correct: boolean;
  score: number;
  /** Best score minus the second-best person's (or 0 when only one person is enrolled). */
  margin: number;
}

export interface OperatingPointStats {
  threshold: number;
  minMargin: number;
  tpir: number;
  fpir: number;
  misidentified: number;
}

export function evaluateOperatingPoint(
  probes: readonly ScoredProbe[],
  threshold: number,
  minMargin: number,
): OperatingPointStats {
  let known = 0;
  let unknown = 0;
  let ta = 0;
  let mis = 0;
  let fa = 0;
  for (const p of probes) {
    const accepted = p.faceFound && p.score >= threshold && p.margin >= minMargin;
    if (p.kind === 'known') {
      known++;
      if (accepted && p.correct) ta++;
      if (accepted && !p.correct) mis++;
    } else {
      unknown++;
      if (accepted) fa++;
    }
  }
  return { threshold, minMargin, tpir: ratio(ta, known), fpir: ratio(fa, unknown), misidentified: mis };
}

/**
 * The calibration rule (docs/recognition.md): on a grid of thresholds (0.01 steps) and margins
 * (0.01 steps up to maxMargin), keep the points with NO misidentification and fpir ≤ maxFpir,
 * and take the one with the highest tpir; among equals, the highest threshold, then the highest
 * margin (the safer side). Returns null when no grid point accepts anybody.
 */
export function chooseOperatingPoint(
  probes: readonly ScoredProbe[],
  { maxFpir = 0.005, maxMargin = 0.2, minThreshold = 0, maxThreshold = 1 } = {},
): OperatingPointStats | null {
  let best: OperatingPointStats | null = null;
  const steps = (a: number, b: number): number[] => {
    const out: number[] = [];
    for (let i = Math.round(a * 100); i <= Math.round(b * 100); i++) out.push(i / 100);
    return out;
  };
  for (const m of steps(0, maxMargin)) {
    for (const t of steps(minThreshold, maxThreshold)) {
      const s = evaluateOperatingPoint(probes, t, m);
      if (s.misidentified > 0 || s.fpir > maxFpir) continue;
      if (
        !best ||
        s.tpir > best.tpir ||
        (s.tpir === best.tpir &&
          (s.threshold > best.threshold || (s.threshold === best.threshold && s.minMargin > best.minMargin)))
      ) {
        best = s;
      }
    }
  }
  return best && best.tpir > 0 ? best : null;
}

/** Probes scored against a gallery of `people` (the same probes, the gallery grown). */
export interface SizedProbes {
  people: number;
  probes: readonly ScoredProbe[];
}

export interface SchoolPointStats {
  threshold: number;
  minMargin: number;
  /** The largest calibration gallery: the school point applies as chosen at this size. */
  galleryPeople: number;
  tpir: number;
  fpir: number;
  /** Every calibration size at the point the rule gives it. */
  sizes: (OperatingPointStats & { people: number })[];
}

/**
 * The school-scale calibration rule (docs/recognition.md "Decision rule at school scale"): on a
 * grid of school points (threshold and margin in 0.01 steps), `pointAt` gives the point the
 * decision rule uses at each calibration gallery size; keep the school points with NO
 * misidentification and fpir ≤ maxFpir at EVERY size, take the highest tpir at the largest
 * size; among equals, the highest threshold, then the highest margin. Null when none qualifies.
 */
export function chooseSchoolPoint(
  sized: readonly SizedProbes[],
  pointAt: (
    school: { threshold: number; minMargin: number },
    people: number,
  ) => {
    threshold: number;
    minMargin: number;
  },
  { maxFpir = 0.005, maxMargin = 0.2, minThreshold = 0, maxThreshold = 1 } = {},
): SchoolPointStats | null {
  if (sized.length === 0) return null;
  const largest = sized.reduce((a, b) => (b.people > a.people ? b : a));
  let best: SchoolPointStats | null = null;
  for (let mi = 0; mi <= Math.round(maxMargin * 100); mi++) {
    for (let ti = Math.round(minThreshold * 100); ti <= Math.round(maxThreshold * 100); ti++) {
      const school = { threshold: ti / 100, minMargin: mi / 100 };
      const sizes = sized.map((s) => {
        const at = pointAt(school, s.people);
        return { people: s.people, ...evaluateOperatingPoint(s.probes, at.threshold, at.minMargin) };
      });
      if (sizes.some((s) => s.misidentified > 0 || s.fpir > maxFpir)) continue;
      const top = sizes[sized.indexOf(largest)]!;
      const cand: SchoolPointStats = {
        ...school,
        galleryPeople: largest.people,
        tpir: top.tpir,
        fpir: top.fpir,
        sizes,
      };
      if (
        !best ||
        cand.tpir > best.tpir ||
        (cand.tpir === best.tpir &&
          (cand.threshold > best.threshold ||
            (cand.threshold === best.threshold && cand.minMargin > best.minMargin)))
      )
        best = cand;
    }
  }
  return best && best.tpir > 0 ? best : null;
}
