// The faces of a `spoof-dump.ts --cues` dump as the liveness studies use them: FASNet's and
// Human's antispoof scores as logits, and the colour-texture / spectrum blocks (plus, on request,
// the recognition embedding). One reading of the dump format, so the studies fit the same features.
/* eslint-disable @typescript-eslint/no-explicit-any -- reads the dump's own JSON format */
import { logit } from '../../src/ml/liveness/features.js';

export interface CueFace {
  fasnet: number;
  antispoof: number;
  /** lbpFace1, lbpFace2, lbpCtx1 (Hellinger-mapped histograms), spec, and `emb` when asked for. */
  blocks: Record<string, number[]>;
}

/** A histogram under the Hellinger map (square roots), so a linear model compares it fairly. */
const hellinger = (h: number[]) => h.map((v) => Math.sqrt(Math.max(0, v)));

/** One dumped face, or null when the dump has no presentation scores or cues for it. */
export function cueFace(f: any, opts: { embedding?: boolean } = {}): CueFace | null {
  if (!f?.presentation || !f.cues) return null;
  const c = f.cues;
  return {
    fasnet: logit(f.presentation.fasnet),
    antispoof: logit(f.antispoof),
    blocks: {
      lbpFace1: hellinger(c.lbpFace1),
      lbpFace2: hellinger(c.lbpFace2),
      lbpCtx1: hellinger(c.lbpCtx1),
      spec: [c.specFace, c.specCtx].flatMap((s: any) => [s.highFreq, s.midFreq, s.peakiness]),
      ...(opts.embedding ? { emb: c.embedding } : {}),
    },
  };
}

/** Each dumped item's first face (its first frame's first face), skipping items without one. */
export function firstCueFaces(
  items: readonly any[],
  opts: { embedding?: boolean } = {},
): { f: CueFace; item: any }[] {
  return items.flatMap((item) => {
    const f = cueFace(item.frames?.[0]?.faces?.[0], opts);
    return f ? [{ f, item }] : [];
  });
}
