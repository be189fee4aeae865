// Gallery-side and cohort score normalisation for the open-set study (score-norm-study.ts,
// docs/recognition.md "Score normalisation (measured, not shipped)").
//
// A face's raw scores are the production Matcher's person scores (best template per person).
// Every normalisation here uses enrolment data only, as a kiosk could precompute it at roster
// sync: a gallery person's cohort is every OTHER gallery person's templates scored against them
// (leave-self-out); a face's own cohort is its scores against the gallery with the candidate
// being normalised left out.
import { Matcher } from '../../src/ml/matcher.js';
import type { ScoredProbe } from './eval-protocol.js';

export interface Template {
  personId: string;
  embedding: Float32Array;
}

export interface Probe {
  kind: 'known' | 'unknown';
  identity: string;
  embedding: Float32Array | null;
}

/** Scores in descending order with prefix sums of values and squares: top-k statistics in O(1). */
export interface Sorted {
  desc: Float32Array;
  sum: Float64Array;
  sq: Float64Array;
}

export function sortedStats(values: ArrayLike<number>): Sorted {
  const desc = Float32Array.from(values).sort().reverse();
  const sum = new Float64Array(desc.length + 1);
  const sq = new Float64Array(desc.length + 1);
  for (let i = 0; i < desc.length; i++) {
    sum[i + 1] = sum[i]! + desc[i]!;
    sq[i + 1] = sq[i]! + desc[i]! * desc[i]!;
  }
  return { desc, sum, sq };
}

/** Smallest standard deviation a normaliser divides by (a cohort of identical scores). */
export const SD_FLOOR = 1e-3;

/**
 * Mean and standard deviation of the `k` highest scores (k = 0: all of them). With `drop`, one
 * score of that value is taken out first (the candidate's own score in a face's cohort), so the
 * top k are those of the others.
 */
export function topStats(s: Sorted, k: number, drop?: number): { mean: number; sd: number } {
  const n = s.desc.length;
  let take = k > 0 ? Math.min(k, n) : n;
  let sum: number;
  let sq: number;
  if (drop === undefined || (take < n && drop < s.desc[take - 1]!)) {
    sum = s.sum[take]!;
    sq = s.sq[take]!;
  } else {
    // the dropped score is among the top `take`: one more from below takes its place
    const upto = Math.min(n, take + 1);
    sum = s.sum[upto]! - drop;
    sq = s.sq[upto]! - drop * drop;
    take = upto - 1;
  }
  if (take <= 0) return { mean: 0, sd: 1 };
  const mean = sum / take;
  return { mean, sd: Math.max(SD_FLOOR, Math.sqrt(Math.max(0, sq / take - mean * mean))) };
}

/** One gallery, scored once: its Matcher, every person's cohort, every probe's raw scores. */
export interface ScoredGallery {
  /** Gallery people in the Matcher's order (the index of every score vector). */
  people: string[];
  matcher: Matcher;
  templates: Template[];
  /** Per person: every OTHER person's templates scored against them (leave-self-out). */
  cohort: Sorted[];
  probes: { probe: Probe; raw: Float32Array | null }[];
}

/** Not a person id: a Matcher asked to exclude it scores every person. */
const NOBODY = '\u0000';

/** Every person's score for an embedding, in the gallery's person order. */
export function personScores(matcher: Matcher, embedding: Float32Array): Float32Array {
  return matcher.impostorScores(embedding, NOBODY);
}

/** One unit template per person, the normalised mean of their templates. */
export function meanTemplates(templates: readonly Template[]): Template[] {
  const sums = new Map<string, Float32Array>();
  for (const t of templates) {
    const s = sums.get(t.personId) ?? new Float32Array(t.embedding.length);
    let norm = 0;
    for (const v of t.embedding) norm += v * v;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < s.length; i++) s[i]! += t.embedding[i]! / norm;
    sums.set(t.personId, s);
  }
  return [...sums].map(([personId, embedding]) => ({ personId, embedding }));
}

export function scoreGallery(
  templates: readonly Template[],
  probes: readonly Probe[],
  { meanTemplate = false } = {},
): ScoredGallery {
  const used = meanTemplate ? meanTemplates(templates) : [...templates];
  if (used.length === 0) throw new Error('a gallery needs at least one template');
  const matcher = new Matcher({ dims: used[0]!.embedding.length, threshold: 0, minMargin: 0 });
  const people: string[] = [];
  for (const t of used) {
    if (!matcher.has(t.personId)) people.push(t.personId);
    matcher.add(t.personId, t.embedding);
  }
  const index = new Map(people.map((p, i) => [p, i]));
  const cols: number[][] = people.map(() => []);
  for (const t of used) {
    const own = index.get(t.personId)!;
    const s = matcher.impostorScores(t.embedding, t.personId);
    for (let p = 0, o = 0; p < people.length; p++) if (p !== own) cols[p]!.push(s[o++]!);
  }
  return {
    people,
    matcher,
    templates: used,
    cohort: cols.map(sortedStats),
    probes: probes.map((probe) => ({
      probe,
      raw: probe.embedding ? personScores(matcher, probe.embedding) : null,
    })),
  };
}

/** Maps a face's raw person scores to normalised ones; the `exclude`d person gets -Infinity. */
export type Normaliser = (raw: Float32Array, exclude: number) => Float64Array;

/** Builds a gallery's normaliser (its per-person statistics are the roster-sync precomputation). */
export type NormaliserFactory = (g: ScoredGallery) => Normaliser;

export const rawScores: NormaliserFactory = () => (raw, exclude) => {
  const out = Float64Array.from(raw);
  if (exclude >= 0) out[exclude] = -Infinity;
  return out;
};

