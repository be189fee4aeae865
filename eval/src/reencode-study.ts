// Offline study behind docs/recognition.md's "Re-saved copies of an enrolled photo": can
// the photo import tell a re-saved, resized or slightly cropped copy of a photo a student is
// already enrolled from (a new file, so a new SHA-256) from a genuinely new photo of that student?
//
//   npx tsx eval/src/reencode-study.ts dump OUT.jsonl DIR
//     Runs the shipped engine (in process, no presentation signals: an enrolment photo is a photo)
//     on every photo of every identity folder of DIR and on copies of it made here: JPEG re-encoded
//     at quality 60, 75, 85 and 95; resized to 50, 70 and 90 % (JPEG q90); cropped by 5 % on every
//     side, and by 10 % off the top and left (JPEG q90). One JSON line per image: identity, file,
//     variant, whether the import would take it (a face, none of the import's blocking gates:
//     too_small, pose, blur, too_dark, as server/src/services/photo-templates.ts) and the largest
//     face's embedding.
//
//   npx tsx eval/src/reencode-study.ts report DUMP
//     Prints, as one JSON object: per variant, the cosine between each usable copy and its own
//     original (min, 1st percentile, median) and how many copies the gates refuse; between two
//     DIFFERENT photos of the same person, the highest cosine (overall, per person, the top
//     pairs); and the gap between the lowest copy and the highest different photo.
//
// Rule (written before any figure was looked at): a threshold is shipped only if the lowest
// copy-to-original cosine of every variant is above the highest different-photo cosine of the
// same person, and then it is placed in the middle of that gap, rounded down to 0.01.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import { LocalFaceEngine } from '../../src/ml/local-engine.js';
// The photo import's own rules, so the study measures what the import does.
import { BLOCKING_GATES, largestFace } from '../../server/src/services/photo-templates.js';
import { fail, peopleWithPairs } from './study-folders.js';

const VARIANTS = ['q60', 'q75', 'q85', 'q95', 'r50', 'r70', 'r90', 'crop5', 'crop10tl'] as const;
type Variant = 'real' | (typeof VARIANTS)[number];

interface DumpLine {
  identity: string;
  file: string;
  variant: Variant;
  /** A face the import would make a template of. */
  usable: boolean;
  gateFailures: string[];
  embedding: number[];
}

async function copyOf(bytes: Buffer, variant: Exclude<Variant, 'real'>): Promise<Buffer> {
  const img = sharp(bytes).removeAlpha();
  const { width = 0, height = 0 } = await img.metadata();
  if (variant.startsWith('q')) return img.jpeg({ quality: Number(variant.slice(1)) }).toBuffer();
  if (variant.startsWith('r')) {
    const f = Number(variant.slice(1)) / 100;
    return img
      .resize(Math.round(width * f), Math.round(height * f))
      .jpeg({ quality: 90 })
      .toBuffer();
  }
  if (variant === 'crop5') {
    const dx = Math.round(width * 0.05);
    const dy = Math.round(height * 0.05);
    return img
      .extract({ left: dx, top: dy, width: width - 2 * dx, height: height - 2 * dy })
      .jpeg({ quality: 90 })
      .toBuffer();
  }
  const dx = Math.round(width * 0.1);
  const dy = Math.round(height * 0.1);
  return img
    .extract({ left: dx, top: dy, width: width - dx, height: height - dy })
    .jpeg({ quality: 90 })
    .toBuffer();
}

async function dump(out: string, dir: string | undefined): Promise<void> {
  if (!dir) fail('dump: give the dataset folder');
  const log = pino({ level: 'warn' }, pino.destination(2));
  const engine = await LocalFaceEngine.create({ inProcess: true, presentation: false }, log);
  writeFileSync(out, '');
  try {
    for (const { identity, files } of peopleWithPairs(dir)) {
      for (const file of files) {
        const original = readFileSync(join(dir, identity, file));
        for (const variant of ['real', ...VARIANTS] as Variant[]) {
          const bytes = variant === 'real' ? original : await copyOf(original, variant);
          const result = await engine.analyse(new Uint8Array(bytes));
          const face = largestFace(result.faces);
          const gateFailures = face?.gateFailures ?? [];
          const line: DumpLine = {
            identity,
            file,
            variant,
            usable: face !== undefined && !gateFailures.some((g) => BLOCKING_GATES.includes(g)),
            gateFailures,
            embedding: face ? Array.from(face.embedding) : [],
          };
          appendFileSync(out, JSON.stringify(line) + '\n');
        }
      }
      console.error(`${identity}: ${files.length} photos`);
    }
  } finally {
    await engine.dispose();
  }
}

