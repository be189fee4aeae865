// npx tsx eval/src/score-norm-study.ts --calib <faces-lfw-640 dump> --report <faces-gallery dump>
//                                      [--same-person a=b,...] [--max-fpir 0.005]
//
// Prints one JSON object on stdout: for every normalisation and size rule, the point chosen on
// the calibration setting, its calibration figures, and the reported set's figures at that point
// (with the --same-person identities' probes also set aside); `selected` is the normalisation
// and rule the calibration rule itself prefers (highest calibration tpir at the largest size;
// ties to the earlier one in NORMS, then `interp`).
//
// Offline study of gallery-side and cohort score normalisation for the school tier
// (docs/recognition.md "Score normalisation (measured, not shipped)"). Reads only dumped
// embeddings (`npm run eval -- <dir> --dump <file>`); nothing is re-analysed.
//
// Two settings, exactly as the calibration script and the eval build them:
// - CALIBRATION (chooses every operating point): faces-lfw-640's probes, both protocol folds
//   (K = 2, even then odd identities enrolled), against each fold's 25 enrolled people plus the
//   first 0 / 75 / 375 / 1,000 distractor people of the report dump (name order): 25, 100, 400
//   and 1,025 people. Only the report dump's distractor records are read here.
// - REPORTED (never used to choose): the report dump's probes against its first 100 / 400 /
//   all gallery people (enrolled first, then distractors), as the eval's curve does.
//
// Every normalisation uses enrolment data only: a gallery person's cohort statistics come from
// the OTHER gallery people's templates (leave-self-out; what a kiosk can precompute at roster
// sync), a probe's from its own scores against the gallery with the candidate left out.
// Person scores are the production Matcher's (best template per person, int8 SIMD kernel).
//
// Size rules, each chosen by the school calibration rule (no misidentification and
// fpir ≤ 0.005 at every calibration size, then the highest tpir at 1,025 people; ties to the
// higher threshold, then the higher margin):
// - `fixed`: one (threshold, margin) at every gallery size (a size-independent normalisation
//   would need nothing else; beyond 1,025 people it is simply kept);
// - `interp`: the shipped rule's shape — the class-sized point chosen at 25 people, the school
//   point at 1,025, linear in ln N between, and beyond 1,025 the threshold raised by the slope
//   of the gallery's own normalised impostor tail per e-fold (schoolPoint()).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fitExponentialTail } from '../../src/ml/impostor-tail.js';
import { TAIL_FRACTION, galleryModel, schoolPoint } from '../../src/ml/decision-rule.js';
import { evaluateOperatingPoint, type ScoredProbe } from './eval-protocol.js';
import {
  decideAll,
  type Decided,
  normalisedImpostors,
  rawScores,
  sNorm,
  sNormShare,
  scoreGallery,
  tNorm,
  zNorm,
  type NormaliserFactory,
  type Probe,
  type ScoredGallery,
  type Template,
  galleryPeopleOf,
  samePersonIdentities,
} from './score-norm.js';

interface DumpRecord {
  identity: string;
  file: string;
  role?: string;
  face: { embedding: number[] } | null;
}

const { values } = parseArgs({
  options: {
    calib: { type: 'string' },
    report: { type: 'string' },
    'same-person': { type: 'string', default: '' },
    'max-fpir': { type: 'string', default: '0.005' },
  },
});
if (!values.calib || !values.report) {
  console.error(
    'usage: npx tsx eval/src/score-norm-study.ts --calib <dump> --report <dump with distractors>',
  );
  process.exit(2);
}
const maxFpir = Number(values['max-fpir']);
if (!(maxFpir >= 0 && maxFpir < 1)) {
  console.error(`--max-fpir must be a number in [0, 1), got ${values['max-fpir']}`);
  process.exit(2);
}
const RULE = `every point chosen on the calibration setting only: misid = 0 and fpir <= ${maxFpir} at every calibration size, then the highest tpir at the largest; ties to the higher threshold, then the higher margin`;
const K = 2;

