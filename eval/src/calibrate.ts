// npm run calibrate -- --calib <dump.json[,dump2.json]> [--dev <dump.json[,...]>] [--max-fpir 0.005]
//                      [--grow <dump.json> --sizes 100,400,all]
//
// Derives the operating point (threshold, minMargin) of a recognition pipeline from embeddings
// dumped by `npm run eval -- <dir> --dump <file>`; the rule is in docs/recognition.md and
// chooseOperatingPoint(). Several dumps of the SAME images from different embedders are fused
// exactly as the engine fuses them (unit vectors concatenated, each scaled by 1/√n).
//
// The calibration set is split like EVAL-PROTOCOL.md (K = 2) in BOTH parities — even-position
// identities enrolled, then odd — so every identity serves once as enrolled and once as a
// stranger. --dev, when given, is only scored at the chosen point (never used to choose it).
//
// --grow: the school-scale calibration (docs/recognition.md "Decision rule at school scale").
// Every record of that dump with role `distractor` (a dump of `npm run eval -- <dir>
// --distractors <dir2> --dump`; only the distractors are read, never its probes) is one more
// gallery person: each fold's gallery is grown to --sizes people (its own enrolled first, then
// the distractors in name order) and the school point is chosen by chooseSchoolPoint(), with the
// decision rule's own interpolation (schoolPoint) giving the point at each size.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CALIBRATION_GALLERY_PEOPLE, TAIL_FRACTION, schoolPoint } from '../../src/ml/decision-rule.js';
import { fitExponentialTail } from '../../src/ml/impostor-tail.js';
import {
  chooseOperatingPoint,
  chooseSchoolPoint,
  cosine,
  evaluateOperatingPoint,
  pairScores,
  thresholdAtFar,
  type ScoredProbe,
} from './eval-protocol.js';
import { Matcher } from '../../src/ml/matcher.js';

interface DumpRecord {
  identity: string;
  file: string;
  role?: string;
  face: { embedding: number[]; mirrorEmbedding?: number[] } | null;
}
interface Item {
  identity: string;
  file: string;
  embedding: Float32Array | null;
  mirror: Float32Array | null;
}

const { values } = parseArgs({
  options: {
    calib: { type: 'string' },
    dev: { type: 'string' },
    'max-fpir': { type: 'string', default: '0.005' },
    mirror: { type: 'boolean', default: false },
    k: { type: 'string', default: '2' },
    'tail-fraction': { type: 'string' },
    grow: { type: 'string' },
    sizes: { type: 'string', default: '100,400,all' },
  },
});
if (!values.calib) {
  console.error('usage: npm run calibrate -- --calib a.json[,b.json] [--dev c.json[,d.json]]');
  process.exit(2);
}

function load(list: string): Item[] {
  const dumps = list
    .split(',')
    .map((f) => (JSON.parse(readFileSync(f, 'utf8')) as { records: DumpRecord[] }).records);
  const first = dumps[0]!;
  const n = dumps.length;
  return first.map((r, i) => {
    const parts = dumps.map((d) => d[i]!);
    for (const p of parts) {
      if (p.identity !== r.identity || p.file !== r.file)
        throw new Error('dumps do not list the same images in the same order');
    }
    if (parts.some((p) => !p.face))
      return { identity: r.identity, file: r.file, embedding: null, mirror: null };
    const fuse = (pick: (p: DumpRecord) => number[] | undefined): Float32Array | null => {
      const vs = parts.map(pick);
      if (vs.some((v) => !v)) return null;
      const fused = new Float32Array(vs.reduce((s, v) => s + v!.length, 0));
      let o = 0;
      for (const e of vs) {
        const norm = Math.hypot(...e!);
        for (const v of e!) fused[o++] = v / norm / Math.sqrt(n);
      }
      return fused;
    };
    return {
      identity: r.identity,
      file: r.file,
      embedding: fuse((p) => p.face?.embedding),
      mirror: fuse((p) => p.face?.mirrorEmbedding),
    };
  });
}

/** Person-level impostor scores of one fold: every probe against every enrolled person but its own. */
const personImpostors: number[] = [];

/** Protocol split with identities of `parity` enrolled; each probe scored by the Matcher. */
function scoreFold(
  items: Item[],
  parity: 0 | 1,
  k: number,
  collectImpostors = false,
  extra: readonly { identity: string; embedding: Float32Array }[] = [],
): ScoredProbe[] {
  const ids = [...new Set(items.map((i) => i.identity))].filter((i) => !i.startsWith('_')).sort();
  const enrolled = new Set(ids.filter((_, n) => n % 2 === parity));
  const dims = items.find((i) => i.embedding)!.embedding!.length;
  const matcher = new Matcher({ dims, threshold: 0, minMargin: 0 });
  const seen = new Map<string, number>();
  const probes: Item[] = [];
  for (const it of [...items].sort((a, b) => (a.identity + a.file < b.identity + b.file ? -1 : 1))) {
    if (!ids.includes(it.identity)) continue;
    const n = seen.get(it.identity) ?? 0;
    seen.set(it.identity, n + 1);
    if (enrolled.has(it.identity) && n < k) {
      if (it.embedding) matcher.add(it.identity, it.embedding);
      if (useMirror) {
        if (!it.mirror && it.embedding)
          throw new Error(`${it.identity}/${it.file}: dump has no mirror embedding`);
        if (it.mirror) matcher.add(it.identity, it.mirror);
      }
    } else {
      probes.push(it);
    }
  }
  for (const e of extra) matcher.add(e.identity, e.embedding);
  return probes.map((p) => {
    const kind = enrolled.has(p.identity) ? 'known' : 'unknown';
    if (!p.embedding) return { kind, faceFound: false, correct: false, score: 0, margin: 0 };
    if (collectImpostors) {
      for (const s of matcher.scores(p.embedding))
        if (s.personId !== p.identity) personImpostors.push(s.score);
    }
    const m = matcher.match(p.embedding);
    return { kind, faceFound: true, correct: m.personId === p.identity, score: m.score, margin: m.margin };
  });
}

