// npx tsx eval/src/liveness-study.ts <spoof-dev dump> <faces-lfw-640 dump> <faces-640 dump>
// The study behind docs/liveness.md's "Test-time augmentation" and "Per-visit aggregation"
// tables. The dumps come from eval/src/spoof-dump.ts with `--views 2.7f,1.5,2,3.4,4,4f`.
// For each candidate score (one FASNet view, an average of views, a logistic fusion of several)
// it prints, out of fold (leave one source repository out, as fit-liveness.ts): BPCER at APCER
// 0.05 and APCER at BPCER 0.05 on the development images; then, at the threshold the shipped
// rule (choose.ts) would pick with faces-lfw-640's budget at each LFWB value (env, default
// 0.01,0.02), the development APCER/BPCER, faces-lfw-640's and faces-640's BPCER (faces-640 is
// the check, never used to choose), and the development clips under several per-visit rules
// (frame scores from the fusion fitted without the clip's source). CLIPNAMES=1 lists the clips
// that a rule gets wrong. Offline only: nothing here ships.
/* eslint-disable @typescript-eslint/no-explicit-any -- an offline script over its own dump format */
import { readFileSync } from 'node:fs';
import { fitLogistic, predictLogit } from '../../src/ml/liveness/logistic.js';
import { logit } from '../../src/ml/liveness/features.js';
import { highestThresholdWithin } from '../../src/ml/liveness/choose.js';
import { ratesAtFixedError, round4 } from '../../src/ml/liveness/spoof-protocol.js';

const [devF, lfwF, f640F] = process.argv.slice(2);
const load = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as any[];
const dev = load(devF!);
const lfw = load(lfwF!);
const f640 = load(f640F!);

// The shipped view (2.7, unflipped) first, then the dump's --views in order.
const VIEWS = ['27', '27f', '15', '20', '34', '40', '40f'];
if (dev[0]?.views !== '2.7f,1.5,2,3.4,4,4f') throw new Error('dump made without --views 2.7f,1.5,2,3.4,4,4f');
function feats(face: any): Record<string, number> | null {
  const p = face?.presentation;
  if (!p || !p.fasnetViews) return null;
  const v = [p.fasnet, ...p.fasnetViews].map(logit);
  const r: Record<string, number> = { antispoof: logit(face.antispoof) };
  VIEWS.forEach((n, i) => (r['f' + n] = v[i]!));
  r.tta27 = (r.f27! + r.f27f!) / 2;
  r.tta40 = (r.f40! + r.f40f!) / 2;
  r.allmean = v.reduce((a, b) => a + b, 0) / v.length;
  r.ms = (r.f20! + r.f27! + r.f34! + r.f40!) / 4;
  r.minv = Math.min(r.f27!, r.f27f!, r.f40!, r.f40f!);
  r.m2740 = (r.f27! + r.f27f! + r.f40! + r.f40f!) / 4;
  return r;
}

const images = dev.filter((d) => !d.clip);
const clips = dev.filter((d) => d.clip);
const rows = images.flatMap((d) => {
  const x = feats(d.frames[0]?.faces?.[0]);
  return x ? [{ x, y: d.label === 'live' ? 1 : 0, source: d.source, type: d.attack_type, file: d.file }] : [];
});
const setScores = (items: any[]) =>
  items.flatMap((d) => {
    const x = feats(d.frames[0]?.faces?.[0]);
    return x ? [x] : [];
  });
const lfwX = setScores(lfw);
const f640X = setScores(f640);

function fit(train: typeof rows, names: string[]) {
  const nLive = train.filter((r) => r.y === 1).length;
  const nSpoof = train.length - nLive;
  return fitLogistic(
    train.map((r) => names.map((n) => r.x[n]!)),
    train.map((r) => r.y),
    train.map((r) => (r.y === 1 ? 0.5 / nLive : 0.5 / nSpoof) * train.length),
    1,
  );
}

const subsets: Record<string, string[]> = {
  f27: ['f27'],
  f27f: ['f27f'],
  f15: ['f15'],
  f20: ['f20'],
  f34: ['f34'],
  f40: ['f40'],
  tta27: ['tta27'],
  tta40: ['tta40'],
  m2740: ['m2740'],
  allmean: ['allmean'],
  ms: ['ms'],
  minv: ['minv'],
  'f27+f40': ['f27', 'f40'],
  'tta27+tta40': ['tta27', 'tta40'],
  'f20+f27+f34+f40': ['f20', 'f27', 'f34', 'f40'],
  all7: VIEWS.map((v) => 'f' + v),
  'f27+antispoof': ['f27', 'antispoof'],
  'm2740+antispoof': ['m2740', 'antispoof'],
};