function readDump(file: string): DumpRecord[] {
  let records: unknown;
  try {
    records = (JSON.parse(readFileSync(file, 'utf8')) as { records?: unknown }).records;
  } catch (err) {
    console.error(`cannot read the dump ${file}: ${(err as Error).message}`);
    process.exit(2);
  }
  if (!Array.isArray(records)) {
    console.error(
      `${file} is not an eval dump (no records): make one with npm run eval -- <dir> --dump <file>`,
    );
    process.exit(2);
  }
  return records as DumpRecord[];
}
const vec = (r: DumpRecord): Float32Array | null => (r.face ? Float32Array.from(r.face.embedding) : null);
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// ---- settings -------------------------------------------------------------------------------

interface Gallery {
  templates: Template[];
  probes: Probe[];
}

/** Both calibration folds (calibrate.ts's scoreFold) with `extra` gallery people added. */
function calibrationFolds(records: DumpRecord[], extra: Template[]): Gallery[] {
  const ids = [...new Set(records.map((r) => r.identity))].filter((i) => !i.startsWith('_')).sort();
  return ([0, 1] as const).map((parity) => {
    const enrolled = new Set(ids.filter((_, n) => n % 2 === parity));
    const seen = new Map<string, number>();
    const templates: Template[] = [];
    const probes: Probe[] = [];
    const sorted = [...records].sort((a, b) => byName(a.identity + a.file, b.identity + b.file));
    for (const r of sorted) {
      if (!ids.includes(r.identity)) continue;
      const n = seen.get(r.identity) ?? 0;
      seen.set(r.identity, n + 1);
      const e = vec(r);
      if (enrolled.has(r.identity) && n < K) {
        if (e) templates.push({ personId: r.identity, embedding: e });
      } else {
        probes.push({
          kind: enrolled.has(r.identity) ? 'known' : 'unknown',
          identity: r.identity,
          embedding: e,
        });
      }
    }
    return { templates: [...templates, ...extra], probes };
  });
}

/** The eval's gallery of the first `people` gallery people (enrolled, then distractors). */
function reportedGallery(records: DumpRecord[], people: number): Gallery {
  const order: string[] = [];
  for (const r of records)
    if ((r.role === 'template' || r.role === 'distractor') && !order.includes(r.identity))
      order.push(r.identity);
  const keep = new Set(order.slice(0, people));
  const templates: Template[] = [];
  for (const r of records) {
    if ((r.role === 'template' || r.role === 'distractor') && keep.has(r.identity) && r.face)
      templates.push({ personId: r.identity, embedding: vec(r)! });
  }
  const probes: Probe[] = records
    .filter((r) => r.role === 'unknown' || (r.role === 'known' && keep.has(r.identity)))
    .map((r) => ({
      kind: r.role === 'known' ? 'known' : 'unknown',
      identity: r.identity,
      embedding: vec(r),
    }));
  return { templates, probes };
}

// ---- the normalisations measured -----------------------------------------------------------

interface Grid {
  tMin: number;
  tMax: number;
  tStep: number;
  mMax: number;
  mStep: number;
}
interface Norm {
  name: string;
  what: string;
  /** Thresholds and margins searched, in the normalised score's units. */
  grid: Grid;
  /** Rank and take the margin on normalised scores (else raw, with the threshold normalised). */
  normalisedMargin: boolean;
  meanTemplate?: boolean;
  build: NormaliserFactory;
}

const RAW_GRID: Grid = { tMin: 0, tMax: 1, tStep: 0.01, mMax: 0.2, mStep: 0.01 };
const Z_GRID: Grid = { tMin: 0, tMax: 12, tStep: 0.05, mMax: 4, mStep: 0.05 };
const Z_RAW_MARGIN: Grid = { ...Z_GRID, mMax: 0.2, mStep: 0.01 };
const SHIFT_GRID: Grid = { tMin: -0.2, tMax: 0.8, tStep: 0.01, mMax: 0.3, mStep: 0.01 };

