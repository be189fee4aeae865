// npx tsx eval/src/cascade-study.ts --calib <faces-lfw-640 dump> --report <faces-gallery dump>
//                                   [--check <faces-640 dump>[,<dump>...]] [--same-person a=b,...]
//                                   [--verifiers faceres-aligned,mobileface,faceres-aligned+mobileface]
//                                   [--max-fpir 0.005]
//
// Offline study of a second-opinion verifier behind the shipped embedder (cascade.ts;
// docs/recognition.md "Second-opinion verifier (measured, not shipped)"). Prints one JSON
// object on stdout. Reads only dumped embeddings (`npm run eval -- <dir> --dump <file>`); the
// dumps may be fusions (`--model faceplugin+faceres-aligned+mobileface` analyses every image
// once for all three): each record's fused vector is split back into each model's unit
// embedding. A verifier named `a+b` is those models' embeddings fused as the engine fuses them.
//
// Settings, exactly as calibrate.ts / score-norm-study.ts / the eval build them:
// - CALIBRATION (the only one that chooses): faces-lfw-640's probes, both protocol folds (K = 2,
//   even then odd identities enrolled), against each fold's 25 enrolled people plus the first
//   0 / 75 / 375 / 1,000 distractor people of the --report dump (name order; only its
//   distractor records are read here): 25, 100, 400 and 1,025 people.
// - REPORTED (never used to choose): the --report dump's probes against its first 100 / 400 /
//   all gallery people (enrolled first, then distractors), as the eval's curve does, with the
//   gallery's own fitted impostor tail beyond 1,025 people (galleryModel, as the eval).
// - CHECK (never used to choose): each --check dump as the eval scored it (its enrolled people
//   and its probes, by the roles the eval wrote).
//
// The primary is faceplugin, scored as the door scores it (the production Matcher, Matcher.top
// with TOP_K, the decision rule's margin over the gallery's second-best). The verifier's score is
// its best cosine against the primary's PROPOSED person's templates (the same enrolment photos).
//
// THE RULE (written before any reported figure was looked at). For each verifier and each of
// two shapes of the primary's point:
// - `interp`: the shipped rule's shape — the class point (0.43 / 0.16) at ≤ 25 people, the
//   searched school point at 1,025, linear in ln N between (schoolPoint()), the tail slope beyond;
// - `fixed`: one searched primary point at every size up to 1,025 (it may go below the class
//   point: the verifier may hold what the primary lets through), the tail slope beyond;
// the verifier threshold one value at every size, search primary thresholds (interp 0.43-0.60,
// fixed 0.30-0.60) and margins (0-0.20) in 0.01 steps × verifier thresholds 0-0.95 in 0.01
// steps; keep the points with no misidentification and fpir ≤ 0.005 at 25, 100, 400 and 1,025
// people; take the highest tpir at 1,025; ties to the higher primary threshold, then the higher
// margin, then the higher verifier threshold (chooseCascadePoint). Across verifiers and shapes
// (`selected`): the highest calibration tpir at 1,025; ties to the cheaper verifier (the order
// of --verifiers), then `interp`. The baseline (no verifier, interp) is searched the same way
// and must give back the shipped school point; the shipped point itself is reported as is.
// GREY ZONE (`grey_zone` in the JSON; added after the first run, from the calibration
// boundary's figures: no veto point beat the shipped calibration tpir, and every veto threshold
// also costs matches the shipped point makes): the same search and rule, but a face the shipped
// point accepts on its own stands without the verifier; only the looser point's extra proposals
// need it. Reported as a secondary variant, chosen by the same calibration-only rule; `selected`
// (the decision) stays the first design's.
// Shipping is decided on the reported set (better tpir, misid and fpir not worse) and the
// checks (no worse), never by choosing among points there.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CALIBRATION, SCHOOL_CALIBRATION } from '../../src/ml/calibration.js';
import {
  decideMatch,
  galleryModel,
  schoolPoint,
  TOP_K,
  type GalleryModel,
} from '../../src/ml/decision-rule.js';
import { parsePipeline } from '../../src/ml/embedders.js';
import { Matcher } from '../../src/ml/matcher.js';
import { EVAL_EMBEDDERS } from './candidates/embedders.js';
import {
  bestCosine,
  cascadeAccepts,
  cascadeFigures,
  chooseCascadePoint,
  proposes,
  fuse,
  splitFused,
  steps,
  type CascadeChoice,
  type CascadeProbe,
  type OperatingPoint,
  type SizedCascadeProbes,
} from './cascade.js';
import { galleryPeopleOf, samePersonIdentities } from './score-norm.js';

