// npm run eval:spoof -- <dir> [--level standard|strict] [--faces]
// Implements the SPOOF-PROTOCOL: prints ONE JSON object on stdout; logs go to stderr.
//
// <dir> holds MANIFEST.tsv (file, label, attack_type): single images, and clips (a folder of
// frames 001.jpg, 002.jpg, … in order). With --faces, <dir> is instead a recognition face set
// (one folder of camera photos per person, e.g. the faces-640 development set): every photo is a live
// presentation, and the JSON reports the BPCER live people would pay.
//
// Decisions are the kiosk's own, with the shipped engine, gates and liveness calibration:
// - an image is accepted when its largest face passes the recognition gates and its fused
//   liveness score reaches the level's threshold (src/ml/liveness/decision.ts imageIsLive);
// - a clip is fed frame by frame, in order, at its time stamps, through the door's per-visit
//   LivenessVisit (src/ml/liveness/clip.ts decideClip: a frame with no face ends the visit, an
//   unreadable frame is skipped, accepted at the first frame where the kiosk would mark).
//   Recognition is assumed: an attacker presents an enrolled student's face.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { DEFAULT_SETTINGS } from '../../src/core/store/settings-defaults.js';
import { percentile } from './eval-protocol.js';
import { LocalFaceEngine } from '../../src/ml/local-engine.js';
import { LIVENESS_CALIBRATION } from '../../src/ml/liveness/calibration.js';
import { decideClip, type ClipFrame } from '../../src/ml/liveness/clip.js';
import { frameLivenessScore, imageIsLive, LivenessLevelSchema } from '../../src/ml/liveness/decision.js';
import {
  errorRates,
  parseManifest,
  ratesAtFixedError,
  round4,
  type AttackType,
  type PresentationOutcome,
} from '../../src/ml/liveness/spoof-protocol.js';
import type { FrameAnalysis } from '../../src/ml/types.js';

console.log = console.error; // Human/emscripten chatter must not reach stdout
const log = pino({ name: 'eval-spoof', level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { level: { type: 'string', default: 'standard' }, faces: { type: 'boolean', default: false } },
});
const dirArg = positionals[0];
const levelParse = LivenessLevelSchema.safeParse(values.level);
if (!dirArg || !levelParse.success) {
  log.error('usage: npm run eval:spoof -- <dir> [--level standard|strict] [--faces]');
  process.exit(2);
}
const level = levelParse.data;
// The folder as given (a relative one stays relative): no absolute machine path in the output.
const root = dirArg;
const votesNeeded = DEFAULT_SETTINGS.votesNeeded;

interface Presentation {
  file: string;
  label: 'live' | 'spoof';
  attackType: AttackType;
  /** One path for an image; the ordered frames of a clip. */
  frames: string[];
  clip: boolean;
}

const isImage = (f: string) => /\.(jpe?g|png)$/i.test(f);

function loadPresentations(): Presentation[] {
  if (values.faces) {
    const out: Presentation[] = [];
    for (const person of readdirSync(root).sort()) {
      const dir = join(root, person);
      if (person.startsWith('_') || !statSync(dir).isDirectory()) continue;
      for (const f of readdirSync(dir).filter(isImage).sort()) {
        out.push({
          file: `${person}/${f}`,
          label: 'live',
          attackType: 'none',
          frames: [join(dir, f)],
          clip: false,
        });
      }
    }
    return out;
  }
  const manifest = join(root, 'MANIFEST.tsv');
  if (!existsSync(manifest)) throw new Error(`${manifest} not found (use --faces for a face set)`);
  return parseManifest(readFileSync(manifest, 'utf8')).map((r) => {
    const path = join(root, r.file);
    if (!existsSync(path)) throw new Error(`${r.file} is listed in MANIFEST.tsv but missing`);
    const clip = statSync(path).isDirectory();
    const frames = clip
      ? readdirSync(path)
          .filter(isImage)
          .sort()
          .map((f) => join(path, f))
      : [path];
    return { file: r.file, label: r.label, attackType: r.attack_type, frames, clip };
  });
}