const NORMS: Norm[] = [
  {
    name: 'raw',
    what: 'raw cosine (the shipped scores)',
    grid: RAW_GRID,
    normalisedMargin: true,
    build: rawScores,
  },
  {
    name: 'raw-mean-template',
    what: 'raw cosine, one mean template per person',
    grid: RAW_GRID,
    normalisedMargin: true,
    meanTemplate: true,
    build: rawScores,
  },
  { name: 'z', what: 'Z-norm, whole cohort', grid: Z_GRID, normalisedMargin: true, build: zNorm(0) },
  {
    name: 'z-rawmargin',
    what: 'Z-norm threshold, raw rank and margin',
    grid: Z_RAW_MARGIN,
    normalisedMargin: false,
    build: zNorm(0),
  },
  { name: 'z-top50', what: 'Z-norm, top-50 cohort', grid: Z_GRID, normalisedMargin: true, build: zNorm(50) },
  {
    name: 'shift-top10',
    what: 'person threshold: raw minus the mean of the own top-10 cohort scores',
    grid: SHIFT_GRID,
    normalisedMargin: true,
    build: zNorm(10, { scale: false }),
  },
  {
    name: 'shift-top10-rawmargin',
    what: 'person threshold (top-10 shift), raw rank and margin',
    grid: { ...SHIFT_GRID, mMax: 0.2 },
    normalisedMargin: false,
    build: zNorm(10, { scale: false }),
  },
  { name: 't', what: 'T-norm, whole gallery', grid: Z_GRID, normalisedMargin: true, build: tNorm(0) },
  {
    name: 's',
    what: 'S-norm, whole cohort both sides',
    grid: Z_GRID,
    normalisedMargin: true,
    build: sNorm(0),
  },
  {
    name: 'as-top50',
    what: 'adaptive S-norm, top-50 both sides',
    grid: Z_GRID,
    normalisedMargin: true,
    build: sNorm(50),
  },
  {
    name: 'as-top200',
    what: 'adaptive S-norm, top-200 both sides',
    grid: Z_GRID,
    normalisedMargin: true,
    build: sNorm(200),
  },
  {
    name: 'as-top50-rawmargin',
    what: 'adaptive S-norm top-50 threshold, raw rank and margin',
    grid: Z_RAW_MARGIN,
    normalisedMargin: false,
    build: sNorm(50),
  },
  {
    name: 'as-10pc',
    what: 'adaptive S-norm, top 10 % of the gallery both sides',
    grid: Z_GRID,
    normalisedMargin: true,
    build: sNormShare(0.1),
  },
  {
    name: 'z-mean-template',
    what: 'Z-norm, whole cohort, one mean template per person',
    grid: Z_GRID,
    normalisedMargin: true,
    meanTemplate: true,
    build: zNorm(0),
  },
  {
    name: 's-mean-template',
    what: 'S-norm, whole cohort, one mean template per person',
    grid: Z_GRID,
    normalisedMargin: true,
    meanTemplate: true,
    build: sNorm(0),
  },
];

/** The tail the interpolated rule raises its threshold by beyond the calibration size. */
function galleryTail(g: ScoredGallery, n: Norm) {
  if (n.build === rawScores) return galleryModel(g.matcher, g.templates);
  const scores = normalisedImpostors(g, n.build(g));
  return scores.length * TAIL_FRACTION >= 10 ? fitExponentialTail(scores, TAIL_FRACTION) : null;
}

// ---- operating points -----------------------------------------------------------------------

const steps = (a: number, b: number, d: number): number[] => {
  const out: number[] = [];
  for (let i = Math.round(a / d); i <= Math.round(b / d); i++) out.push(Math.round(i * d * 1e4) / 1e4);
  return out;
};
interface Point {
  threshold: number;
  minMargin: number;
}
interface Sized {
  people: number;
  probes: ScoredProbe[];
}
interface Choice extends Point {
  tpir: number;
  sizes: ({ people: number } & ReturnType<typeof evaluateOperatingPoint>)[];
}

