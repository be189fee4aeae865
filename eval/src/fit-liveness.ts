// npx tsx eval/src/fit-liveness.ts <dev dump.json> [--live <dump.json>]... [--features a,b,c] [--tag t]
// Fits and checks the liveness fusion (docs/liveness.md) from eval/src/spoof-dump.ts output:
// - per-feature and per-subset figures from LEAVE-ONE-SOURCE-OUT cross-validation on the
//   development images (each source repository's images are scored by a model fitted without
//   that source: the held-out test uses other sources, so this is the estimate that matters);
// - the final weights (fitted on all development images) and the operating points chosen by
//   the rule in chooseLivenessThresholds(), printed as JSON to paste into
//   src/ml/liveness/calibration.ts.
/* eslint-disable @typescript-eslint/no-explicit-any -- an offline script over its own dump format */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { allFeatures, FEATURE_NAMES } from '../../src/ml/liveness/features.js';
import { fitLogistic, predictLogit } from '../../src/ml/liveness/logistic.js';
import { chooseLivenessThreshold, LEVEL_BUDGETS } from '../../src/ml/liveness/choose.js';
import { ratesAtFixedError, round4 } from '../../src/ml/liveness/spoof-protocol.js';
import { apcerByType } from './liveness-study-rules.js';

interface DumpFace {
  antispoof: number;
  liveness: number;
  gateFailures: string[];
  box: number[];
  presentation?: any;
}
interface DumpItem {
  file: string;
  label: string;
  attack_type: string;
  source: string;
  clip: boolean;
  frames: { faces: DumpFace[] }[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    live: { type: 'string', multiple: true },
    features: { type: 'string' },
    lambda: { type: 'string', default: '1' },
    /** Goes into the calibration id, to tell fits of the same features apart. */
    tag: { type: 'string' },
  },
});
const dev: DumpItem[] = JSON.parse(readFileSync(positionals[0]!, 'utf8'));
const liveSets = (values.live ?? []).map((f) => ({
  name: f,
  items: JSON.parse(readFileSync(f, 'utf8')) as DumpItem[],
}));
const lambda = Number(values.lambda);

const largest = (faces: DumpFace[]) => faces[0];
const images = dev.filter((d) => !d.clip);
const rows = images.flatMap((d) => {
  const f = largest(d.frames[0]?.faces ?? []);
  const x = f ? allFeatures(f) : null;
  return x ? [{ x, y: d.label === 'live' ? 1 : 0, source: d.source, type: d.attack_type, file: d.file }] : [];
});
const noFace = images.length - rows.length;

function select(x: number[], idx: number[]) {
  return idx.map((i) => x[i]!);
}

function loso(idx: number[]) {
  const sources = [...new Set(rows.map((r) => r.source))];
  const oof = new Map<string, number>();
  for (const s of sources) {
    const train = rows.filter((r) => r.source !== s);
    // Balance the classes so the fit does not follow the attack/live ratio of the development set.
    const nLive = train.filter((r) => r.y === 1).length;
    const nSpoof = train.length - nLive;
    const m = fitLogistic(
      train.map((r) => select(r.x, idx)),
      train.map((r) => r.y),
      train.map((r) => (r.y === 1 ? 0.5 / nLive : 0.5 / nSpoof) * train.length),
      lambda,
    );
    for (const r of rows.filter((q) => q.source === s)) oof.set(r.file, predictLogit(m, select(r.x, idx)));
  }
  return oof;
}

function summary(scores: Map<string, number>) {
  const outcomes = images.map((d) => ({
    label: d.label as 'live' | 'spoof',
    attackType: d.attack_type as any,
    accepted: false,
    noFace: !scores.has(d.file),
    score: scores.get(d.file) ?? null,
  }));
  const r = ratesAtFixedError(outcomes);
  return { bpcer_at_apcer_0_05: r.bpcerAtApcer, apcer_at_bpcer_0_05: r.apcerAtBpcer };
}

const subsets: Record<string, string[]> = {
  antispoof: ['antispoof'],
  liveness: ['liveness'],
  fasnet: ['fasnet'],
  fineDetail: ['fineDetail'],
  saturation: ['saturation'],
  glare: ['glare'],
  human: ['antispoof', 'liveness'],
  'fasnet+antispoof': ['fasnet', 'antispoof'],
  'fasnet+liveness': ['fasnet', 'liveness'],
  'fasnet+human': ['fasnet', 'antispoof', 'liveness'],
  'fasnet+human+texture': [...FEATURE_NAMES],
};
if (values.features) subsets['chosen'] = values.features.split(',');

