// npx tsx eval/src/make-door-frames.ts <faces dir> <out dir> [--per-person N]
// Builds a door-frame copy of a faces folder (one sub-folder per person) the way the live face
// sets faces-640 and faces-lfw-640 were built: each photo centred on a 640×480 mid-grey (127)
// canvas, scaled down to fit when larger, never scaled up, re-encoded as JPEG at quality 90
// without metadata. Same person folders and file names. `--per-person N` keeps each person's
// first N photos (sorted by name). Used by eval/src/live-training-study.ts to turn more live
// photos into frames like the calibration set's. Logs on stderr.
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';

const FRAME_W = 640;
const FRAME_H = 480;
const GREY = 127;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'per-person': { type: 'string' } },
});
const [src, out] = positionals;
if (!src || !out) {
  console.error('usage: npx tsx eval/src/make-door-frames.ts <faces dir> <out dir> [--per-person N]');
  process.exit(2);
}
const perPerson = values['per-person'] ? Number(values['per-person']) : Infinity;
if (!(perPerson >= 1)) throw new Error('--per-person: a whole number from 1');

/** The photo on a 640×480 grey canvas, as the live face sets' frames are made. */
async function doorFrame(file: string): Promise<Buffer> {
  const photo = await sharp(file)
    .rotate()
    .resize({ width: FRAME_W, height: FRAME_H, fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer({ resolveWithObject: true });
  const { width, height } = photo.info;
  return sharp({
    create: { width: FRAME_W, height: FRAME_H, channels: 3, background: { r: GREY, g: GREY, b: GREY } },
  })
    .composite([
      { input: photo.data, left: Math.floor((FRAME_W - width) / 2), top: Math.floor((FRAME_H - height) / 2) },
    ])
    .jpeg({ quality: 90 })
    .toBuffer();
}

let n = 0;
for (const person of readdirSync(src).sort()) {
  const dir = join(src, person);
  if (person.startsWith('_') || !statSync(dir).isDirectory()) continue;
  const files = readdirSync(dir)
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .sort()
    .slice(0, perPerson);
  mkdirSync(join(out, person), { recursive: true });
  for (const f of files) {
    writeFileSync(join(out, person, f.replace(/\.png$/i, '.jpg')), await doorFrame(join(dir, f)));
    n++;
  }
}
console.error(`${n} frames written`);