/** The school calibration rule over `grid`, each size judged at pointAt(candidate, size). */
function choose(sized: Sized[], grid: Grid, pointAt: (p: Point, people: number) => Point): Choice | null {
  const largest = sized[sized.length - 1]!;
  let best: Choice | null = null;
  for (const m of steps(0, grid.mMax, grid.mStep)) {
    for (const t of steps(grid.tMin, grid.tMax, grid.tStep)) {
      const sizes = sized.map((s) => {
        const at = pointAt({ threshold: t, minMargin: m }, s.people);
        return { people: s.people, ...evaluateOperatingPoint(s.probes, at.threshold, at.minMargin) };
      });
      if (sizes.some((x) => x.misidentified > 0 || x.fpir > maxFpir)) continue;
      const tpir = sizes[sized.indexOf(largest)]!.tpir;
      if (
        !best ||
        tpir > best.tpir ||
        (tpir === best.tpir && (t > best.threshold || (t === best.threshold && m > best.minMargin)))
      )
        best = { threshold: t, minMargin: m, tpir, sizes };
    }
  }
  return best && best.tpir > 0 ? best : null;
}

// ---- run ------------------------------------------------------------------------------------

const calibRecords = readDump(values.calib);
const reportRecords = readDump(values.report);
const distractors: Template[] = reportRecords
  .filter((r) => r.role === 'distractor' && r.face)
  .map((r) => ({ personId: r.identity, embedding: vec(r)! }))
  .sort((a, b) => byName(a.personId, b.personId));
const distractorNames = [...new Set(distractors.map((d) => d.personId))];
if (distractorNames.length < 375) {
  console.error(
    `--report: ${distractorNames.length} distractor people in ${values.report}; the calibration sizes need at least 375 (npm run eval -- <dir> --distractors <dir2> --dump <file>)`,
  );
  process.exit(2);
}
const CAL_SIZES = [25, 100, 400, 25 + distractorNames.length];
const reportPeople = galleryPeopleOf(reportRecords);
const REP_SIZES = [100, 400, reportPeople];
const samePerson = samePersonIdentities(values['same-person']);

const calGalleries = CAL_SIZES.map((people) => {
  const keep = new Set(distractorNames.slice(0, people - 25));
  return {
    people,
    folds: calibrationFolds(
      calibRecords,
      distractors.filter((d) => keep.has(d.personId)),
    ),
  };
});
const repGalleries = REP_SIZES.map((people) => ({ people, gallery: reportedGallery(reportRecords, people) }));

const scoredCache = new Map<
  boolean,
  { cal: { people: number; folds: ScoredGallery[] }[]; rep: { people: number; g: ScoredGallery }[] }