const cosine = (a: number[], b: number[]): number => {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
};
const round = (v: number) => Math.round(v * 10_000) / 10_000;
const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

function report(file: string | undefined): void {
  if (!file) fail('report: give the dump file');
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as DumpLine);
  const originals = new Map<string, DumpLine>();
  for (const l of lines) if (l.variant === 'real' && l.usable) originals.set(`${l.identity}/${l.file}`, l);

  // Copies against their own original (only where both would be enrolled).
  const copies: Record<string, unknown> = {};
  let lowestCopy = { cosine: Infinity, image: '', variant: '' };
  for (const variant of VARIANTS) {
    const sims: number[] = [];
    let refused = 0;
    for (const l of lines.filter((x) => x.variant === variant)) {
      const orig = originals.get(`${l.identity}/${l.file}`);
      if (!orig) continue;
      if (!l.usable) {
        refused++;
        continue;
      }
      const c = cosine(orig.embedding, l.embedding);
      sims.push(c);
      if (c < lowestCopy.cosine) lowestCopy = { cosine: c, image: `${l.identity}/${l.file}`, variant };
    }
    sims.sort((a, b) => a - b);
    copies[variant] = {
      copies: sims.length,
      refusedByGates: refused,
      min: round(sims[0] ?? NaN),
      p01: round(quantile(sims, 0.01)),
      median: round(quantile(sims, 0.5)),
    };
  }

  // Two different photos of one person: every pair, and the highest per person.
  const byPerson = new Map<string, DumpLine[]>();
  for (const l of originals.values()) byPerson.set(l.identity, [...(byPerson.get(l.identity) ?? []), l]);
  const pairs: { cosine: number; a: string; b: string }[] = [];
  const perPersonMax: number[] = [];
  for (const [identity, photos] of byPerson) {
    let best = -1;
    for (let i = 0; i < photos.length; i++)
      for (let j = i + 1; j < photos.length; j++) {
        const c = cosine(photos[i]!.embedding, photos[j]!.embedding);
        best = Math.max(best, c);
        pairs.push({ cosine: c, a: `${identity}/${photos[i]!.file}`, b: photos[j]!.file });
      }
    perPersonMax.push(best);
  }
  pairs.sort((x, y) => y.cosine - x.cosine);
  perPersonMax.sort((a, b) => a - b);
  const highestDifferent = pairs[0]?.cosine ?? NaN;
  const gap = lowestCopy.cosine - highestDifferent;
  const threshold = gap > 0 ? Math.floor(((lowestCopy.cosine + highestDifferent) / 2) * 100) / 100 : null;

  console.log(
    JSON.stringify(
      {
        dump: file,
        people: byPerson.size,
        usableOriginals: originals.size,
        copiesAgainstOriginal: copies,
        lowestCopy: { ...lowestCopy, cosine: round(lowestCopy.cosine) },
        differentPhotosSamePerson: {
          pairs: pairs.length,
          max: round(highestDifferent),
          p99: round(pairs[Math.floor(pairs.length * 0.01)]?.cosine ?? NaN),
          perPersonMaxMedian: round(quantile(perPersonMax, 0.5)),
          top: pairs.slice(0, 8).map((p) => ({ ...p, cosine: round(p.cosine) })),
        },
        gap: round(gap),
        threshold,
      },
      null,
      2,
    ),
  );
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'dump') await dump(args[0] ?? fail('dump: give OUT.jsonl'), args[1]);
else if (mode === 'report') report(args[0]);
else fail('usage: reencode-study.ts dump OUT.jsonl DIR | report DUMP');
