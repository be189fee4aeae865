// npx tsx eval/src/live-training-study.ts <spoof-dev dump> <faces-lfw-640 dump> <faces-640 dump>
//   <faces dump> --extra <live dump> [--extra <live dump>]... [--only 0,3] [--outer 30] [--thin N]
//   [--variants both|dev|extra]
// The study behind docs/liveness.md's "More live photos as training examples": the colour-texture
// fusions of eval/src/texture-probe-study.ts failed because the development live images (57,
// mostly webcams) do not span the cameras the kiosk must accept. Does adding other real people's
// photos (door frames built like faces-lfw-640's by eval/src/make-door-frames.ts, e.g. from
// faces-gallery-distractors and faces-gallery) to the LIVE side of the fit fix that?
// Every dump comes from eval/src/spoof-dump.ts with `--cues` (`--faces` for the face sets).
//
// Protocol, fixed before any result was seen:
// - Outer cross-validation: each fold holds out one whole development source repository (as
//   fit-liveness.ts) AND one of as many groups of extra people (people dealt round-robin in name
//   order), so every development image and every extra photo is scored by a model fitted
//   without its source / its person.
// - Weights: attacks carry half the total weight; the live half is split equally between the
//   development live images and the extra live photos (so 57 webcam images are not drowned by
//   ~1,800 news photos). Without extra photos this is fit-liveness's equal class weighting.
// - A histogram block enters with an L2 penalty λ (ridge logistic; FASNet's standardised logit
//   keeps fit-liveness's penalty 1), λ chosen by NESTED cross-validation inside each outer
//   training fold (5 folds of whole sources and people, lowest weighted log-loss), never from the
//   out-of-fold result or the check sets.
// - The model that scores the live face sets (and the clips of sources with no image) is fitted
//   on all development images and all extra photos, λ chosen the same way.
// - Threshold: the shipped rule (choose.ts, standard budgets) on the out-of-fold development live
//   scores and faces-lfw-640, the calibration set. Checks, never used to fit or choose:
//   faces-640 (door frames) and faces (the same people's raw photos), people and cameras in
//   neither training nor calibration.
// - The proxy for "unseen live cameras": how many development live (webcam) images, scored out of
//   source, fall below faces-lfw-640's 5th percentile (the model finding webcams less live than
//   the news photos it was given), next to the same figure without extra photos.
// Offline only: nothing here ships.
/* eslint-disable @typescript-eslint/no-explicit-any -- an offline script over its own dump format */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  chooseLivenessThreshold,
  highestThresholdWithin,
  LEVEL_BUDGETS,
} from '../../src/ml/liveness/choose.js';
import { ratesAtFixedError, round4 } from '../../src/ml/liveness/spoof-protocol.js';
import { apcerByType, tallyClips } from './liveness-study-rules.js';
import { choleskySolve } from './cholesky.js';
import { cueFace, firstCueFaces, type CueFace } from './cue-dump.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    extra: { type: 'string', multiple: true },
    only: { type: 'string' },
    outer: { type: 'string', default: '30' },
    thin: { type: 'string', default: '1' },
    /** Which fits to run: both (without and with the extra photos), dev (without) or extra (with). */
    variants: { type: 'string', default: 'both' },
  },
});
const [devF, lfwF, f640F, facesF] = positionals;
if (!devF || !lfwF || !f640F || !facesF) {
  console.error(
    'usage: npx tsx eval/src/live-training-study.ts <dev> <faces-lfw-640> <faces-640> <faces> --extra <dump>...',
  );
  process.exit(2);
}
const load = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as any[];

// ---------------------------------------------------------------- features of one face
type Face = CueFace;
const face = (f: any) => cueFace(f);

/** A training / scoring unit: `group` is what a fold holds out (a source repository or a person). */
interface Row {
  f: Face;
  y: number;
  /** 'dev' (development image) or 'extra' (an extra live photo). */
  kind: 'dev' | 'extra';
  group: string;
  type: string;
  file: string;
}
const dev = load(devF);
const images = dev.filter((d) => !d.clip);
const clips = dev.filter((d) => d.clip);
const devRows: Row[] = images.flatMap((d) => {
  const f = face(d.frames[0]?.faces?.[0]);
  return f
    ? [
        {
          f,
          y: d.label === 'live' ? 1 : 0,
          kind: 'dev' as const,
          group: d.source,
          type: d.attack_type,
          file: d.file,
        },
      ]
    : [];
});
const setFaces = (items: any[]) =>
  firstCueFaces(items).map(({ f, item }) => ({
    f,
    file: item.file as string,
    person: item.source as string,
  }));