>();
/** Every gallery scored once per template aggregation (max over templates, or their mean). */
function scored(meanTemplate: boolean) {
  let c = scoredCache.get(meanTemplate);
  if (!c) {
    const score = (g: Gallery) => scoreGallery(g.templates, g.probes, { meanTemplate });
    c = {
      cal: calGalleries.map((x) => ({ people: x.people, folds: x.folds.map(score) })),
      rep: repGalleries.map((x) => ({ people: x.people, g: score(x.gallery) })),
    };
    scoredCache.set(meanTemplate, c);
  }
  return c;
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const schoolSize = CAL_SIZES.at(-1)!;
/** The shipped rule's shape: class point at 25, school point at the calibration size, tail beyond. */
const interpolated =
  (classPoint: Point, tailBeta: number | null) =>
  (school: Point, people: number): Point =>
    schoolPoint(classPoint, people, tailBeta === null ? null : { u: 0, pU: 0, beta: tailBeta, samples: 0 }, {
      ...school,
      galleryPeople: schoolSize,
    });

const results: unknown[] = [];
/** The calibration rule across normalisations: highest calibration tpir at the largest size. */
let selected: { norm: string; rule: 'interp' | 'fixed'; calibration_tpir: number } | null = null;
function consider(norm: string, rule: 'interp' | 'fixed', c: Choice | null): void {
  if (c && (!selected || c.tpir > selected.calibration_tpir))
    selected = { norm, rule, calibration_tpir: r4(c.tpir) };
}
for (const n of NORMS) {
  const t0 = Date.now();
  const settings = scored(n.meanTemplate ?? false);
  const calSized: Sized[] = settings.cal.map((c) => ({
    people: c.people,
    probes: c.folds.flatMap((g) => decideAll(g, n.build(g), n.normalisedMargin)),
  }));
  const rep = settings.rep.map((r) => ({
    people: r.people,
    probes: decideAll(r.g, n.build(r.g), n.normalisedMargin),
    tail: r.people > schoolSize ? galleryTail(r.g, n) : null,
  }));
  const fixed = choose(calSized, n.grid, (p) => p);
  const classPoint = choose(calSized.slice(0, 1), n.grid, (p) => p);
  const interp = classPoint ? choose(calSized, n.grid, interpolated(classPoint, null)) : null;
  const judge = (pointAt: (people: number, tailBeta: number | null) => Point) =>
    rep.map((r) => {
      const at = pointAt(r.people, r.tail ? r.tail.beta : null);
      const accepted = (p: Decided) => p.faceFound && p.score >= at.threshold && p.margin >= at.minMargin;
      const figures = (probes: Decided[]) => {
        const known = probes.filter((p) => p.kind === 'known');
        const unknown = probes.filter((p) => p.kind === 'unknown');
        const e = evaluateOperatingPoint(probes, at.threshold, at.minMargin);
        return {
          tpir: r4(e.tpir),
          misid: r4(e.misidentified / Math.max(1, known.length)),
          fpir: r4(e.fpir),
          misidentified: e.misidentified,
          false_accepts: unknown.filter(accepted).length,
        };
      };
      const known = r.probes.filter((p) => p.kind === 'known');
      return {
        people: r.people,
        threshold: r4(at.threshold),
        min_margin: r4(at.minMargin),
        rank1: r4(known.filter((p) => p.correct).length / Math.max(1, known.length)),
        ...figures(r.probes),
        same_person_set_aside: figures(r.probes.filter((p) => !samePerson.has(p.identity))),
        tail_beta: r.tail ? r4(r.tail.beta) : null,
        wrong_accepts: r.probes
          .filter((p) => accepted(p) && !(p.kind === 'known' && p.correct))
          .map((p) => `${p.identity} -> ${p.best}`),
      };
    });
  const summary = (c: Choice | null) =>
    c && {
      threshold: c.threshold,
      min_margin: c.minMargin,
      sizes: c.sizes.map((s) => ({
        people: s.people,
        threshold: r4(s.threshold),
        min_margin: r4(s.minMargin),
        tpir: r4(s.tpir),
        fpir: r4(s.fpir),
        misidentified: s.misidentified,
      })),
    };
  const entry = {
    norm: n.name,
    what: n.what,
    calibration: {
      fixed: summary(fixed),
      class_point: classPoint && {
        threshold: classPoint.threshold,
        min_margin: classPoint.minMargin,
        tpir: r4(classPoint.tpir),
      },
      interp: summary(interp),
    },
    reported: {
      fixed: fixed && judge(() => fixed),
      interp: interp && classPoint && judge((people, beta) => interpolated(classPoint, beta)(interp, people)),
    },
  };
  results.push(entry);
  consider(n.name, 'interp', interp);
  consider(n.name, 'fixed', fixed);
  console.error(`${n.name}: ${(Date.now() - t0) / 1000} s`);
}
process.stdout.write(
  `${JSON.stringify({ rule: RULE, sizes: { calibration: CAL_SIZES, reported: REP_SIZES }, selected, results }, null, 2)}\n`,
);
