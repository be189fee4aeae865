// npm run eval -- <dir> [options]
// Implements the EVAL-PROTOCOL: prints ONE JSON object on stdout; logs go to stderr.
//
// Options:
//   --model <id>        embedder: faceplugin (shipped), faceres, faceres-aligned, faceres-deep,
//                       mobilefacenet, mobileface, dlib (eval/src/candidates), or a fusion such
//                       as faceplugin+mobileface
//   --k <n>             enrolment templates per identity (default 2)
//   --flip / --no-flip  flip-averaged embeddings (default: shipped setting)
//   --threshold <x>     override the calibrated threshold for this model
//   --margin <x>        override the calibrated minimum margin
//   --backend <b>       auto | tensorflow | wasm | cpu
//   --mirror-templates / --no-mirror-templates
//                       also enrol each template photo's mirror image (default: shipped setting)
//   --dump <file>       also write every image's embedding + quality to a JSON file (for
//                       `npm run calibrate` and the gate study)
//   --distractors <dir> enrol every identity of <dir> too (all its images as templates; never
//                       probed): a larger gallery, as a school's roster is. Adds `gallery_people`
//                       and a `curve` over gallery sizes to the JSON.
//   --curve <list>      gallery sizes for the curve (default 100,400,all); `all` = every person
//   --class-size <n>    class size for the `class_aware` figures (default 30): the door's rule
//                       with each known probe at its own class's door (see below)
//   --no-cache          analyse every image again (default: reuse .cache/eval/, see
//                       embedding-cache.ts; timings then cover only the images analysed now)
//   --same-person <a=b,...>  identity pairs believed to be ONE person under two names (a
//                       diagnosis, docs/recognition.md): adds `same_person_set_aside`, the
//                       figures with those identities' probes left out. The headline is unchanged.
//
// Operating point: a probe is accepted when the door's decision rule accepts it with no class in
// session (src/ml/decision-rule.ts, the school tier: score ≥ the school threshold for this
// gallery's size AND margin over the second-best identity of the whole gallery ≥ the school
// margin for that size), exactly as the kiosk decides on a frame. Quality
// gates are NOT applied (the protocol measures recognition); `gate_fail` counts how many probes
// the kiosk's gates would have held back.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { operatingPoint, schoolOperatingPoint } from '../../src/ml/calibration.js';
import { EVAL_CALIBRATION } from './candidates/calibration.js';
import { EVAL_EMBEDDERS } from './candidates/embedders.js';
import { RECOGNITION_DEFAULTS } from '../../src/ml/config.js';
import { decodeImage } from '../../src/ml/decode.js';
import { parsePipeline } from '../../src/ml/embedders.js';
import {
  cosine,
  identificationMetrics,
  pairScores,
  percentile,
  splitDataset,
  tarAtFar,
  type IdentityFolder,
  type ProbeOutcome,
} from './eval-protocol.js';
import { LocalFaceEngine } from '../../src/ml/local-engine.js';
import { decideMatch, galleryModel, schoolPoint, TOP_K } from '../../src/ml/decision-rule.js';
import { Matcher } from '../../src/ml/matcher.js';
import type { DetectedFace } from '../../src/ml/types.js';
import { EmbeddingCache } from './embedding-cache.js';

// Human and emscripten print with console.log; stdout is reserved for the one JSON object.
console.log = console.error;
const log = pino({ name: 'eval', level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: 'string' },
    k: { type: 'string', default: '2' },
    flip: { type: 'boolean' },
    'no-flip': { type: 'boolean' },
    'mirror-templates': { type: 'boolean' },
    'no-mirror-templates': { type: 'boolean' },
    threshold: { type: 'string' },
    margin: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    dump: { type: 'string' },
    distractors: { type: 'string' },
    curve: { type: 'string', default: '100,400,all' },
    'class-size': { type: 'string', default: '30' },
    'no-cache': { type: 'boolean' },
    'same-person': { type: 'string' },
  },
});

function fail(message: string): never {
  log.error(message);
  process.exit(2);
}

const dir = positionals[0];
if (!dir) fail('usage: npm run eval -- <dataset dir> [--model id] [--k n] [--dump file]');
// The folder as given: paths in the report and the logs stay as the user typed them (a relative
// one stays relative), never this machine's absolute path.
const root = dir;
const model = values.model ?? RECOGNITION_DEFAULTS.embedder;
try {
  parsePipeline(model, EVAL_EMBEDDERS);
} catch (err) {
  fail(`--model: ${(err as Error).message}`);
}
const k = Number(values.k);
const flip = values['no-flip'] ? false : (values.flip ?? RECOGNITION_DEFAULTS.flip);
const mirrorTemplates = values['no-mirror-templates']
  ? false
  : (values['mirror-templates'] ?? RECOGNITION_DEFAULTS.mirrorTemplates);