const k = Number(values.k);
const useMirror = values.mirror === true;
const maxFpir = Number(values['max-fpir']);
const calib = load(values.calib);
const calibProbes = [...scoreFold(calib, 0, k, true), ...scoreFold(calib, 1, k, true)];
const chosen = chooseOperatingPoint(calibProbes, { maxFpir });
const pairs = pairScores(
  calib.filter((i) => i.embedding).map((i) => ({ identity: i.identity, embedding: i.embedding! })),
  cosine,
);
const out: Record<string, unknown> = {
  mirror_templates: useMirror,
  rule: `max tpir with misid = 0 and fpir <= ${maxFpir} over both protocol folds; ties: higher threshold, then higher margin`,
  calibration: values.calib,
  known_probes: calibProbes.filter((p) => p.kind === 'known').length,
  unknown_probes: calibProbes.filter((p) => p.kind === 'unknown').length,
  chosen,
  'threshold_1to1_far_1e-3': Math.round(thresholdAtFar(pairs.impostor, 1e-3) * 1000) / 1000,
  'threshold_1to1_far_1e-4': Math.round(thresholdAtFar(pairs.impostor, 1e-4) * 1000) / 1000,
};
// Gallery-size rule (docs/recognition.md "Decision rule at school scale"): the exponential tail of
// person-level impostor scores on the calibration set, and the school tier's threshold it implies.
const tailFraction = values['tail-fraction'] ? Number(values['tail-fraction']) : TAIL_FRACTION;
const tail = fitExponentialTail(personImpostors, tailFraction);
const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;
out.scale = {
  person_impostor_scores: tail.samples,
  tail_fraction: tailFraction,
  tail_start: r4(tail.u),
  beta: r4(tail.beta),
};
if (values.grow && chosen) {
  // Gallery persons to grow with: the dump's distractors (never its probes), by name.
  const grow = (JSON.parse(readFileSync(values.grow, 'utf8')) as { records: DumpRecord[] }).records
    .filter((r) => r.role === 'distractor' && r.face)
    .map((r) => ({ identity: r.identity, embedding: Float32Array.from(r.face!.embedding) }))
    .sort((a, b) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0));
  const names = [...new Set(grow.map((g) => g.identity))];
  if (names.length === 0) throw new Error(`--grow: no distractor records in ${values.grow}`);
  const base = CALIBRATION_GALLERY_PEOPLE;
  const sizes = [
    ...new Set(
      [base, ...values.sizes.split(',')].map((x) =>
        String(x).trim() === 'all' ? base + names.length : Math.min(Number(x), base + names.length),
      ),
    ),
  ].sort((a, b) => a - b);
  if (sizes.some((n) => !Number.isInteger(n) || n < base))
    throw new Error(`--sizes: gallery sizes must be integers ≥ ${base}`);
  const sized = sizes.map((people) => {
    const keep = new Set(names.slice(0, people - base));
    const extra = grow.filter((g) => keep.has(g.identity));
    return {
      people,
      probes: [...scoreFold(calib, 0, k, false, extra), ...scoreFold(calib, 1, k, false, extra)],
    };
  });
  const classPoint = { threshold: chosen.threshold, minMargin: chosen.minMargin };
  const school = chooseSchoolPoint(
    sized,
    (candidate, people) =>
      schoolPoint(classPoint, people, null, { ...candidate, galleryPeople: sizes[sizes.length - 1]! }),
    { maxFpir },
  );
  out.school = {
    rule: `school point: at every gallery size (${sizes.join(', ')}) the point schoolPoint() gives misid = 0 and fpir <= ${maxFpir}; max tpir at ${sizes[sizes.length - 1]} people; ties: higher threshold, then higher margin`,
    grown_with: `${names.length} distractor people of ${values.grow}`,
    chosen: school && {
      threshold: school.threshold,
      minMargin: school.minMargin,
      galleryPeople: school.galleryPeople,
      tpir: r4(school.tpir),
      fpir: r4(school.fpir),
    },
    sizes: school?.sizes.map((s) => ({
      people: s.people,
      threshold: s.threshold,
      min_margin: s.minMargin,
      tpir: r4(s.tpir),
      fpir: r4(s.fpir),
      misidentified: s.misidentified,
    })),
  };
}
if (values.dev && chosen) {
  const dev = load(values.dev);
  out.dev = evaluateOperatingPoint(scoreFold(dev, 0, k), chosen.threshold, chosen.minMargin);
}
console.log(JSON.stringify(out, null, 2));