const PRIMARY = 'faceplugin';
const K = 2;

const { values } = parseArgs({
  options: {
    calib: { type: 'string' },
    report: { type: 'string' },
    check: { type: 'string', default: '' },
    'same-person': { type: 'string', default: '' },
    verifiers: { type: 'string', default: 'mobileface,faceres-aligned,faceres-aligned+mobileface' },
    'max-fpir': { type: 'string', default: '0.005' },
  },
});
function fail(message: string): never {
  console.error(message);
  process.exit(2);
}
if (!values.calib || !values.report)
  fail(
    'usage: npx tsx eval/src/cascade-study.ts --calib <dump> --report <dump with distractors> [--check <dump>,...]',
  );
const maxFpir = Number(values['max-fpir']);
if (!(maxFpir >= 0 && maxFpir < 1)) fail(`--max-fpir must be a number in [0, 1), got ${values['max-fpir']}`);
const verifiers = values.verifiers
  .split(',')
  .map((v) => v.trim())
  .filter(Boolean);
if (verifiers.length === 0) fail('--verifiers: name at least one');

// ---- dumps --------------------------------------------------------------------------------------

interface DumpRecord {
  identity: string;
  file: string;
  role?: string;
  face: { embedding: number[] } | null;
}
/** One image: each model's unit embedding by model id (all null when no face was found). */
interface Item {
  identity: string;
  file: string;
  role: string;
  parts: Map<string, Float32Array> | null;
}

function readDump(file: string): Item[] {
  let dump: { embedder?: unknown; records?: unknown };
  try {
    dump = JSON.parse(readFileSync(file, 'utf8')) as typeof dump;
  } catch (err) {
    fail(`cannot read the dump ${file}: ${(err as Error).message}`);
  }
  if (!Array.isArray(dump.records) || typeof dump.embedder !== 'string')
    fail(`${file} is not an eval dump: make one with npm run eval -- <dir> --model <pipeline> --dump <file>`);
  const specs = parsePipeline(dump.embedder, EVAL_EMBEDDERS);
  const dims = specs.map((s) => s.dims);
  return (dump.records as DumpRecord[]).map((r) => {
    if (!r.face) return { identity: r.identity, file: r.file, role: r.role ?? '', parts: null };
    const units = splitFused(r.face.embedding, dims);
    return {
      identity: r.identity,
      file: r.file,
      role: r.role ?? '',
      parts: new Map(specs.map((s, i) => [s.id, units[i]!])),
    };
  });
}

/** A model's embedding of an image, or a fusion `a+b` of its models' (null: no face / not dumped). */
function embeddingOf(item: Item, model: string): Float32Array | null {
  if (!item.parts) return null;
  const ids = model.split('+');
  const parts = ids.map((id) => item.parts!.get(id));
  if (parts.some((p) => !p)) fail(`${item.identity}/${item.file}: the dump has no ${model} embedding`);
  return ids.length === 1 ? parts[0]! : fuse(parts as Float32Array[]);
}

// ---- galleries ----------------------------------------------------------------------------------

