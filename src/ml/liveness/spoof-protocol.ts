// The presentation-attack protocol (SPOOF-PROTOCOL) as code: the manifest of a presentation-attack
// folder, and the error rates (ISO/IEC 30107-3 APCER / BPCER, per image and per clip) an evaluation
// reports. Pure, tested.
import { z } from 'zod';

export const AttackTypeSchema = z.enum(['print', 'screen', 'mask', 'none']);
export type AttackType = z.infer<typeof AttackTypeSchema>;

export const ManifestRowSchema = z.object({
  file: z
    .string()
    .min(1)
    .refine(
      (f) => !f.startsWith('/') && !f.split('/').includes('..'),
      'file must be a relative path inside the folder',
    ),
  label: z.enum(['live', 'spoof']),
  attack_type: AttackTypeSchema,
  source_repo: z.string().optional(),
});
export type ManifestRow = z.infer<typeof ManifestRowSchema>;

/** Parses MANIFEST.tsv (header line first; extra columns ignored). Throws naming the bad line. */
export function parseManifest(text: string): ManifestRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines
    .shift()
    ?.split('\t')
    .map((h) => h.trim());
  if (!header) throw new Error('MANIFEST.tsv is empty');
  for (const col of ['file', 'label', 'attack_type']) {
    if (!header.includes(col)) throw new Error(`MANIFEST.tsv has no "${col}" column`);
  }
  return lines.map((line, i) => {
    const cells = line.split('\t');
    const row = Object.fromEntries(header.map((h, j) => [h, cells[j]?.trim() ?? '']));
    const parsed = ManifestRowSchema.safeParse(row);
    if (!parsed.success)
      throw new Error(`MANIFEST.tsv line ${i + 2}: ${parsed.error.issues.map((x) => x.message).join('; ')}`);
    return parsed.data;
  });
}

/** One presentation's outcome at the shipped operating point, plus its score for the curves. */
export interface PresentationOutcome {
  label: 'live' | 'spoof';
  attackType: AttackType;
  accepted: boolean;
  noFace: boolean;
  /** Higher = more live; null when there was no face (then it is rejected at every point). */
  score: number | null;
}

const ratio = (n: number, d: number): number | null => (d === 0 ? null : round4(n / d));
export const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

export interface ErrorRates {
  live: number;
  spoof: number;
  apcer: number | null;
  bpcer: number | null;
  apcer_by_type: Record<'print' | 'screen' | 'mask', number | null>;
  no_face: number;
}

export function errorRates(outcomes: readonly PresentationOutcome[]): ErrorRates {
  const live = outcomes.filter((o) => o.label === 'live');
  const spoof = outcomes.filter((o) => o.label === 'spoof');
  const byType = (t: 'print' | 'screen' | 'mask') => {
    const of = spoof.filter((o) => o.attackType === t);
    return ratio(of.filter((o) => o.accepted).length, of.length);
  };
  return {
    live: live.length,
    spoof: spoof.length,
    apcer: ratio(spoof.filter((o) => o.accepted).length, spoof.length),
    bpcer: ratio(live.filter((o) => !o.accepted).length, live.length),
    apcer_by_type: { print: byType('print'), screen: byType('screen'), mask: byType('mask') },
    no_face: outcomes.filter((o) => o.noFace).length,
  };
}

/**
 * From the score distribution: the lowest BPCER with APCER ≤ `apcer`, and the lowest APCER with
 * BPCER ≤ `bpcer`, over every threshold "accept when score ≥ t". No-face presentations are
 * rejected at every threshold.
 */
export function ratesAtFixedError(
  outcomes: readonly PresentationOutcome[],
  apcer = 0.05,
  bpcer = 0.05,
): { bpcerAtApcer: number | null; apcerAtBpcer: number | null } {
  const live = outcomes.filter((o) => o.label === 'live');
  const spoof = outcomes.filter((o) => o.label === 'spoof');
  if (live.length === 0 || spoof.length === 0) return { bpcerAtApcer: null, apcerAtBpcer: null };
  const scores = [...new Set(outcomes.flatMap((o) => (o.score === null ? [] : [o.score])))].sort(
    (a, b) => a - b,
  );
  const thresholds = [...scores, Infinity];
  let bestB = 1;
  let bestA = 1;
  for (const t of thresholds) {
    const a = spoof.filter((o) => o.score !== null && o.score >= t).length / spoof.length;
    const b = live.filter((o) => o.score === null || o.score < t).length / live.length;
    if (a <= apcer + 1e-12) bestB = Math.min(bestB, b);
    if (b <= bpcer + 1e-12) bestA = Math.min(bestA, a);
  }
  return { bpcerAtApcer: round4(bestB), apcerAtBpcer: round4(bestA) };
}