const op = operatingPoint(model, flip, mirrorTemplates, EVAL_CALIBRATION);
if (!op && (values.threshold === undefined || values.margin === undefined)) {
  log.warn(
    { model, flip },
    'no calibrated operating point for this model: using threshold 0.5, margin 0.05 unless given',
  );
}
const threshold = values.threshold !== undefined ? Number(values.threshold) : (op?.threshold ?? 0.5);
const minMargin = values.margin !== undefined ? Number(values.margin) : (op?.minMargin ?? 0.05);
if (!Number.isFinite(threshold) || !Number.isFinite(minMargin))
  fail('--threshold and --margin must be numbers');
// The school-scale point of this pipeline (none: the school tier keeps the calibrated point).
const schoolCalibrated = schoolOperatingPoint(model, flip, mirrorTemplates);
// Identities believed to be one person under two names (diagnosis only, see --same-person).
const samePerson = new Map<string, string>();
for (const pair of (values['same-person'] ?? '').split(',').filter((x) => x.trim())) {
  const [a, b] = pair.split('=').map((x) => x.trim());
  if (!a || !b) fail(`--same-person: "${pair}" is not a=b`);
  samePerson.set(a, b);
  samePerson.set(b, a);
}

const IMAGE = /\.(jpe?g|png)$/i;
function scan(root: string): IdentityFolder[] {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch (err) {
    fail(`cannot read dataset folder ${root}: ${(err as Error).message}`);
  }
  return entries
    .filter((name) => statSync(join(root, name)).isDirectory())
    .map((identity) => ({ identity, files: readdirSync(join(root, identity)).filter((f) => IMAGE.test(f)) }));
}

const split = splitDataset(scan(root), k);
const distractorRoot = values.distractors ?? null;
// Distractor identities are namespaced so a folder name shared with the dataset stays two people.
const distractors = distractorRoot
  ? scan(distractorRoot)
      .filter((d) => !d.identity.startsWith('_') && d.files.length > 0)
      .sort((a, b) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0))
  : [];
if (distractorRoot && distractors.length === 0)
  fail(`--distractors: no identity folders in ${distractorRoot}`);
const engine = await LocalFaceEngine.create(
  { embedder: model, flip, backend: values.backend as 'auto', inProcess: true },
  log,
  EVAL_EMBEDDERS,
);
const cache = values['no-cache']
  ? null
  : new EmbeddingCache(join(import.meta.dirname, '..', '..', '.cache', 'eval'), engine.modelId);
let cacheHits = 0;

interface ImageRecord {
  identity: string;
  file: string;
  role: 'template' | 'known' | 'unknown' | 'distractor';
  face: DetectedFace | null;
  faces: number;
  ms: number;
}

const timings: number[] = [];
// CPU time of the same work: on a shared 2-core box wall time swings with the neighbours' load,
// CPU time much less (inference is single-threaded WASM), so both are reported.
const cpuTimings: number[] = [];
async function analyse(
  identity: string,
  file: string,
  role: ImageRecord['role'],
  mirror: boolean,
  base = root,
): Promise<ImageRecord> {
  const path = join(base, identity, file);
  const name = role === 'distractor' ? `distractor:${identity}` : identity;
  try {
    const bytes = readFileSync(path);
    const key = EmbeddingCache.key(bytes, engine.modelId, flip, mirror);
    const hit = cache?.get(key);
    if (hit) {
      cacheHits++;
      return { identity: name, file, role, face: hit.face, faces: hit.faces, ms: hit.ms };
    }
    const image = await decodeImage(bytes);
    const cpu0 = process.cpuUsage();
    const result = await engine.analyse(image, { mirror });
    const cpu = process.cpuUsage(cpu0);
    // Enrolment's extra mirror embedding is not per-frame work: time the plain analyses only.
    if (!mirror) {
      timings.push(result.inferenceMs);
      cpuTimings.push((cpu.user + cpu.system) / 1000);
    }
    // Largest face (the engine returns faces largest first).
    const face = result.faces[0] ?? null;
    cache?.put(key, { face, faces: result.faces.length, ms: result.inferenceMs });
    return { identity: name, file, role, face, faces: result.faces.length, ms: result.inferenceMs };
  } catch (err) {
    log.warn({ path, err: (err as Error).message }, 'image skipped');
    return { identity: name, file, role, face: null, faces: 0, ms: 0 };
  }
}