const lfwFaces = setFaces(load(lfwF)).map((r) => r.f);
const f640Faces = setFaces(load(f640F)).map((r) => r.f);
const facesRaw = setFaces(load(facesF)).map((r) => r.f);
// `--thin N` keeps every N-th extra photo (in each dump's order): a fit costs rows × columns².
const extraRows: Row[] = (values.extra ?? []).flatMap((file, k) =>
  setFaces(load(file))
    .filter((_, i) => i % Number(values.thin) === 0)
    .map((r) => ({
      f: r.f,
      y: 1,
      kind: 'extra' as const,
      group: `extra${k}:${r.person}`,
      type: 'none',
      file: `extra${k}:${r.file}`,
    })),
);

// ---------------------------------------------------------------- ridge logistic (Newton-CG)
/**
 * Weighted logistic regression with a per-coordinate L2 penalty, by Newton's method (direct
 * solve of the Newton system) with a backtracking line search. x: n × m row-major, the last column all ones
 * (the bias, unpenalised). Returns the m coefficients.
 */
function ridgeLogistic(
  x: Float64Array,
  n: number,
  m: number,
  y: Float64Array,
  w: Float64Array,
  pen: Float64Array,
  start?: Float64Array,
): Float64Array {
  const beta = start ? Float64Array.from(start) : new Float64Array(m);
  const eta = new Float64Array(n);
  const dd = new Float64Array(n);
  const xb = (b: Float64Array, out: Float64Array) => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      const o = i * m;
      for (let j = 0; j < m; j++) s += x[o + j]! * b[j]!;
      out[i] = s;
    }
  };
  const xtv = (v: Float64Array, out: Float64Array) => {
    out.fill(0);
    for (let i = 0; i < n; i++) {
      const vi = v[i]!;
      if (vi === 0) continue;
      const o = i * m;
      for (let j = 0; j < m; j++) out[j]! += x[o + j]! * vi;
    }
  };
  const objective = (b: Float64Array) => {
    xb(b, eta);
    let f = 0;
    for (let i = 0; i < n; i++) {
      const z = eta[i]!;
      // log(1 + e^{-z}) for live, log(1 + e^{z}) for attacks, computed stably.
      const t = y[i] === 1 ? -z : z;
      f += w[i]! * (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t)));
    }
    for (let j = 0; j < m; j++) f += 0.5 * pen[j]! * b[j]! ** 2;
    return f;
  };
  const g = new Float64Array(m);
  const r = new Float64Array(n);
  let f0 = objective(beta);
  for (let it = 0; it < 50; it++) {
    // eta holds X·beta from the last objective() call.
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-eta[i]!));
      r[i] = w[i]! * (p - y[i]!);
      dd[i] = w[i]! * p * (1 - p);
    }
    xtv(r, g);
    let gmax = 0;
    for (let j = 0; j < m; j++) {
      g[j]! += pen[j]! * beta[j]!;
      gmax = Math.max(gmax, Math.abs(g[j]!));
    }
    if (gmax < 1e-4) break;
    // The Newton system H s = g, H = Xᵀ diag(dd) X + diag(pen), by Cholesky (m ≤ ~700).
    const h = new Float64Array(m * m);
    for (let i = 0; i < n; i++) {
      const o = i * m;
      const di = dd[i]!;
      for (let a = 0; a < m; a++) {
        const v = di * x[o + a]!;
        if (v === 0) continue;
        const ha = a * m;
        for (let b = 0; b <= a; b++) h[ha + b]! += v * x[o + b]!;
      }
    }
    for (let j = 0; j < m; j++) h[j * m + j]! += pen[j]! + 1e-9;
    const s = choleskySolve(h, g, m);
    // Backtracking line search on the penalised objective.
    const gs = g.reduce((a, v, j) => a + v * s[j]!, 0);
    let t = 1;
    const trial = new Float64Array(m);
    let f1 = 0;
    for (;;) {
      for (let j = 0; j < m; j++) trial[j] = beta[j]! - t * s[j]!;
      f1 = objective(trial);
      if (f1 <= f0 - 1e-4 * t * gs || t < 1e-6) break;
      t /= 2;
    }
    let big = 0;
    for (let j = 0; j < m; j++) big = Math.max(big, Math.abs(beta[j]! - trial[j]!));
    beta.set(trial);
    f0 = f1;
    if (big < 1e-7) break;
  }
  return beta;
}

