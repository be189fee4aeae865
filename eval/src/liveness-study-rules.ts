// How the liveness study scripts judge, alike: attack images per type at a threshold, and a clip
// as the door decides it. One place, so the studies' figures stay comparable with each other.
import { round4 } from '../../src/ml/liveness/spoof-protocol.js';

/** Share of each attack type's images that score at or above `t` (the image APCER by type). */
export function apcerByType(
  spoof: readonly { type?: string; file: string }[],
  score: (file: string) => number,
  t: number,
): Record<string, number> {
  const byType: Record<string, number> = {};
  for (const type of ['print', 'screen', 'mask']) {
    const of = spoof.filter((r) => r.type === type);
    byType[type] = round4(of.filter((r) => score(r.file) >= t).length / of.length);
  }
  return byType;
}

/**
 * The door's rule as the studies model it: a clip is accepted at the first frame where the mean of
 * at least 2 scored frames reaches `t`; a frame without a face (null) adds nothing. Frames are
 * scored lazily, so nothing after the accepting frame is computed.
 */
export function clipAccepted(frameScores: Iterable<number | null>, t: number): boolean {
  let sum = 0;
  let n = 0;
  for (const s of frameScores) {
    if (s === null) continue;
    sum += s;
    n++;
    if (n >= 2 && sum / n >= t) return true;
  }
  return false;
}

export interface ClipTally {
  liveClips: number;
  liveRejected: number;
  attackClips: number;
  attackAccepted: number;
  /** The clips the door got wrong, in clip order. */
  wrong: { file: string; live: boolean }[];
}

/** Every clip judged by `clipAccepted`; `label` 'live' is a live clip, anything else an attack. */
export function tallyClips<C extends { label: string; file: string }>(
  clips: readonly C[],
  frameScores: (clip: C) => Iterable<number | null>,
  t: number,
): ClipTally {
  const tally: ClipTally = { liveClips: 0, liveRejected: 0, attackClips: 0, attackAccepted: 0, wrong: [] };
  for (const cl of clips) {
    const accepted = clipAccepted(frameScores(cl), t);
    const live = cl.label === 'live';
    if (live) tally.liveClips++;
    else tally.attackClips++;
    if (live && !accepted) tally.liveRejected++;
    if (!live && accepted) tally.attackAccepted++;
    if (live !== accepted) tally.wrong.push({ file: cl.file, live });
  }
  return tally;
}
