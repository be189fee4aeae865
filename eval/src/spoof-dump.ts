// npx tsx eval/src/spoof-dump.ts <spoof dir> <out.json> [--faces] [--views 2.7f,4,4f] [--cues]
// Development tool behind docs/liveness.md: runs the shipped engine on every image and clip
// frame of a SPOOF-PROTOCOL folder (or every photo of a faces folder, all labelled live) and
// writes each frame's faces with their presentation signals, for fitting and measuring the
// liveness decision (eval/src/fit-liveness.ts). `--views` adds FASNet views (context scale, `f`
// for mirrored) to each face's `presentation.fasnetViews`, to measure test-time augmentation.
// `--cues` adds each face's embedding and its colour-texture and spectrum descriptors
// (colour-texture.ts) to the dump, for eval/src/texture-probe-study.ts.
// Logs on stderr.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { LocalFaceEngine } from '../../src/ml/local-engine.js';
import { parseManifest } from '../../src/ml/liveness/spoof-protocol.js';
import { decodeImage } from '../../src/ml/decode.js';
import { contentBox } from '../../src/ml/liveness/content-box.js';
import { fasnetCropBox, FASNET_CROP_SCALE } from '../../src/ml/liveness/fasnet.js';
import { colourLbp, cropRgba, spectrumCues } from './colour-texture.js';
import type { DetectedFace, RgbImage } from '../../src/ml/types.js';

console.log = console.error;
const log = pino({ name: 'spoof-dump', level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { faces: { type: 'boolean' }, views: { type: 'string' }, cues: { type: 'boolean' } },
});
const [dirArg, outArg] = positionals;
if (!dirArg || !outArg) {
  log.error('usage: npx tsx eval/src/spoof-dump.ts <dir> <out.json> [--faces]');
  process.exit(2);
}
// The folder as given (a relative one stays relative): no absolute machine path in the output.
const root = dirArg;

interface Item {
  file: string;
  label: string;
  attack_type: string;
  source: string;
  frames: string[];
}
let items: Item[];
if (values.faces) {
  items = [];
  for (const person of readdirSync(root).sort()) {
    const p = join(root, person);
    if (person.startsWith('_') || !statSync(p).isDirectory()) continue;
    for (const f of readdirSync(p).sort())
      if (/\.(jpe?g|png)$/i.test(f))
        items.push({
          file: `${person}/${f}`,
          label: 'live',
          attack_type: 'none',
          source: person,
          frames: [join(p, f)],
        });
  }
} else {
  items = parseManifest(readFileSync(join(root, 'MANIFEST.tsv'), 'utf8')).map((r) => {
    const path = join(root, r.file);
    const frames = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((f) => /\.(jpe?g|png)$/i.test(f))
          .sort()
          .map((f) => join(path, f))
      : [path];
    return { file: r.file, label: r.label, attack_type: r.attack_type, source: r.source_repo ?? '', frames };
  });
}

const slim = (f: DetectedFace) => ({
  box: f.box,
  quality: f.quality,
  antispoof: f.antispoof,
  liveness: f.liveness,
  gateFailures: f.gateFailures,
  presentation: f.presentation,
});
const r4 = (v: ArrayLike<number>) => Array.from(v, (x) => Number(x.toPrecision(4)));
/**
 * The candidate cues of one face: colour LBP (radius 1 and 2) and spectrum of the face box
 * (64×64), colour LBP and spectrum of the context crop (FASNet's 2.7× box inside the picture,
 * 128×128), and the recognition embedding. Boxes are the detector's, in frame pixels.
 */
function cues(image: RgbImage, content: number[], f: DetectedFace) {
  const t0 = performance.now();
  const face = cropRgba(image, f.box, 64);
  const [ox, oy, ow, oh] = content as [number, number, number, number];
  const c = fasnetCropBox([f.box[0] - ox, f.box[1] - oy, f.box[2], f.box[3]], ow, oh, FASNET_CROP_SCALE);
  const ctx = cropRgba(image, [c[0] + ox, c[1] + oy, c[2], c[3]], 128);
  const out = {
    lbpFace1: r4(colourLbp(face, 64, 1)),
    lbpFace2: r4(colourLbp(face, 64, 2)),
    specFace: spectrumCues(face, 64),
    lbpCtx1: r4(colourLbp(ctx, 128, 1)),
    specCtx: spectrumCues(ctx, 128),
  };
  return { ...out, ms: performance.now() - t0, embedding: r4(f.embedding) };
}
const fasnetViews = (values.views ?? '')
  .split(',')
  .filter(Boolean)
  .map((v) => {
    const m = /^(\d+(?:\.\d+)?)(f?)$/.exec(v.trim());
    if (!m) throw new Error(`--views: "${v}" is not a scale with an optional f (e.g. 2.7f)`);
    return { scale: Number(m[1]), flip: m[2] === 'f' };
  });
const engine = await LocalFaceEngine.create({ inProcess: true, fasnetViews }, log);
const out = [];
for (const it of items) {
  const frames = [];
  for (const fr of it.frames) {
    try {
      const bytes = new Uint8Array(readFileSync(fr));
      // With --cues the frame is decoded here (as the engine decodes it) so the cues see the
      // same pixels and box coordinates as the engine.
      const image = values.cues ? await decodeImage(bytes) : null;
      const a = await engine.analyse(image ?? bytes);
      const content = image ? contentBox(image) : null;
      frames.push({
        frame: relative(root, fr),
        width: a.width,
        height: a.height,
        ms: a.inferenceMs,
        faces: a.faces.map((f) => ({
          ...slim(f),
          ...(image && content ? { cues: cues(image, content, f) } : {}),
        })),
      });
    } catch (err) {
      frames.push({ frame: relative(root, fr), error: (err as Error).message, faces: [] });
    }
  }
  out.push({
    views: values.views ?? '',
    file: it.file,
    label: it.label,
    attack_type: it.attack_type,
    source: it.source,
    clip: it.frames.length > 1,
    frames,
  });
  log.info({ file: it.file, frames: frames.length }, 'done');
}
writeFileSync(outArg, JSON.stringify(out));
await engine.dispose();
