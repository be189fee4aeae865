// Offline study behind docs/recognition.md's "Blur gate and small faces (measured)".
//
//   npx tsx eval/src/blur-study.ts dump OUT.jsonl [--copies] [--files 01.jpg,02.jpg] DIR...
//     Runs the shipped engine (in process, no presentation signals) on every photo of every
//     identity folder with at least two photos in each DIR, and with --copies also on two bad
//     copies of each photo made here: Gaussian blur σ 5 and a 15-px horizontal motion blur
//     (JPEG q90, as the photos). One JSON line per image: its set (the folder's name), identity,
//     file, variant, the largest face's box, quality figures, gate failures and embedding.
//     --files keeps only those file names (a gallery's enrolment photos).
//
//   npx tsx eval/src/blur-study.ts report CALIBRATION_SET DUMP...
//     Joins the dumps (a later dump's quality figures replace an earlier one's for the same
//     image, so a dump made with an older engine can be compared with a newer one: the
//     embeddings do not change), and prints per set and variant: the face size, sharpness,
//     the genuine similarity (best and median cosine to the same person's other real photos of
//     that set), and the photos the gate refuses. It then applies the threshold rule below on
//     CALIBRATION_SET and shows what that threshold refuses in every set.
//
// Threshold rule (written before any figure of a new measure was looked at): the lowest
// sharpness threshold that refuses at least 95 % of the calibration set's Gaussian-σ5 copies,
// provided it refuses at most 1 % of the calibration set's real photos; if no threshold meets
// both, the measure fails the rule. Only the calibration set chooses; the other sets are checks.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import { LocalFaceEngine } from '../../src/ml/local-engine.js';
import { RECOGNITION_DEFAULTS } from '../../src/ml/config.js';
import { cropStats } from '../../src/ml/quality.js';
import { fail, peopleWithPairs } from './study-folders.js';

type Variant = 'real' | 'gauss5' | 'motion15';

interface DumpLine {
  set: string;
  identity: string;
  file: string;
  variant: Variant;
  faces: number;
  /** Largest face's box [x, y, w, h] in frame pixels; null when no face was found. */
  box: [number, number, number, number] | null;
  size: number;
  sharpness: number;
  brightness: number;
  gateFailures: string[];
  embedding: number[];
}

async function badCopy(bytes: Buffer, variant: Variant): Promise<Buffer> {
  const img = sharp(bytes).removeAlpha();
  const blurred =
    variant === 'gauss5'
      ? img.blur(5)
      : // sharp wants at least 3 rows: the middle one carries the 15-px line, the others are 0.
        img.convolve({
          width: 15,
          height: 3,
          kernel: [
            ...new Array<number>(15).fill(0),
            ...new Array<number>(15).fill(1),
            ...new Array<number>(15).fill(0),
          ],
          scale: 15,
        });
  return blurred.jpeg({ quality: 90 }).toBuffer();
}

async function dump(out: string, copies: boolean, only: Set<string> | null, dirs: string[]): Promise<void> {
  if (dirs.length === 0) fail('dump: give at least one dataset folder');
  const log = pino({ level: 'warn' }, pino.destination(2));
  const engine = await LocalFaceEngine.create({ inProcess: true, presentation: false }, log);
  writeFileSync(out, '');
  const variants: Variant[] = copies ? ['real', 'gauss5', 'motion15'] : ['real'];
  try {
    for (const dir of dirs) {
      const set = basename(dir.replace(/\/+$/, ''));
      let n = 0;
      for (const { identity, files } of peopleWithPairs(dir)) {
        for (const file of files) {
          if (only && !only.has(file)) continue;
          const original = readFileSync(join(dir, identity, file));
          for (const variant of variants) {
            const bytes = variant === 'real' ? original : await badCopy(original, variant);
            const result = await engine.analyse(new Uint8Array(bytes));
            const face = result.faces[0] ?? null;
            const line: DumpLine = {
              set,
              identity,
              file,
              variant,
              faces: result.faces.length,
              box: face ? (face.box.map((v) => Math.round(v * 10) / 10) as DumpLine['box']) : null,
              size: face?.quality.size ?? 0,
              sharpness: face?.quality.sharpness ?? 0,
              brightness: face?.quality.brightness ?? 0,
              gateFailures: face?.gateFailures ?? [],
              embedding: face ? Array.from(face.embedding, (v) => Math.round(v * 1e5) / 1e5) : [],
            };
            appendFileSync(out, JSON.stringify(line) + '\n');
          }
          n++;
        }
      }
      console.error(`${set}: ${n} photos`);
    }
  } finally {
    await engine.dispose();
  }
}