// Mirror embeddings are computed for templates; with --dump also for the first K images of the
// unknown identities, so calibrate.ts can swap which half is enrolled.
const records: ImageRecord[] = [];
for (const e of split.enrolled) {
  for (const f of e.templates) records.push(await analyse(e.identity, f, 'template', mirrorTemplates));
  for (const f of e.probes) records.push(await analyse(e.identity, f, 'known', false));
  if (records.length % 100 < e.templates.length + e.probes.length)
    log.info({ images: records.length }, 'analysed');
}
for (const u of split.unknown) {
  for (const [i, f] of u.probes.entries()) {
    records.push(await analyse(u.identity, f, 'unknown', mirrorTemplates && !!values.dump && i < k));
  }
}
for (const [n, d] of distractors.entries()) {
  for (const f of d.files)
    records.push(await analyse(d.identity, f, 'distractor', mirrorTemplates, distractorRoot!));
  if ((n + 1) % 100 === 0) log.info({ distractors: n + 1 }, 'distractors analysed');
}
await engine.dispose();

// Gallery people in enrolment order: the dataset's enrolled identities, then the distractors.
const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;
const galleryOrder: string[] = [];
for (const r of records) {
  if ((r.role === 'template' || r.role === 'distractor') && !galleryOrder.includes(r.identity))
    galleryOrder.push(r.identity);
}

/**
 * Enrols `people` (every template with a face) and scores every probe against them. Known probes
 * of enrolled identities left out of this gallery are not probed at all (they are neither known
 * nor strangers here); every unknown probe is.
 */
function evaluateGallery(
  people: ReadonlySet<string>,
  classOf?: (identity: string, probeIndex: number) => ReadonlySet<string>,
) {
  const matcher = new Matcher({ dims: engine.embeddingSize, threshold, minMargin });
  const templates: { personId: string; embedding: Float32Array }[] = [];
  for (const r of records) {
    if ((r.role !== 'template' && r.role !== 'distractor') || !r.face || !people.has(r.identity)) continue;
    matcher.add(r.identity, r.face.embedding);
    templates.push({ personId: r.identity, embedding: r.face.embedding });
    if (mirrorTemplates && r.face.mirrorEmbedding) matcher.add(r.identity, r.face.mirrorEmbedding);
  }
  // The door's decision rule with no class in session: every face is judged at the school tier,
  // normalised against this gallery's own impostor tail (templates only, never a probe).
  const model = galleryModel(matcher, templates);
  const point = { threshold, minMargin };
  const school = schoolPoint(point, matcher.personCount, model, schoolCalibrated);
  const errors: string[] = [];
  // Wrong acceptances by what the door would write during a class (only with classOf): a
  // present MARK for a student of the class in session, or a "not enrolled in this class"
  // EXCEPTION for somebody elsewhere in the school (nobody is marked; the teacher reviews it).
  const wrongAt = { marks: 0, exceptions: 0 };
  const outcomes: ProbeOutcome[] = records
    .filter((r) => r.role === 'unknown' || (r.role === 'known' && people.has(r.identity)))
    .map((r, probeIndex) => {
      const cls = classOf?.(r.identity, probeIndex);
      const kind = r.role === 'known' ? 'known' : 'unknown';
      if (!r.face || matcher.personCount === 0) {
        return {
          kind,
          identity: r.identity,
          faceFound: !!r.face,
          bestIdentity: null,
          bestScore: 0,
          accepted: false,
        };
      }
      const m = decideMatch(matcher.top(r.face.embedding, TOP_K), {
        point,
        galleryPeople: matcher.personCount,
        model,
        school: schoolCalibrated,
        ...(cls ? { inClass: (id: string) => cls.has(id) } : {}),
      });
      if (m.accepted && m.personId !== r.identity) {
        if (cls) wrongAt[m.tier === 'class' ? 'marks' : 'exceptions']++;
        errors.push(
          `${r.identity}/${r.file} accepted as ${m.personId} (score ${round(m.score, 3)}, margin ${round(m.margin, 3)})`,
        );
      }
      return {
        kind,
        identity: r.identity,
        faceFound: true,
        bestIdentity: m.personId,
        bestScore: m.score,
        accepted: m.accepted,
      };
    });
  return {
    ident: identificationMetrics(outcomes),
    // The same figures with the probes of identities believed to be one person under two names
    // left out (--same-person): a diagnosis, never the headline.
    setAside: identificationMetrics(outcomes.filter((o) => !samePerson.has(o.identity))),
    galleryPeople: matcher.personCount,
    school,
    model,
    errors,
    wrongAt,
  };
}