const out: any[] = [];
for (const [name, names] of Object.entries(subsets)) {
  const sources = [...new Set(rows.map((r) => r.source))];
  const oof = new Map<string, number>();
  const models = new Map<string, any>();
  for (const s of sources) {
    const m = fit(
      rows.filter((r) => r.source !== s),
      names,
    );
    models.set(s, m);
    for (const r of rows.filter((q) => q.source === s))
      oof.set(
        r.file,
        predictLogit(
          m,
          names.map((n) => r.x[n]!),
        ),
      );
  }
  const outcomes = images.map((d) => ({
    label: d.label,
    attackType: d.attack_type,
    accepted: false,
    noFace: !oof.has(d.file),
    score: oof.get(d.file) ?? null,
  }));
  const r = ratesAtFixedError(outcomes as any);
  const all = fit(rows, names);
  const lfwS = lfwX.map((x) =>
    predictLogit(
      all,
      names.map((n) => x[n]!),
    ),
  );
  const f640S = f640X.map((x) =>
    predictLogit(
      all,
      names.map((n) => x[n]!),
    ),
  );
  const devLive = rows.filter((q) => q.y === 1).map((q) => oof.get(q.file)!);
  const res: any = { name, b_at_a05: r.bpcerAtApcer, a_at_b05: r.apcerAtBpcer };
  for (const lb of (process.env.LFWB ?? '0.01,0.02').split(',').map(Number)) {
    const t = Math.min(highestThresholdWithin(devLive, 0.05), highestThresholdWithin(lfwS, lb));
    const spoof = rows.filter((q) => q.y === 0);
    const live = rows.filter((q) => q.y === 1);
    res['lfw' + lb] = {
      t: round4(t),
      apcer: round4(spoof.filter((q) => oof.get(q.file)! >= t).length / spoof.length),
      bpcer: round4(live.filter((q) => oof.get(q.file)! < t).length / live.length),
      lfw: round4(lfwS.filter((s) => s < t).length / lfwS.length),
      f640: round4(f640S.filter((s) => s < t).length / f640S.length),
      // clips: frame scores by the model fitted without the clip's source; mean/min over visit
      clips: clipFigures(clips, models, names, t, all),
    };
  }
  out.push(res);
}

function clipFigures(cl: any[], models: Map<string, any>, names: string[], t: number, all: any) {
  const mean = (s: number[]) => s.reduce((a, b) => a + b, 0) / s.length;
  const q = (s: number[], p: number) => [...s].sort((a, b) => a - b)[Math.floor((s.length - 1) * p)]!;
  const agg: Record<string, [(s: number[]) => boolean, number]> = {
    mean2: [(s) => mean(s) >= t, 2],
    mean3: [(s) => mean(s) >= t, 3],
    mean4: [(s) => mean(s) >= t, 4],
    median3: [(s) => q(s, 0.5) >= t, 3],
    q25_4: [(s) => q(s, 0.25) >= t, 4],
    min2: [(s) => Math.min(...s) >= t, 2],
    min3: [(s) => Math.min(...s) >= t, 3],
    vote75_4: [(s) => s.filter((x) => x >= t).length / s.length >= 0.75, 4],
  };
  const res: Record<string, string> = {};
  for (const [an, [ok, minFrames]] of Object.entries(agg)) {
    let la = 0;
    let sa = 0;
    let nl = 0;
    let ns = 0;
    const acc: string[] = [];
    for (const c of cl) {
      const m = models.get(c.source) ?? all;
      const scores: number[] = [];
      let accepted = false;
      for (const fr of c.frames) {
        const x = feats(fr.faces?.[0]);
        if (!x) continue;
        scores.push(
          predictLogit(
            m,
            names.map((n) => x[n]!),
          ),
        );
        if (scores.length >= minFrames && ok(scores)) {
          accepted = true;
          break;
        }
      }
      if (c.label === 'live') {
        nl++;
        if (accepted) la++;
        else acc.push('L:' + c.file.slice(4));
      } else {
        ns++;
        if (accepted) {
          sa++;
          acc.push('A:' + c.file.slice(4));
        }
      }
    }
    res[an] = `a ${sa}/${ns} b ${nl - la}/${nl}` + (process.env.CLIPNAMES ? ' ' + acc.join(',') : '');
  }
  return res;
}

console.log(JSON.stringify(out, null, 1));
