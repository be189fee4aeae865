import { describe, expect, it } from 'vitest';
import { cueFace, firstCueFaces } from './cue-dump.js';

const dumped = (fasnet: number) => ({
  presentation: { fasnet },
  antispoof: 0.5,
  cues: {
    lbpFace1: [0.25, 0.75],
    lbpFace2: [1],
    lbpCtx1: [0.04, -0.01],
    specFace: { highFreq: 1, midFreq: 2, peakiness: 3 },
    specCtx: { highFreq: 4, midFreq: 5, peakiness: 6 },
    embedding: [0.6, 0.8],
  },
});

describe('cue dump faces', () => {
  it('maps scores to logits and histograms through square roots; the embedding only on request', () => {
    const f = cueFace(dumped(0.5))!;
    expect(f.fasnet).toBeCloseTo(0);
    expect(f.antispoof).toBeCloseTo(0);
    expect(f.blocks.lbpFace1).toEqual([0.5, Math.sqrt(0.75)]);
    // A negative bin (rounding in the dump) is read as empty, not NaN.
    expect(f.blocks.lbpCtx1).toEqual([0.2, 0]);
    expect(f.blocks.spec).toEqual([1, 2, 3, 4, 5, 6]);
    expect(f.blocks.emb).toBeUndefined();
    expect(cueFace(dumped(0.5), { embedding: true })!.blocks.emb).toEqual([0.6, 0.8]);
  });

  it('skips items whose first frame has no face, or a face without cues', () => {
    const items = [
      { file: 'a', frames: [{ faces: [dumped(0.9)] }] },
      { file: 'b', frames: [{ faces: [] }] },
      { file: 'c', frames: [] },
      { file: 'd', frames: [{ faces: [{ presentation: { fasnet: 0.5 } }] }] },
    ];
    expect(firstCueFaces(items).map((r) => r.item.file)).toEqual(['a']);
  });
});