// ---------------------------------------------------------------- candidates
interface Candidate {
  name: string;
  scalars: ('fasnet' | 'antispoof')[];
  blocks: string[];
}
const RIDGE_GRID = [1, 3, 10, 30, 100, 300, 1000, 3000, 10000, 30000];

/** Standardisation fitted on training faces: scalars to unit variance, the block centred with one global scale (as texture-probe-study.ts). */
interface Scaler {
  sMean: number[];
  sStd: number[];
  bMean: Float64Array;
  bScale: number;
}
const blockOf = (f: Face, c: Candidate) => c.blocks.flatMap((b) => f.blocks[b]!);
function scaler(train: Face[], c: Candidate): Scaler {
  const n = train.length;
  const sv = train.map((f) => c.scalars.map((k) => f[k]));
  const sMean = c.scalars.map((_, j) => sv.reduce((s, v) => s + v[j]!, 0) / n);
  const sStd = c.scalars.map(
    (_, j) => Math.sqrt(sv.reduce((s, v) => s + (v[j]! - sMean[j]!) ** 2, 0) / n) || 1,
  );
  const xb = train.map((f) => blockOf(f, c));
  const d = xb[0]?.length ?? 0;
  const bMean = new Float64Array(d);
  for (const r of xb) for (let j = 0; j < d; j++) bMean[j]! += r[j]! / n;
  let ss = 0;
  for (const r of xb) for (let j = 0; j < d; j++) ss += (r[j]! - bMean[j]!) ** 2;
  return { sMean, sStd, bMean, bScale: Math.sqrt(ss / n / Math.max(1, d)) || 1 };
}
function coords(sc: Scaler, f: Face, c: Candidate, out: Float64Array, o: number) {
  let k = o;
  c.scalars.forEach((name, j) => (out[k++] = (f[name] - sc.sMean[j]!) / sc.sStd[j]!));
  const b = blockOf(f, c);
  for (let j = 0; j < b.length; j++) out[k++] = (b[j]! - sc.bMean[j]!) / sc.bScale;
  out[k] = 1;
}

interface Fitted {
  sc: Scaler;
  beta: Float64Array;
}

/** Weights: attacks half; live half split between dev live and extra live (when both exist). */
function weights(train: Row[]): Float64Array {
  const nSpoof = train.filter((r) => r.y === 0).length;
  const nDevLive = train.filter((r) => r.y === 1 && r.kind === 'dev').length;
  const nExtra = train.filter((r) => r.kind === 'extra').length;
  const n = train.length;
  return Float64Array.from(train, (r) => {
    if (r.y === 0) return (0.5 / nSpoof) * n;
    if (nExtra === 0) return (0.5 / nDevLive) * n;
    return (r.kind === 'dev' ? 0.25 / nDevLive : 0.25 / nExtra) * n;
  });
}

/** Fits the whole λ path (largest first, warm starts) on `train`. */
function fitPath(train: Row[], c: Candidate): Fitted[] {
  const sc = scaler(
    train.map((r) => r.f),
    c,
  );
  const n = train.length;
  const ns = c.scalars.length;
  const d = blockOf(train[0]!.f, c).length;
  const m = ns + d + 1;
  const x = new Float64Array(n * m);
  train.forEach((r, i) => coords(sc, r.f, c, x, i * m));
  const y = Float64Array.from(train, (r) => r.y);
  const w = weights(train);
  if (d === 0) {
    const pen = Float64Array.from({ length: m }, (_, j) => (j < ns ? 1 : 0));
    return [{ sc, beta: ridgeLogistic(x, n, m, y, w, pen) }];
  }
  const out: Fitted[] = [];
  let start: Float64Array | undefined;
  for (const lambda of [...RIDGE_GRID].reverse()) {
    const pen = Float64Array.from({ length: m }, (_, j) => (j < ns ? 1 : j < m - 1 ? lambda : 0));
    const beta = ridgeLogistic(x, n, m, y, w, pen, start);
    start = beta;
    out.unshift({ sc, beta });
  }
  return out;
}