/** Frame times from SEQ_FRAMES.tsv when the folder has one, else 200 ms apart (5 fps). */
function frameTimes(): Map<string, number> {
  const file = join(root, 'SEQ_FRAMES.tsv');
  const times = new Map<string, number>();
  if (!existsSync(file)) return times;
  const [header, ...lines] = readFileSync(file, 'utf8').split(/\r?\n/).filter(Boolean);
  const cols = header!.split('\t');
  const fi = cols.indexOf('file');
  const ti = cols.indexOf('t_ms');
  for (const l of lines) {
    const c = l.split('\t');
    const t = Number(c[ti]);
    if (c[fi] && Number.isFinite(t)) times.set(c[fi]!, t);
  }
  return times;
}

const presentations = loadPresentations();
const times = frameTimes();
const engine = await LocalFaceEngine.create({ inProcess: true }, log);
const livenessMs: number[] = [];

/** The frame's analysis, or null when it cannot be read (logged, then skipped). */
async function analyseFrame(path: string): Promise<FrameAnalysis | null> {
  try {
    const a = await engine.analyse(new Uint8Array(readFileSync(path)));
    if (a.faces.length > 0 && a.presentationMs !== undefined) livenessMs.push(a.presentationMs);
    return a;
  } catch (err) {
    log.warn({ file: path, err: (err as Error).message }, 'frame not readable: skipped');
    return null;
  }
}

const imageOutcomes: PresentationOutcome[] = [];
const clipOutcomes: PresentationOutcome[] = [];
for (const p of presentations) {
  if (!p.clip) {
    const face = (await analyseFrame(p.frames[0]!))?.faces[0] ?? null;
    const score = face ? frameLivenessScore(face) : null;
    const accepted = !!face && face.gateFailures.length === 0 && imageIsLive(face, level);
    imageOutcomes.push({ label: p.label, attackType: p.attackType, accepted, noFace: !face, score });
    log.debug({ file: p.file, score, accepted }, 'image');
    continue;
  }
  const frames: ClipFrame[] = [];
  for (const [i, frame] of p.frames.entries()) {
    frames.push({
      analysis: await analyseFrame(frame),
      at: times.get(relative(root, frame)) ?? i * 200,
    });
  }
  const d = decideClip(frames, level, votesNeeded);
  clipOutcomes.push({
    label: p.label,
    attackType: p.attackType,
    accepted: d.accepted,
    noFace: !d.anyFace,
    score: d.score,
  });
  log.info({ file: p.file, accepted: d.accepted, score: d.score, atFrame: d.acceptedAtFrame }, 'clip');
}
await engine.dispose();

function imageBlock(o: PresentationOutcome[]) {
  if (o.length === 0) return null;
  const r = errorRates(o);
  const f = ratesAtFixedError(o);
  return { ...r, 'bpcer_at_apcer_0.05': f.bpcerAtApcer, 'apcer_at_bpcer_0.05': f.apcerAtBpcer };
}

const out = {
  dataset: dirArg,
  images: imageBlock(imageOutcomes),
  clips: clipOutcomes.length === 0 ? null : errorRates(clipOutcomes),
  liveness_ms_p50: livenessMs.length ? round4(percentile(livenessMs, 50)) : null,
  operating_point: {
    level,
    threshold: LIVENESS_CALIBRATION.thresholds[level],
    thresholds: LIVENESS_CALIBRATION.thresholds,
    features: LIVENESS_CALIBRATION.features,
    min_frames: LIVENESS_CALIBRATION.minFrames,
    votes_needed: votesNeeded,
    gates: 'shipped recognition gates apply',
  },
  model: `${engine.modelId} + liveness ${LIVENESS_CALIBRATION.id}`,
};
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