const report: Record<string, unknown> = { images: images.length, no_face: noFace, lambda, cv: {} };
const oofBySubset = new Map<string, Map<string, number>>();
for (const [name, feats] of Object.entries(subsets)) {
  const idx = feats.map((f) => FEATURE_NAMES.indexOf(f as any));
  const oof = loso(idx);
  oofBySubset.set(name, oof);
  (report.cv as any)[name] = summary(oof);
}

// Raw single-feature figures (no fitting: the feature itself, either sign, as the score).
const raw: Record<string, unknown> = {};
for (const [j, name] of FEATURE_NAMES.entries()) {
  const a = summary(new Map(rows.map((r) => [r.file, r.x[j]!])));
  const b = summary(new Map(rows.map((r) => [r.file, -r.x[j]!])));
  raw[name] = (a.bpcer_at_apcer_0_05 ?? 1) <= (b.bpcer_at_apcer_0_05 ?? 1) ? a : { ...b, sign: -1 };
}
report.raw = raw;

// The subset: --features, else the lowest out-of-fold BPCER at APCER 0.05, then the lowest
// APCER at BPCER 0.05, then the fewest features.
const ranked = Object.entries(subsets)
  .map(([name, feats]) => ({ name, feats, ...(report.cv as any)[name] }))
  .sort(
    (a, b) =>
      a.bpcer_at_apcer_0_05 - b.bpcer_at_apcer_0_05 ||
      a.apcer_at_bpcer_0_05 - b.apcer_at_bpcer_0_05 ||
      a.feats.length - b.feats.length,
  );
const chosen = values.features ? ranked.find((r) => r.name === 'chosen')! : ranked[0]!;
const idx = chosen.feats.map((f: string) => FEATURE_NAMES.indexOf(f as any));
const nLive = rows.filter((r) => r.y === 1).length;
const nSpoof = rows.length - nLive;
const model = fitLogistic(
  rows.map((r) => select(r.x, idx)),
  rows.map((r) => r.y),
  rows.map((r) => (r.y === 1 ? 0.5 / nLive : 0.5 / nSpoof) * rows.length),
  lambda,
);
const oof = oofBySubset.get(chosen.name)!;
const devLive = rows.filter((r) => r.y === 1).map((r) => oof.get(r.file)!);

function faceSetScores(items: DumpItem[]) {
  // A photo with no face is a recognition failure, not a liveness one: left out here.
  return items.flatMap((d) => {
    const f = largest(d.frames[0]?.faces ?? []);
    const x = f ? allFeatures(f) : null;
    return x ? [predictLogit(model, select(x, idx))] : [];
  });
}
const faceSets = liveSets.map((s) => ({ name: s.name, scores: faceSetScores(s.items) }));
const thresholds = {
  standard: round4(
    chooseLivenessThreshold(
      devLive,
      faceSets.map((f) => f.scores),
      LEVEL_BUDGETS.standard,
    ),
  ),
  strict: round4(
    chooseLivenessThreshold(
      devLive,
      faceSets.map((f) => f.scores),
      LEVEL_BUDGETS.strict,
    ),
  ),
};

// Out-of-fold figures at those thresholds (what the held-out set should roughly see).
const atThreshold: Record<string, unknown> = {};
for (const [level, t] of Object.entries(thresholds)) {
  const live = rows.filter((r) => r.y === 1);
  const spoof = rows.filter((r) => r.y === 0);
  const byType = apcerByType(spoof, (file) => oof.get(file)!, t);
  atThreshold[level] = {
    oof_bpcer: round4(live.filter((r) => oof.get(r.file)! < t).length / live.length),
    oof_apcer: round4(spoof.filter((r) => oof.get(r.file)! >= t).length / spoof.length),
    oof_apcer_by_type: byType,
    face_sets_bpcer: Object.fromEntries(
      faceSets.map((f) => [f.name, round4(f.scores.filter((x) => x < t).length / f.scores.length)]),
    ),
  };
}
report.chosen = chosen.name;
report.at_threshold = atThreshold;
report.calibration = {
  id: `fusion-${chosen.name}${values.tag ? `-${values.tag}` : ''}-${new Date().toISOString().slice(0, 10)}`,
  features: chosen.feats,
  model: {
    mean: model.mean.map(round4),
    std: model.std.map(round4),
    weights: model.weights.map(round4),
    bias: round4(model.bias),
  },
  thresholds,
  minFrames: 2,
};
console.log(JSON.stringify(report, null, 1));
