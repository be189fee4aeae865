// npm run bench [-- --frames 15 --model <pipeline>] [--match-only]
// Prints ONE JSON object: per-frame latency at 640×480 with no face / one face / three faces,
// 1:N match time against 10k and 100k templates, the door's match path (Gallery + decision
// rule) for 1k, 5k and 20k students, model load and warm-up time, peak RSS.
// Frames come from test/fixtures/faces (committed), so this runs on a clean clone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { RECOGNITION_DEFAULTS } from '../../src/ml/config.js';
import { decodeImage } from '../../src/ml/decode.js';
import { percentile } from './eval-protocol.js';
import { EVAL_EMBEDDERS } from './candidates/embedders.js';
import { LocalFaceEngine } from '../../src/ml/local-engine.js';
import { Matcher } from '../../src/ml/matcher.js';
import { decideMatch, TOP_K } from '../../src/ml/decision-rule.js';
import { Gallery, type GalleryTemplate } from '../../src/core/attendance/gallery.js';
import type { RgbImage } from '../../src/ml/types.js';

console.log = console.error; // Human/emscripten chatter must not reach stdout
const log = pino({ name: 'bench', level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '15' },
    model: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    'match-only': { type: 'boolean' },
  },
});
const frames = Math.max(3, Number(values.frames) || 15);
const matchOnly = values['match-only'] === true;
const fixtures = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'faces');

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

const engine = await LocalFaceEngine.create(
  { inProcess: true, backend: values.backend as 'auto', ...(values.model ? { embedder: values.model } : {}) },
  log,
  EVAL_EMBEDDERS,
);

async function frameLatency(file: string, expectFaces: number): Promise<Record<string, number>> {
  const bytes = readFileSync(join(fixtures, file));
  const d0 = performance.now();
  const image: RgbImage = await decodeImage(bytes);
  const decodeMs = performance.now() - d0;
  if (image.width !== 640 || image.height !== 480) throw new Error(`${file} is not 640×480`);
  for (let i = 0; i < 2; i++) await engine.analyse(image); // warm this frame size
  const ms: number[] = [];
  const liveness: number[] = [];
  const cpu: number[] = [];
  let faces = 0;
  for (let i = 0; i < frames; i++) {
    const c0 = process.cpuUsage();
    const r = await engine.analyse(image);
    const c = process.cpuUsage(c0);
    ms.push(r.inferenceMs);
    liveness.push(r.presentationMs ?? 0);
    cpu.push((c.user + c.system) / 1000);
    faces = r.faces.length;
  }
  if (faces !== expectFaces) log.warn({ file, faces, expectFaces }, 'unexpected face count');
  return {
    faces,
    ms_p50: round(percentile(ms, 50)),
    ms_p95: round(percentile(ms, 95)),
    cpu_ms_p50: round(percentile(cpu, 50)),
    // The part of ms spent on the liveness signals (FASNet crop + run, texture, mesh cues).
    liveness_ms_p50: round(percentile(liveness, 50)),
    decode_ms: round(decodeMs),
  };
}

// --match-only skips the frame latencies (seconds of inference) when only matching is measured.
const latency = matchOnly
  ? null
  : {
      no_face: await frameLatency('noface.jpg', 0),
      one_face: await frameLatency('person-a-1.jpg', 1),
      three_faces: await frameLatency('three-faces.jpg', 3),
    };
const tensors = engine.tensorCount();
await engine.dispose();

function matchBench(templates: number): { ms_p50: number; ms_p95: number; kernel: string } {
  const dims = engine.embeddingSize;
  const m = new Matcher({
    dims,
    threshold: RECOGNITION_DEFAULTS.threshold,
    minMargin: RECOGNITION_DEFAULTS.minMargin,
    capacity: templates,
  });
  const rand = (): Float32Array => Float32Array.from({ length: dims }, () => Math.random() - 0.5);
  // 5 templates per person, as a school enrols a few photos per student.
  for (let i = 0; i < templates; i++) m.add(`p${Math.floor(i / 5)}`, rand());
  const probe = rand();
  for (let i = 0; i < 5; i++) m.match(probe);
  const ts: number[] = [];
  for (let i = 0; i < 40; i++) {
    const t = performance.now();
    m.match(probe);
    ts.push(performance.now() - t);
  }
  return { ms_p50: round(percentile(ts, 50), 3), ms_p95: round(percentile(ts, 95), 3), kernel: m.kernel };
}

const match = { templates_10k: matchBench(10_000), templates_100k: matchBench(100_000) };

/**
 * The door's real path for one face (AttendanceEngine.processFrame): Gallery.top (the int8 +
 * WASM SIMD Matcher) and the decision rule, against a school of `people` students with
 * TEMPLATES_PER_STUDENT templates each (random unit vectors: the cost does not depend on them).
 */
const TEMPLATES_PER_STUDENT = 3;
function doorBench(people: number): {
  templates: number;
  ms_p50: number;
  ms_p95: number;
  kernel: string;
  build_ms: number;
} {
  const dims = engine.embeddingSize;
  const rand = (): Float32Array => Float32Array.from({ length: dims }, () => Math.random() - 0.5);
  const templates: GalleryTemplate[] = [];
  for (let p = 0; p < people; p++) {
    for (let t = 0; t < TEMPLATES_PER_STUDENT; t++) templates.push({ studentId: `s${p}`, embedding: rand() });
  }
  const b0 = performance.now();
  const gallery = new Gallery(templates, dims);
  const buildMs = performance.now() - b0;
  const point = { threshold: RECOGNITION_DEFAULTS.threshold, minMargin: RECOGNITION_DEFAULTS.minMargin };
  const classOf = new Set(Array.from({ length: 30 }, (_, i) => `s${i}`));
  const probes = Array.from({ length: 8 }, rand);
  const run = (i: number) =>
    decideMatch(gallery.top(probes[i % probes.length]!, TOP_K), {
      point,
      galleryPeople: gallery.studentCount,
      model: gallery.model,
      inClass: (id) => classOf.has(id),
    });
  for (let i = 0; i < 10; i++) run(i);
  const ts: number[] = [];
  for (let i = 0; i < 60; i++) {
    const t = performance.now();
    run(i);
    ts.push(performance.now() - t);
  }
  return {
    templates: gallery.size,
    ms_p50: round(percentile(ts, 50), 3),
    ms_p95: round(percentile(ts, 95), 3),
    kernel: gallery.kernel,
    build_ms: round(buildMs),
  };
}

const door_match = {
  templates_per_student: TEMPLATES_PER_STUDENT,
  students_1k: doorBench(1_000),
  students_5k: doorBench(5_000),
  students_20k: doorBench(20_000),
};

const out = {
  backend: engine.backend,
  model: engine.modelId,
  embedding_dims: engine.embeddingSize,
  frame: '640x480',
  frames_per_case: frames,
  latency,
  match,
  door_match,
  model_load_ms: round(engine.timings.loadMs),
  warmup_ms: round(engine.timings.warmupMs),
  tensors_after_run: tensors,
  peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
  cpus: cpus().length,
  node: process.version,
};
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