const full = evaluateGallery(new Set(galleryOrder));
const ident = full.ident;

// The door during a class (--class-size, default 30): the dataset's enrolled people are split
// into classes of that size (consecutive in sorted order); each known probe arrives at its own
// class's door, each stranger at one class's door (round robin); distractors belong to no class
// in session. Judged by the same rule with the class tier on.
const classSize = Number(values['class-size']);
if (!Number.isInteger(classSize) || classSize < 1) fail('--class-size must be a positive integer');
const enrolledNames = split.enrolled.map((e) => e.identity);
const classes: Set<string>[] = [];
for (let i = 0; i < enrolledNames.length; i += classSize)
  classes.push(new Set(enrolledNames.slice(i, i + classSize)));
const classIndex = new Map(enrolledNames.map((n, i) => [n, Math.floor(i / classSize)]));
const strangerIndex = new Map(split.unknown.map((u, i) => [u.identity, i]));
const atClass = evaluateGallery(new Set(galleryOrder), (identity) => {
  const c = classIndex.get(identity) ?? (strangerIndex.get(identity) ?? 0) % Math.max(1, classes.length);
  return classes[c] ?? new Set<string>();
});

// The curve: the first N gallery people (dataset's enrolled first, then distractors), so each
// point's known probes are those of its enrolled people and every stranger is probed each time.
const curveSizes = distractors.length
  ? [
      ...new Set(
        values.curve.split(',').map((x) => {
          const n = x.trim() === 'all' ? galleryOrder.length : Number(x);
          if (!Number.isInteger(n) || n < 1) fail(`--curve: ${x} is not a gallery size`);
          return Math.min(n, galleryOrder.length);
        }),
      ),
    ].sort((a, b) => a - b)
  : [];
const curve = curveSizes.map((n) => {
  const g = n === galleryOrder.length ? full : evaluateGallery(new Set(galleryOrder.slice(0, n)));
  return {
    gallery_people: g.galleryPeople,
    known_probes: g.ident.counts.known_probes,
    unknown_probes: g.ident.counts.unknown_probes,
    school_threshold: g.school.threshold,
    school_min_margin: g.school.minMargin,
    rank1: round(g.ident.rank1),
    tpir: round(g.ident.tpir),
    misid: round(g.ident.misid),
    fpir: round(g.ident.fpir),
    counts: {
      true_accepts: g.ident.counts.true_accepts,
      misidentified: g.ident.counts.misidentified,
      false_accepts: g.ident.counts.false_accepts,
    },
  };
});

const withFace = records
  .filter((r) => r.face && r.role !== 'distractor')
  .map((r) => ({ identity: r.identity, embedding: r.face!.embedding }));
const pairs = pairScores(withFace, cosine);

// Matching cost against a 10k gallery (2,000 people × 5 templates) of random unit vectors.
function matchMs(templates: number): number {
  const dims = engine.embeddingSize;
  const m = new Matcher({ dims, threshold, minMargin, capacity: templates });
  const rand = (): Float32Array => Float32Array.from({ length: dims }, () => Math.random() - 0.5);
  for (let i = 0; i < templates; i++) m.add(`p${Math.floor(i / 5)}`, rand());
  const probe = rand();
  for (let i = 0; i < 10; i++) m.match(probe);
  const ts: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    m.match(probe);
    ts.push(performance.now() - t);
  }
  return percentile(ts, 50);
}

const steady = timings.slice(3); // protocol: after a warm-up of 3 images
const detectFail = records.filter((r) => !r.face).length;
const probesWithFace = records.filter((r) => (r.role === 'known' || r.role === 'unknown') && r.face);

const setAside = (m: typeof ident) => ({
  pairs: [...samePerson].filter(([a, b]) => a < b).map(([a, b]) => `${a}=${b}`),
  tpir: round(m.tpir),
  misid: round(m.misid),
  fpir: round(m.fpir),
  counts: {
    known_probes: m.counts.known_probes,
    unknown_probes: m.counts.unknown_probes,
    true_accepts: m.counts.true_accepts,
    misidentified: m.counts.misidentified,
    false_accepts: m.counts.false_accepts,
  },
});