interface Gallery {
  /** Template photos per gallery person, in enrolment order. */
  templates: { personId: string; item: Item }[];
  probes: { kind: 'known' | 'unknown'; item: Item }[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** calibrate.ts's two folds, each grown by `extra` gallery people (their template photos). */
function calibrationFolds(items: Item[], extra: Gallery['templates']): Gallery[] {
  const ids = [...new Set(items.map((i) => i.identity))].filter((i) => !i.startsWith('_')).sort();
  return ([0, 1] as const).map((parity) => {
    const enrolled = new Set(ids.filter((_, n) => n % 2 === parity));
    const seen = new Map<string, number>();
    const g: Gallery = { templates: [], probes: [] };
    for (const it of [...items].sort((a, b) => byName(a.identity + a.file, b.identity + b.file))) {
      if (!ids.includes(it.identity)) continue;
      const n = seen.get(it.identity) ?? 0;
      seen.set(it.identity, n + 1);
      if (enrolled.has(it.identity) && n < K) {
        if (it.parts) g.templates.push({ personId: it.identity, item: it });
      } else {
        g.probes.push({ kind: enrolled.has(it.identity) ? 'known' : 'unknown', item: it });
      }
    }
    g.templates.push(...extra);
    return g;
  });
}

/** The eval's gallery of its first `people` gallery people (enrolled, then distractors). */
function evalGallery(items: Item[], people = Infinity): Gallery {
  const order: string[] = [];
  for (const r of items)
    if ((r.role === 'template' || r.role === 'distractor') && !order.includes(r.identity))
      order.push(r.identity);
  const keep = new Set(order.slice(0, people));
  return {
    templates: items
      .filter((r) => (r.role === 'template' || r.role === 'distractor') && keep.has(r.identity) && r.parts)
      .map((r) => ({ personId: r.identity, item: r })),
    probes: items
      .filter((r) => r.role === 'unknown' || (r.role === 'known' && keep.has(r.identity)))
      .map((r) => ({ kind: r.role === 'known' ? ('known' as const) : ('unknown' as const), item: r })),
  };
}

interface Scored {
  people: number;
  /** Per verifier: the probes as the cascade sees them. */
  byVerifier: Map<string, CascadeProbe[]>;
  /** The gallery's own impostor tail (the eval's galleryModel), for sizes beyond 1,025. */
  model: GalleryModel;
}

/** Scores one gallery: the primary's ranking of every probe, each verifier's 1:1 score against the proposal. */
function score(g: Gallery, withTail: boolean): Scored {
  const dims = EVAL_EMBEDDERS[PRIMARY]!.dims;
  const matcher = new Matcher({ dims, threshold: 0, minMargin: 0 });
  const primaryTemplates: { personId: string; embedding: Float32Array }[] = [];
  const verifierTemplates = new Map(verifiers.map((v) => [v, new Map<string, Float32Array[]>()]));
  for (const t of g.templates) {
    const e = embeddingOf(t.item, PRIMARY)!;
    matcher.add(t.personId, e);
    primaryTemplates.push({ personId: t.personId, embedding: e });
    for (const v of verifiers) {
      const byPerson = verifierTemplates.get(v)!;
      const list = byPerson.get(t.personId) ?? [];
      list.push(embeddingOf(t.item, v)!);
      byPerson.set(t.personId, list);
    }
  }
  const ranked = g.probes.map((p) => {
    const e = embeddingOf(p.item, PRIMARY);
    if (!e) return { p, candidate: null, score: 0, margin: 0 };
    // The decision rule's own ranking and margin (its point does not matter here).
    const d = decideMatch(matcher.top(e, TOP_K), {
      point: { threshold: 0, minMargin: 0 },
      galleryPeople: matcher.personCount,
      model: null,
      school: null,
    });
    return { p, candidate: d.personId, score: d.score, margin: d.margin };
  });
  const byVerifier = new Map(
    verifiers.map((v) => [
      v,
      ranked.map((r): CascadeProbe => ({
        kind: r.p.kind,
        identity: r.p.item.identity,
        faceFound: r.p.item.parts !== null,
        candidate: r.candidate,
        score: r.score,
        margin: r.margin,
        verifierScore: r.candidate
          ? bestCosine(embeddingOf(r.p.item, v), verifierTemplates.get(v)!.get(r.candidate) ?? [])
          : -Infinity,
      })),
    ]),
  );
  return {
    people: matcher.personCount,
    byVerifier,
    model: withTail ? galleryModel(matcher, primaryTemplates) : null,
  };
}

// ---- run ----------------------------------------------------------------------------------------

const calibItems = readDump(values.calib);
const reportItems = readDump(values.report);
const distractors = reportItems
  .filter((r) => r.role === 'distractor' && r.parts)
  .map((r) => ({ personId: r.identity, item: r }))
  .sort((a, b) => byName(a.personId, b.personId));
const distractorNames = [...new Set(distractors.map((d) => d.personId))];
if (distractorNames.length < 375)
  fail(`--report: ${distractorNames.length} distractor people; the calibration sizes need at least 375`);
const CLASS_POINT = CALIBRATION[PRIMARY]!;
const SHIPPED_SCHOOL = SCHOOL_CALIBRATION[PRIMARY]!;
const CAL_SIZES = [25, 100, 400, 25 + distractorNames.length];
const schoolSize = CAL_SIZES.at(-1)!;
if (schoolSize !== SHIPPED_SCHOOL.galleryPeople)
  console.error(
    `note: calibration grows to ${schoolSize} people, the shipped school point to ${SHIPPED_SCHOOL.galleryPeople}`,
  );
const reportPeople = galleryPeopleOf(reportItems);
const REP_SIZES = [100, 400, reportPeople];
const samePerson = samePersonIdentities(values['same-person']);

const t0 = Date.now();
const calib = CAL_SIZES.map((people) => {
  const keep = new Set(distractorNames.slice(0, people - 25));
  const folds = calibrationFolds(
    calibItems,
    distractors.filter((d) => keep.has(d.personId)),
  ).map((g) => score(g, false));
  return {
    people,
    byVerifier: new Map(verifiers.map((v) => [v, folds.flatMap((f) => f.byVerifier.get(v)!)])),
  };
});
const reported = REP_SIZES.map((people) => score(evalGallery(reportItems, people), people > schoolSize));
const checks = values.check
  .split(',')
  .filter((f) => f.trim())
  .map((file) => ({ file, scored: score(evalGallery(readDump(file)), false) }));
console.error(`scored in ${(Date.now() - t0) / 1000} s`);

type Shape = 'interp' | 'fixed';
/** The primary's point at a gallery size for a searched point (calibration: no tail; reported: the gallery's). */
function pointAt(
  shape: Shape,
  candidate: OperatingPoint,
  people: number,
  model: GalleryModel,
): OperatingPoint {
  const classPoint = shape === 'interp' ? CLASS_POINT : candidate;
  return schoolPoint(classPoint, people, model, { ...candidate, galleryPeople: schoolSize });
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const GRID_T = { interp: steps(0.43, 0.6, 0.01), fixed: steps(0.3, 0.6, 0.01) };
const GRID_M = steps(0, 0.2, 0.01);
const GRID_V = steps(0, 0.95, 0.01);

type Point = Pick<CascadeChoice, 'threshold' | 'minMargin' | 'verifierThreshold'>;
/** `veto`: the verifier judges every proposal; `grey`: only those the shipped point would not accept alone. */
type Mode = 'veto' | 'grey';
const SHIPPED: Point = {
  threshold: SHIPPED_SCHOOL.threshold,
  minMargin: SHIPPED_SCHOOL.minMargin,
  verifierThreshold: null,
};
/** The shipped rule's point at a size: what the grey-zone variant accepts without the verifier. */
const sureAt = (mode: Mode, people: number, model: GalleryModel): OperatingPoint | undefined =>
  mode === 'grey' ? pointAt('interp', SHIPPED, people, model) : undefined;

/** A point's figures at each size of a setting (setAside: also with the --same-person probes left out). */
function table(
  probesAt: (s: Scored) => CascadeProbe[],
  sized: Scored[],
  shape: Shape,
  mode: Mode,
  c: Point,
  setAside: boolean,
) {
  return sized.map((s) => {
    const at = pointAt(shape, c, s.people, s.model);
    const sure = sureAt(mode, s.people, s.model);
    const probes = probesAt(s);
    const figures = (ps: CascadeProbe[]) => {
      const f = cascadeFigures(ps, at, c.verifierThreshold, sure);
      return {
        tpir: r4(f.tpir),
        misid: r4(f.misid),
        fpir: r4(f.fpir),
        true_accepts: f.trueAccepts,
        misidentified: f.misidentified,
        false_accepts: f.falseAccepts,
        known: f.known,
        unknown: f.unknown,
        proposed: f.proposed,
        proposed_share: r4(f.proposed / Math.max(1, ps.filter((p) => p.faceFound).length)),
        verifier_runs: f.verifierRuns,
        verifier_runs_share: r4(f.verifierRuns / Math.max(1, ps.filter((p) => p.faceFound).length)),
        vetoed: f.vetoed,
      };
    };
    const accepted = probes.filter((p) => cascadeAccepts(p, at, c.verifierThreshold, sure));
    return {
      people: s.people,
      threshold: r4(at.threshold),
      min_margin: r4(at.minMargin),
      verifier_threshold: c.verifierThreshold,
      tail_beta: s.model ? r4(s.model.beta) : null,
      ...figures(probes),
      ...(setAside && samePerson.size
        ? { same_person_set_aside: figures(probes.filter((p) => !samePerson.has(p.identity))) }
        : {}),
      wrong_accepts: accepted
        .filter((p) => !(p.kind === 'known' && p.candidate === p.identity))
        .map(
          (p) =>
            `${p.identity} -> ${p.candidate} (${r4(p.score)}, margin ${r4(p.margin)}, verifier ${r4(p.verifierScore)})`,
        ),
    };
  });
}

function describe(verifier: string | null, shape: Shape, mode: Mode, c: Point | null) {
  const v = verifier ?? verifiers[0]!; // the baseline ignores the verifier's score
  const of = (s: Scored) => s.byVerifier.get(v)!;
  if (!c) return { verifier, shape, mode, chosen: null };
  return {
    verifier,
    shape,
    mode,
    chosen: { threshold: c.threshold, min_margin: c.minMargin, verifier_threshold: c.verifierThreshold },
    calibration: table(
      of,
      calib.map((x) => ({ people: x.people, byVerifier: x.byVerifier, model: null })),
      shape,
      mode,
      c,
      false,
    ),
    reported: table(of, reported, shape, mode, c, true),
    checks: checks.map((ch) => ({ file: ch.file, ...table(of, [ch.scored], shape, mode, c, false)[0]! })),
  };
}

function choose(verifier: string | null, shape: Shape, mode: Mode): CascadeChoice | null {
  const v = verifier ?? verifiers[0]!;
  const sized: SizedCascadeProbes[] = calib.map((x) => ({ people: x.people, probes: x.byVerifier.get(v)! }));
  return chooseCascadePoint(
    sized,
    (cand, people) => pointAt(shape, cand, people, null),
    {
      thresholds: GRID_T[shape],
      margins: GRID_M,
      verifierThresholds: verifier === null ? [null] : GRID_V,
    },
    { maxFpir, sureAt: (people) => sureAt(mode, people, null)! },
  );
}

/**
 * Why the calibration rule chose what it chose: at the largest calibration size, every known
 * probe the shipped point rejects and every stranger or wrong person the primary scores at or
 * above the class threshold, with each verifier's 1:1 score against the primary's proposal.
 */
function calibrationBoundary() {
  const largest = calib.at(-1)!;
  const first = largest.byVerifier.get(verifiers[0]!)!;
  const at = pointAt('interp', SHIPPED, largest.people, null);
  // What each verifier scores the genuine matches the shipped point makes (its 1:1 genuine
  // distribution where a veto would cost): quantiles of their verifier scores.
  const genuine = (v: string) =>
    largest.byVerifier
      .get(v)!
      .filter((p) => p.kind === 'known' && p.candidate === p.identity && proposes(p, at))
      .map((p) => p.verifierScore)
      .sort((a, b) => a - b);
  const quantile = (xs: number[], q: number) => r4(xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]!);
  return {
    people: largest.people,
    point: { threshold: r4(at.threshold), min_margin: r4(at.minMargin) },
    accepted_genuine_verifier_quantiles: Object.fromEntries(
      verifiers.map((v) => {
        const xs = genuine(v);
        return [
          v,
          {
            n: xs.length,
            ...Object.fromEntries([0.01, 0.05, 0.1, 0.25, 0.5].map((q) => [`p${q * 100}`, quantile(xs, q)])),
          },
        ];
      }),
    ),
    probes: first
      .map((p, i) => ({ p, i }))
      .filter(
        ({ p }) =>
          p.faceFound &&
          (p.kind === 'known' && p.candidate === p.identity
            ? !(p.score >= at.threshold && p.margin >= at.minMargin)
            : p.score >= CLASS_POINT.threshold),
      )
      .sort((a, b) => b.p.score - a.p.score)
      .map(({ p, i }) => ({
        kind: p.kind === 'unknown' ? 'stranger' : p.candidate === p.identity ? 'genuine' : 'wrong person',
        identity: p.identity,
        candidate: p.candidate,
        score: r4(p.score),
        margin: r4(p.margin),
        verifier: Object.fromEntries(
          verifiers.map((v) => [v, r4(largest.byVerifier.get(v)![i]!.verifierScore)]),
        ),
      })),
  };
}

const rebaseline = choose(null, 'interp', 'veto');
type Selected = { verifier: string; shape: Shape; calibration_tpir: number } | null;
/** Every verifier and shape in one mode, each chosen by the rule, and the rule's pick among them. */
function study(mode: Mode) {
  const results: ReturnType<typeof describe>[] = [];
  let selected: Selected = null;
  for (const v of verifiers) {
    for (const shape of ['interp', 'fixed'] as const) {
      const t = Date.now();
      const c = choose(v, shape, mode);
      console.error(`${mode} ${v} ${shape}: ${(Date.now() - t) / 1000} s`);
      results.push(describe(v, shape, mode, c));
      if (c && (!selected || c.tpir > selected.calibration_tpir))
        selected = { verifier: v, shape, calibration_tpir: c.tpir };
    }
  }
  return { selected, results };
}
const veto = study('veto');
const grey = study('grey');

process.stdout.write(
  `${JSON.stringify(
    {
      rule: `each cascade chosen on the calibration setting only: misid = 0 and fpir <= ${maxFpir} at every calibration size, then the highest tpir at the largest; ties to the higher primary threshold, then margin, then verifier threshold. selected: highest calibration tpir, ties to the earlier verifier, then interp`,
      sizes: { calibration: CAL_SIZES, reported: REP_SIZES },
      class_point: CLASS_POINT,
      shipped: describe(null, 'interp', 'veto', SHIPPED),
      calibration_boundary: calibrationBoundary(),
      baseline_rechosen: rebaseline && {
        threshold: rebaseline.threshold,
        min_margin: rebaseline.minMargin,
        tpir: r4(rebaseline.tpir),
        reproduces_shipped:
          rebaseline.threshold === SHIPPED_SCHOOL.threshold &&
          rebaseline.minMargin === SHIPPED_SCHOOL.minMargin,
      },
      selected: veto.selected,
      results: veto.results,
      grey_zone: grey,
    },
    null,
    2,
  )}\n`,
);