/** Each gallery person's cohort mean and sd over their top `k` cohort scores (0: all). */
export function cohortStats(g: ScoredGallery, k: number): { mean: Float64Array; sd: Float64Array } {
  const mean = new Float64Array(g.people.length);
  const sd = new Float64Array(g.people.length);
  g.cohort.forEach((c, j) => {
    const st = topStats(c, k);
    mean[j] = st.mean;
    sd[j] = st.sd;
  });
  return { mean, sd };
}

/**
 * Z-norm (gallery side): (s − μ_j) / σ_j over person j's cohort (top k, 0 = all). With
 * `scale: false`, s − μ_j: a person-specific threshold set by their own impostor tail.
 */
export function zNorm(k: number, { scale = true } = {}): NormaliserFactory {
  return (g) => {
    const { mean, sd } = cohortStats(g, k);
    return (raw, exclude) => {
      const out = new Float64Array(raw.length);
      for (let j = 0; j < raw.length; j++) {
        const centred = raw[j]! - mean[j]!;
        out[j] = j === exclude ? -Infinity : scale ? centred / sd[j]! : centred;
      }
      return out;
    };
  };
}

/** Adds weight · T-norm of every candidate to `out`: the face's top-k scores without that candidate. */
function addProbeSide(
  raw: Float32Array,
  exclude: number,
  k: number,
  out: Float64Array,
  weight: number,
): void {
  const st = sortedStats(exclude >= 0 ? raw.filter((_, i) => i !== exclude) : raw);
  for (let j = 0; j < raw.length; j++) {
    if (j === exclude) continue;
    const t = topStats(st, k, raw[j]!);
    out[j]! += (weight * (raw[j]! - t.mean)) / t.sd;
  }
}

/** T-norm (probe side): the face's scores against the rest of the gallery (top k, 0 = all). */
export function tNorm(k: number): NormaliserFactory {
  return () => (raw, exclude) => {
    const out = new Float64Array(raw.length);
    addProbeSide(raw, exclude, k, out, 1);
    if (exclude >= 0) out[exclude] = -Infinity;
    return out;
  };
}

/** S-norm: the mean of Z- and T-norm; adaptive (AS-norm) with a top-k cohort on both sides. */
export function sNorm(k: number): NormaliserFactory {
  return (g) => {
    const { mean, sd } = cohortStats(g, k);
    return (raw, exclude) => {
      const out = new Float64Array(raw.length);
      for (let j = 0; j < raw.length; j++) out[j] = (0.5 * (raw[j]! - mean[j]!)) / sd[j]!;
      addProbeSide(raw, exclude, k, out, 0.5);
      if (exclude >= 0) out[exclude] = -Infinity;
      return out;
    };
  };
}

/** Adaptive S-norm whose k is a share of the gallery, so it means the same at every size. */
export function sNormShare(share: number): NormaliserFactory {
  return (g) => sNorm(Math.max(5, Math.round(share * g.people.length)))(g);
}

export interface Decided extends ScoredProbe {
  identity: string;
  best: string | null;
}

/**
 * Every probe of a gallery decided on normalised scores: the best person and the margin over
 * the second on the normalised scores, or (normalisedMargin false) ranked and margined on raw
 * scores as the shipped rule does, with only the threshold on the normalised score.
 */
export function decideAll(g: ScoredGallery, normalise: Normaliser, normalisedMargin: boolean): Decided[] {
  return g.probes.map(({ probe, raw }): Decided => {
    // plain literals of one shape: the operating-point search reads these millions of times
    if (!raw || g.people.length === 0)
      return {
        kind: probe.kind,
        faceFound: false,
        correct: false,
        score: 0,
        margin: 0,
        identity: probe.identity,
        best: null,
      };
    const z = normalise(raw, -1);
    const key = normalisedMargin ? z : raw;
    let first = 0;
    let second = -1;
    for (let j = 1; j < key.length; j++) {
      if (key[j]! > key[first]!) {
        second = first;
        first = j;
      } else if (second < 0 || key[j]! > key[second]!) second = j;
    }
    const margin = normalisedMargin
      ? second >= 0
        ? z[first]! - z[second]!
        : Infinity
      : raw[first]! - Math.max(second >= 0 ? raw[second]! : 0, 0);
    return {
      kind: probe.kind,
      faceFound: true,
      correct: g.people[first] === probe.identity,
      score: z[first]!,
      margin,
      identity: probe.identity,
      best: g.people[first]!,
    };
  });
}

/** The gallery's own normalised impostor scores: each template against every other person. */
export function normalisedImpostors(g: ScoredGallery, normalise: Normaliser): number[] {
  const index = new Map(g.people.map((p, i) => [p, i]));
  const scores: number[] = [];
  for (const t of g.templates) {
    const z = normalise(personScores(g.matcher, t.embedding), index.get(t.personId)!);
    for (const v of z) if (v !== -Infinity) scores.push(v);
  }
  return scores;
}

/** The identities `--same-person a=b,c=d` names, both sides of every pair (set aside in reports). */
export function samePersonIdentities(arg: string): Set<string> {
  return new Set(
    arg
      .split(',')
      .filter((x) => x.trim())
      .flatMap((p) => p.split('=').map((x) => x.trim())),
  );
}

/** How many people a dump's gallery holds: its enrolled identities and its distractors. */
export const galleryPeopleOf = (records: readonly { role?: string; identity: string }[]): number =>
  new Set(records.filter((r) => r.role === 'template' || r.role === 'distractor').map((r) => r.identity))
    .size;