// ---- measure: candidate sharpness measures on a replica of the engine's crop ----

/**
 * The engine's face crop re-made here (bilinear, box → 192×192, no roll correction): Human does
 * not hand its crop out, and replaying the dumps' boxes lets several measures be compared in one
 * pass without the detector. Only for choosing among candidates; the shipped measure's figures
 * come from a dump of the engine itself.
 */
function replicaCrop(
  rgb: Buffer,
  width: number,
  height: number,
  box: [number, number, number, number],
): Float32Array {
  const side = 192;
  const out = new Float32Array(side * side * 3);
  const [bx, by, bw, bh] = box;
  for (let y = 0; y < side; y++) {
    const sy = Math.min(height - 1, Math.max(0, by + ((y + 0.5) * bh) / side - 0.5));
    const iy = Math.floor(sy);
    const jy = Math.min(height - 1, iy + 1);
    const ay = sy - iy;
    for (let x = 0; x < side; x++) {
      const sx = Math.min(width - 1, Math.max(0, bx + ((x + 0.5) * bw) / side - 0.5));
      const ix = Math.floor(sx);
      const jx = Math.min(width - 1, ix + 1);
      const ax = sx - ix;
      for (let c = 0; c < 3; c++) {
        const p = (yy: number, xx: number): number => rgb[(yy * width + xx) * 3 + c]!;
        out[(y * side + x) * 3 + c] =
          ((1 - ay) * ((1 - ax) * p(iy, ix) + ax * p(iy, jx)) +
            ay * ((1 - ax) * p(jy, ix) + ax * p(jy, jx))) /
          255;
      }
    }
  }
  return out;
}

/** Candidate measures: name → analysis side given the face's side in frame pixels. */
const CANDIDATES: Record<string, (faceSide: number) => number> = {
  replica: () => Infinity,
  native: (side) => side,
  at128: () => 128,
  at96: () => 96,
  at64: () => 64,
  nativeMax96: (side) => Math.min(side, 96),
};

async function measure(out: string, roots: string[], dumps: string[]): Promise<void> {
  const rootOf = new Map(roots.map((r) => [basename(r.replace(/\/+$/, '')), r]));
  writeFileSync(out, '');
  for (const f of dumps) {
    for (const text of readFileSync(f, 'utf8').split('\n')) {
      if (!text) continue;
      const l = JSON.parse(text) as DumpLine;
      if (!l.box) continue;
      const root = rootOf.get(l.set);
      if (!root) fail(`measure: no folder given for set ${l.set}`);
      const original = readFileSync(join(root, l.identity, l.file));
      const bytes = l.variant === 'real' ? original : await badCopy(original, l.variant);
      const { data, info } = await sharp(bytes)
        .rotate()
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const crop = replicaCrop(data, info.width, info.height, l.box);
      const side = Math.max(l.box[2], l.box[3]);
      const m: Record<string, number> = {};
      for (const [name, at] of Object.entries(CANDIDATES))
        m[name] = cropStats(crop, 192, 192, true, at(side)).sharpness;
      appendFileSync(
        out,
        JSON.stringify({ set: l.set, identity: l.identity, file: l.file, variant: l.variant, m }) + '\n',
      );
    }
  }
}

// ---- report ----

interface Row extends DumpLine {
  /** Best and median cosine to the same person's other real photos of the same set. */
  best: number;
  median: number;
}

const keyOf = (l: Pick<DumpLine, 'set' | 'identity' | 'file' | 'variant'>): string =>
  `${l.set}/${l.identity}/${l.file}/${l.variant}`;

function cosine(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
}

const r2 = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : '-');
const r3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '-');

function load(files: string[]): Row[] {
  const byKey = new Map<string, DumpLine>();
  for (const f of files) {
    for (const text of readFileSync(f, 'utf8').split('\n')) {
      if (!text) continue;
      const l = JSON.parse(text) as DumpLine;
      const prev = byKey.get(keyOf(l));
      // Keep the first dump's embedding (the same engine embeds the same way), take the latest quality.
      byKey.set(keyOf(l), prev && prev.embedding.length > 0 ? { ...l, embedding: prev.embedding } : l);
    }
  }
  const lines = [...byKey.values()];
  const real = new Map<string, DumpLine[]>();
  for (const l of lines) {
    if (l.variant !== 'real' || l.embedding.length === 0) continue;
    const k = `${l.set}/${l.identity}`;
    real.set(k, [...(real.get(k) ?? []), l]);
  }
  return lines.map((l) => {
    const others = (real.get(`${l.set}/${l.identity}`) ?? []).filter((o) => o.file !== l.file);
    const sims =
      l.embedding.length > 0 ? others.map((o) => cosine(l.embedding, o.embedding)).sort((a, b) => a - b) : [];
    return { ...l, best: sims.length ? sims[sims.length - 1]! : NaN, median: quantile(sims, 0.5) };
  });
}