const out = {
  dataset: root,
  // What the top-level rank1 / tpir / misid / fpir measure.
  decision:
    'school tier, no class in session: every probe judged against the whole gallery at the point the decision rule gives this gallery size (school_threshold, school_min_margin); class_aware judges each known probe at its own class door',
  rank1: round(ident.rank1),
  tpir: round(ident.tpir),
  misid: round(ident.misid),
  fpir: round(ident.fpir),
  'tar_at_far_1e-2': round(tarAtFar(pairs.genuine, pairs.impostor, 1e-2)),
  'tar_at_far_1e-3': round(tarAtFar(pairs.genuine, pairs.impostor, 1e-3)),
  counts: { ...ident.counts, genuine_pairs: pairs.genuine.length, impostor_pairs: pairs.impostor.length },
  // Only images analysed in this run are timed (cached ones were analysed by an earlier run).
  // null when every image came from the cache (nothing was timed in this run: use --no-cache).
  ms_per_image_p50: steady.length ? round(percentile(steady, 50), 1) : null,
  ms_per_image_p95: steady.length ? round(percentile(steady, 95), 1) : null,
  cpu_ms_per_image_p50: steady.length ? round(percentile(cpuTimings.slice(3), 50), 1) : null,
  match_ms_10k: round(matchMs(10_000), 3),
  images: records.length,
  identities_enrolled: split.enrolled.length,
  identities_unknown: split.unknown.length,
  gallery_people: full.galleryPeople,
  distractor_people: distractors.length,
  ...(curve.length ? { curve } : {}),
  images_analysed: timings.length,
  images_from_cache: cacheHits,
  known_probes: ident.counts.known_probes,
  unknown_probes: ident.counts.unknown_probes,
  threshold,
  min_margin: minMargin,
  // The decision rule's school tier for this gallery (docs/recognition.md): its point, the school
  // point it was derived from (calibrated at school scale; null: none for this pipeline) and the
  // gallery's impostor tail (its slope raises the threshold beyond the calibrated size).
  school_threshold: full.school.threshold,
  school_min_margin: full.school.minMargin,
  school_calibration: schoolCalibrated,
  impostor_tail: full.model && {
    u: round(full.model.u),
    p_u: full.model.pU,
    beta: round(full.model.beta),
    scores: full.model.samples,
  },
  // Every wrong acceptance (misidentification or stranger), so a labelling error is visible.
  wrong_accepts: full.errors,
  ...(samePerson.size
    ? { same_person_set_aside: { ...setAside(full.setAside), class_aware: setAside(atClass.setAside) } }
    : {}),
  class_aware: {
    class_size: classSize,
    classes: classes.length,
    tpir: round(atClass.ident.tpir),
    misid: round(atClass.ident.misid),
    fpir: round(atClass.ident.fpir),
    counts: {
      true_accepts: atClass.ident.counts.true_accepts,
      misidentified: atClass.ident.counts.misidentified,
      false_accepts: atClass.ident.counts.false_accepts,
    },
    // What the wrong acceptances (misidentified + false_accepts) would write during the class:
    // wrong_marks mark a student of the class present; wrong_exceptions name somebody from
    // elsewhere in the school as "not enrolled in this class" (no mark, for the teacher to see).
    wrong_marks: atClass.wrongAt.marks,
    wrong_exceptions: atClass.wrongAt.exceptions,
    wrong_accepts: atClass.errors,
  },
  mirror_templates: mirrorTemplates,
  backend: engine.backend,
  model: engine.modelId,
  detect_fail: detectFail,
  gate_fail: probesWithFace.filter((r) => r.face!.gateFailures.length > 0).length,
  k,
};

if (values.dump) {
  const dump = records.map((r) => ({
    identity: r.identity,
    file: r.file,
    role: r.role,
    faces: r.faces,
    ms: r.ms,
    face: r.face && {
      box: r.face.box,
      detectionScore: r.face.detectionScore,
      quality: r.face.quality,
      antispoof: r.face.antispoof,
      liveness: r.face.liveness,
      gateFailures: r.face.gateFailures,
      embedding: Array.from(r.face.embedding),
      ...(r.face.mirrorEmbedding ? { mirrorEmbedding: Array.from(r.face.mirrorEmbedding) } : {}),
    },
  }));
  writeFileSync(
    values.dump,
    JSON.stringify({ model: engine.modelId, embedder: model, flip, mirrorTemplates, records: dump }),
  );
  log.info({ file: values.dump }, 'embeddings dumped');
}

process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