function predict(m: Fitted, f: Face, c: Candidate): number {
  const v = new Float64Array(m.beta.length);
  coords(m.sc, f, c, v, 0);
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j]! * m.beta[j]!;
  return s;
}

/** Groups dealt round-robin into k folds: development sources by size, extra people by name. */
function folds(rows: Row[], k: number): Set<string>[] {
  const counts = new Map<string, number>();
  for (const r of rows) if (r.kind === 'dev') counts.set(r.group, (counts.get(r.group) ?? 0) + 1);
  const devOrder = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const out: Set<string>[] = Array.from({ length: k }, () => new Set());
  devOrder.forEach(([s], i) => out[i % k]!.add(s));
  const people = [...new Set(rows.filter((r) => r.kind === 'extra').map((r) => r.group))].sort();
  people.forEach((p, i) => out[i % k]!.add(p));
  return out.filter((f) => f.size > 0);
}

function chooseLambda(train: Row[], c: Candidate): number {
  if (c.blocks.length === 0) return 0;
  const loss = new Array<number>(RIDGE_GRID.length).fill(0);
  const w = weights(train);
  const wOf = new Map(train.map((r, i) => [r, w[i]!]));
  for (const fold of folds(train, 5)) {
    const inTr = train.filter((r) => !fold.has(r.group));
    const inTe = train.filter((r) => fold.has(r.group));
    if (new Set(inTr.map((r) => r.y)).size < 2 || inTe.length === 0) continue;
    const path = fitPath(inTr, c);
    for (const r of inTe)
      path.forEach((m, i) => {
        const z = predict(m, r.f, c);
        loss[i]! += wOf.get(r)! * (r.y === 1 ? Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
      });
  }
  let best = 0;
  for (let i = 1; i < loss.length; i++) if (loss[i]! < loss[best]! - 1e-12) best = i;
  return best;
}

function fitChosen(train: Row[], c: Candidate): { m: Fitted; lambda: string } {
  const i = chooseLambda(train, c);
  return { m: fitPath(train, c)[i]!, lambda: c.blocks.length ? `λ=${RIDGE_GRID[i]}` : '-' };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const share = (xs: number[], t: number) => round4(xs.filter((s) => s < t).length / xs.length);
const countOf = (xs: string[]) =>
  Object.fromEntries([...new Set(xs)].map((x) => [x, xs.filter((y) => y === x).length]));

// ---------------------------------------------------------------- evaluation of one candidate
function evaluate(c: Candidate, extra: Row[]) {
  const started = performance.now();
  const all = [...devRows, ...extra];
  const outer = folds(all, Number(values.outer));
  const oof = new Map<string, number>();
  const models = new Map<string, Fitted>();
  const lambdas: string[] = [];
  for (const fold of outer) {
    const train = all.filter((r) => !fold.has(r.group));
    const { m, lambda } = fitChosen(train, c);
    lambdas.push(lambda);
    for (const g of fold) models.set(g, m);
    for (const r of all.filter((q) => fold.has(q.group))) oof.set(r.file, predict(m, r.f, c));
  }
  const outcomes = images.map((d) => ({
    label: d.label,
    attackType: d.attack_type,
    accepted: false,
    noFace: !oof.has(d.file),
    score: oof.get(d.file) ?? null,
  }));
  const fixed = ratesAtFixedError(outcomes as any);
  const { m: final, lambda } = fitChosen(all, c);
  const lfwS = lfwFaces.map((f) => predict(final, f, c));
  const f640S = f640Faces.map((f) => predict(final, f, c));
  const rawS = facesRaw.map((f) => predict(final, f, c));
  const devLive = devRows.filter((q) => q.y === 1).map((q) => oof.get(q.file)!);
  const spoof = devRows.filter((q) => q.y === 0);
  const extraOof = extra.map((q) => oof.get(q.file)!);
  const t = chooseLivenessThreshold(devLive, [lfwS], LEVEL_BUDGETS.standard);
  const byType = apcerByType(spoof, (file) => oof.get(file)!, t);
  // Clips as the door decides (texture-probe-study.ts): frames scored by the model fitted
  // without the clip's source, accepted at the first frame where the mean of >= 2 reaches t.
  const { attackClips, attackAccepted, liveClips, liveRejected, wrong } = tallyClips(
    clips,
    function* (cl) {
      const m = models.get(cl.source) ?? final;
      for (const fr of cl.frames) {
        const f = face(fr.faces?.[0]);
        yield f ? predict(m, f, c) : null;
      }
    },
    t,
  );
  const clipNames = wrong.map((w) => `${w.live ? 'live rejected' : 'attack accepted'}: ${w.file}`);
  const lfwP05 = quantile(lfwS, 0.05);
  const td = highestThresholdWithin(devLive, LEVEL_BUDGETS.standard.maxDevBpcer);
  return {
    name: c.name,
    extra_live: extra.length,
    bpcer_at_apcer_0_05: fixed.bpcerAtApcer,
    apcer_at_bpcer_0_05: fixed.apcerAtBpcer,
    standard: {
      threshold: round4(t),
      dev_apcer: round4(spoof.filter((r) => oof.get(r.file)! >= t).length / spoof.length),
      dev_apcer_by_type: byType,
      dev_bpcer_oof: share(devLive, t),
      lfw640_bpcer: share(lfwS, t),
      f640_bpcer_check: share(f640S, t),
      faces_raw_bpcer_check: share(rawS, t),
      extra_live_bpcer_oof: extra.length ? share(extraOof, t) : null,
      clips: `attacks ${attackAccepted}/${attackClips} accepted, live ${liveRejected}/${liveClips} rejected`,
      clip_names: clipNames,
    },
    // The unseen-camera proxy: webcam live images (out of source) below faces-lfw-640's p05.
    dev_live_below_lfw640_p05: share(devLive, lfwP05),
    // What binds: the threshold the development live images alone allow, and its cost elsewhere.
    dev_budget_only: {
      threshold: round4(td),
      dev_apcer: round4(spoof.filter((r) => oof.get(r.file)! >= td).length / spoof.length),
      lfw640_bpcer: share(lfwS, td),
      f640_bpcer_check: share(f640S, td),
      faces_raw_bpcer_check: share(rawS, td),
    },
    lambda_per_fold: countOf(lambdas),
    lambda_all: lambda,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

const candidates: Candidate[] = [
  { name: 'fasnet+antispoof (shipped)', scalars: ['fasnet', 'antispoof'], blocks: [] },
  { name: 'fasnet+spectrum (6 cues)', scalars: ['fasnet'], blocks: ['spec'] },
  { name: 'fasnet+lbp face r1', scalars: ['fasnet'], blocks: ['lbpFace1'] },
  { name: 'fasnet+lbp face r1+r2', scalars: ['fasnet'], blocks: ['lbpFace1', 'lbpFace2'] },
  { name: 'fasnet+lbp context r1', scalars: ['fasnet'], blocks: ['lbpCtx1'] },
  {
    name: 'fasnet+lbp face r1+context r1+spectrum',
    scalars: ['fasnet'],
    blocks: ['lbpFace1', 'lbpCtx1', 'spec'],
  },
];
const only = values.only?.split(',');
console.error(
  `${devRows.length} development images with a face, ${extraRows.length} extra live, ${lfwFaces.length} faces-lfw-640, ${f640Faces.length} faces-640, ${facesRaw.length} faces`,
);
const out = [];
for (const [i, c] of candidates.entries()) {
  if (only && !only.includes(String(i))) continue;
  const variants =
    values.variants === 'dev' || extraRows.length === 0
      ? [[]]
      : values.variants === 'extra'
        ? [extraRows]
        : [[], extraRows];
  for (const extra of variants) {
    const r = evaluate(c, extra);
    console.error(JSON.stringify(r));
    out.push(r);
  }
}
console.log(JSON.stringify(out, null, 1));