function summary(rows: Row[], threshold: number): string {
  const found = rows.filter((r) => r.box);
  const s = found.map((r) => r.sharpness).sort((a, b) => a - b);
  const size = found.map((r) => r.size).sort((a, b) => a - b);
  const refused = found.filter((r) => r.sharpness < threshold).length;
  return (
    `n ${rows.length} (face ${found.length})  size min/med ${size[0] ?? '-'}/${quantile(size, 0.5)}  ` +
    `sharpness min/p1/p5/med/max ${r3(s[0]!)}/${r3(quantile(s, 0.01))}/${r3(quantile(s, 0.05))}/${r3(quantile(s, 0.5))}/${r3(s[s.length - 1]!)}  ` +
    `refused < ${threshold.toFixed(3)}: ${refused} (${((100 * refused) / Math.max(1, found.length)).toFixed(1)} %)`
  );
}

/** Spearman rank correlation. */
function spearman(x: number[], y: number[]): number {
  const rank = (v: number[]): number[] => {
    const idx = v.map((_, i) => i).sort((a, b) => v[a]! - v[b]!);
    const r = new Array<number>(v.length);
    idx.forEach((i, k) => (r[i] = k));
    return r;
  };
  const rx = rank(x);
  const ry = rank(y);
  const n = x.length;
  const mx = (n - 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (rx[i]! - mx) * (ry[i]! - mx);
    sxx += (rx[i]! - mx) ** 2;
    syy += (ry[i]! - mx) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** The threshold rule stated at the top of this file; null when no threshold meets it. */
function chooseThreshold(
  real: number[],
  blurred: number[],
  minRefusedBlurred = 0.95,
  maxRefusedReal = 0.01,
): number | null {
  const b = [...blurred].sort((x, y) => x - y);
  if (b.length === 0) return null;
  // Refusal is `sharpness < t`: the lowest t refusing k copies is just above the k-th lowest.
  const k = Math.ceil(minRefusedBlurred * b.length);
  const t = Math.round((b[k - 1]! + 0.0005) * 1000) / 1000;
  const refusedReal = real.filter((v) => v < t).length;
  return refusedReal <= maxRefusedReal * real.length ? t : null;
}

function report(calibration: string, files: string[]): void {
  if (files.length === 0) fail('report: give at least one dump');
  const rows = load(files);
  const sets = [...new Set(rows.map((r) => r.set))];
  if (!sets.includes(calibration))
    fail(`report: no set named ${calibration} in the dumps (${sets.join(', ')})`);
  const shipped = RECOGNITION_DEFAULTS.gates.minSharpness;
  const cal = rows.filter((r) => r.set === calibration && r.box);
  const chosen = chooseThreshold(
    cal.filter((r) => r.variant === 'real').map((r) => r.sharpness),
    cal.filter((r) => r.variant === 'gauss5').map((r) => r.sharpness),
  );
  console.log(
    `shipped minSharpness ${shipped}; rule on ${calibration}: ${chosen ?? 'no threshold meets it'}`,
  );
  for (const set of sets) {
    for (const variant of ['real', 'gauss5', 'motion15'] as Variant[]) {
      const rs = rows.filter((r) => r.set === set && r.variant === variant);
      if (rs.length === 0) continue;
      console.log(`\n${set} ${variant}: ${summary(rs, shipped)}`);
      if (chosen !== null)
        console.log(`  at rule threshold: ${summary(rs, chosen).replace(/.*refused/, 'refused')}`);
      const withSim = rs.filter((r) => r.box && Number.isFinite(r.best));
      const sim = withSim.map((r) => r.best).sort((a, b) => a - b);
      console.log(
        `  genuine best cosine min/p5/med ${r3(sim[0]!)}/${r3(quantile(sim, 0.05))}/${r3(quantile(sim, 0.5))}; ` +
          `spearman(sharpness, best) ${r2(
            spearman(
              withSim.map((r) => r.sharpness),
              withSim.map((r) => r.best),
            ),
          )}, ` +
          `spearman(sharpness, size) ${r2(
            spearman(
              withSim.map((r) => r.sharpness),
              withSim.map((r) => r.size),
            ),
          )}`,
      );
      if (variant === 'real') {
        const cut = chosen ?? shipped;
        for (const r of withSim
          .filter((r) => r.sharpness < Math.max(shipped, cut) + 0.05)
          .sort((a, b) => a.sharpness - b.sharpness)) {
          console.log(
            `  ${r.identity}/${r.file}: size ${r.size} sharpness ${r3(r.sharpness)} best ${r3(r.best)} median ${r3(r.median)}` +
              `${r.sharpness < shipped ? ' [refused at shipped]' : ''}${chosen !== null && r.sharpness < chosen ? ' [refused at rule]' : ''}`,
          );
        }
      }
    }
  }
}

/**
 * Each candidate measure of a `measure` file, with its threshold by the rule on the calibration
 * set, and what that threshold refuses in every set and variant; then the real photos it refuses.
 */
function candidates(calibration: string, measureFile: string, dumps: string[]): void {
  const rows = load(dumps);
  const byKey = new Map(rows.map((r) => [keyOf(r), r]));
  const measured: (Row & { m: Record<string, number> })[] = [];
  for (const text of readFileSync(measureFile, 'utf8').split('\n')) {
    if (!text) continue;
    const l = JSON.parse(text) as Pick<DumpLine, 'set' | 'identity' | 'file' | 'variant'> & {
      m: Record<string, number>;
    };
    const row = byKey.get(keyOf(l));
    if (row) measured.push({ ...row, m: { ...l.m, engine: row.sharpness } });
  }
  const names = Object.keys(measured[0]?.m ?? {});
  const sets = [...new Set(measured.map((r) => r.set))];
  for (const name of names) {
    const cal = measured.filter((r) => r.set === calibration);
    const t = chooseThreshold(
      cal.filter((r) => r.variant === 'real').map((r) => r.m[name]!),
      cal.filter((r) => r.variant === 'gauss5').map((r) => r.m[name]!),
    );
    const cells = sets.flatMap((set) =>
      (['real', 'gauss5', 'motion15'] as Variant[]).flatMap((variant) => {
        const rs = measured.filter((r) => r.set === set && r.variant === variant);
        if (rs.length === 0 || t === null) return [];
        return [`${set}/${variant} ${rs.filter((r) => r.m[name]! < t).length}/${rs.length}`];
      }),
    );
    const real = measured.filter((r) => r.variant === 'real' && Number.isFinite(r.best));
    console.log(
      `${name.padEnd(12)} t=${t ?? 'none'}  ${cells.join('  ')}  spearman(best) ${r2(
        spearman(
          real.map((r) => r.m[name]!),
          real.map((r) => r.best),
        ),
      )}`,
    );
    if (t !== null)
      for (const r of real.filter((r) => r.m[name]! < t))
        console.log(
          `    refused ${r.set}/${r.identity}/${r.file} size ${r.size} ${name} ${r3(r.m[name]!)} best ${r3(r.best)} median ${r3(r.median)}`,
        );
  }
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'dump') {
  const copies = rest.includes('--copies');
  const filesAt = rest.indexOf('--files');
  const only = filesAt >= 0 ? new Set((rest[filesAt + 1] ?? '').split(',')) : null;
  const [out, ...dirs] = rest.filter(
    (a, i) => a !== '--copies' && (filesAt < 0 || (i !== filesAt && i !== filesAt + 1)),
  );
  if (!out) fail('usage: blur-study.ts dump OUT.jsonl [--copies] [--files A.jpg,B.jpg] DIR...');
  await dump(out, copies, only, dirs);
} else if (command === 'measure') {
  const sep = rest.indexOf('--');
  if (sep < 1) fail('usage: blur-study.ts measure OUT.jsonl DIR... -- DUMP...');
  await measure(rest[0]!, rest.slice(1, sep), rest.slice(sep + 1));
} else if (command === 'candidates') {
  const [calibration, measureFile, ...dumps] = rest;
  if (!calibration || !measureFile)
    fail('usage: blur-study.ts candidates CALIBRATION_SET MEASURES.jsonl DUMP...');
  candidates(calibration, measureFile, dumps);
} else if (command === 'report') {
  const [calibration, ...files] = rest;
  if (!calibration) fail('usage: blur-study.ts report CALIBRATION_SET DUMP...');
  report(calibration, files);
} else {
  fail('usage: blur-study.ts dump OUT.jsonl [--copies] DIR... | report CALIBRATION_SET DUMP...');
}
