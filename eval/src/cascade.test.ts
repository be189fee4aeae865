import { describe, expect, it } from 'vitest';
import {
  bestCosine,
  cascadeAccepts,
  cascadeFigures,
  chooseCascadePoint,
  fuse,
  splitFused,
  steps,
  unit,
  type CascadeProbe,
} from './cascade.js';

const probe = (over: Partial<CascadeProbe>): CascadeProbe => ({
  kind: 'known',
  identity: 'ann',
  faceFound: true,
  candidate: 'ann',
  score: 0.5,
  margin: 0.1,
  verifierScore: 0.7,
  ...over,
});

describe('cascadeAccepts', () => {
  const at = { threshold: 0.45, minMargin: 0.05 };

  it('accepts only when the primary proposes and the verifier agrees', () => {
    expect(cascadeAccepts(probe({}), at, 0.6)).toBe(true);
    expect(cascadeAccepts(probe({ verifierScore: 0.59 }), at, 0.6)).toBe(false);
    expect(cascadeAccepts(probe({ score: 0.44 }), at, 0.6)).toBe(false);
    expect(cascadeAccepts(probe({ margin: 0.04 }), at, 0.6)).toBe(false);
    expect(cascadeAccepts(probe({ faceFound: false }), at, 0.6)).toBe(false);
    expect(cascadeAccepts(probe({ verifierScore: -Infinity }), at, 0)).toBe(false);
  });

  it('is the primary alone without a verifier threshold', () => {
    expect(cascadeAccepts(probe({ verifierScore: -Infinity }), at, null)).toBe(true);
  });
});

describe('the grey-zone variant', () => {
  const at = { threshold: 0.4, minMargin: 0.05 };
  const sure = { threshold: 0.47, minMargin: 0.1 };

  it('lets a face the sure point accepts stand without the verifier', () => {
    expect(cascadeAccepts(probe({ score: 0.5, margin: 0.2, verifierScore: 0.1 }), at, 0.6, sure)).toBe(true);
    expect(cascadeAccepts(probe({ score: 0.5, margin: 0.2, verifierScore: 0.1 }), at, 0.6)).toBe(false);
  });

  it('asks the verifier only about the looser point’s extra proposals', () => {
    expect(cascadeAccepts(probe({ score: 0.45, verifierScore: 0.1 }), at, 0.6, sure)).toBe(false);
    expect(cascadeAccepts(probe({ score: 0.45, verifierScore: 0.7 }), at, 0.6, sure)).toBe(true);
    const probes = [
      probe({ score: 0.5, margin: 0.2, verifierScore: 0.1 }), // sure: no verifier
      probe({ score: 0.45, verifierScore: 0.7 }), // grey, verified
      probe({ kind: 'unknown', identity: 'zed', candidate: 'bob', score: 0.45, verifierScore: 0.3 }), // grey, vetoed
    ];
    expect(cascadeFigures(probes, at, 0.6, sure)).toMatchObject({
      trueAccepts: 2,
      falseAccepts: 0,
      proposed: 3,
      verifierRuns: 2,
      vetoed: { genuine: 0, wrongPerson: 0, stranger: 1 },
    });
  });
});

describe('cascadeFigures', () => {
  it('counts accepts, wrong people, strangers and what the verifier vetoed', () => {
    const probes = [
      probe({}), // genuine, verified
      probe({ verifierScore: 0.2 }), // genuine, vetoed
      probe({ candidate: 'bob', verifierScore: 0.65 }), // wrong person, accepted
      probe({ candidate: 'bob', verifierScore: 0.3 }), // wrong person, vetoed
      probe({ kind: 'unknown', identity: 'zed', candidate: 'bob', verifierScore: 0.3 }), // vetoed
      probe({ kind: 'unknown', identity: 'zed', candidate: 'bob', score: 0.2 }), // not proposed
    ];
    const f = cascadeFigures(probes, { threshold: 0.4, minMargin: 0 }, 0.6);
    expect(f).toMatchObject({
      known: 4,
      unknown: 2,
      trueAccepts: 1,
      misidentified: 1,
      falseAccepts: 0,
      proposed: 5,
      vetoed: { genuine: 1, wrongPerson: 1, stranger: 1 },
      tpir: 0.25,
      misid: 0.25,
      fpir: 0,
    });
    expect(cascadeFigures(probes, { threshold: 0.4, minMargin: 0 }, null)).toMatchObject({
      trueAccepts: 2,
      misidentified: 2,
      falseAccepts: 1,
    });
  });
});

describe('chooseCascadePoint', () => {
  // One size: a stranger the primary scores 0.5 (the verifier 0.3) and two students at 0.46 and
  // 0.55 (the verifier 0.8 and 0.5). Alone the primary must stay above 0.5 (one student); the
  // verifier lets it go to 0.46 while its threshold keeps the stranger out.
  const probes = [
    probe({ kind: 'unknown', identity: 'zed', candidate: 'bob', score: 0.5, verifierScore: 0.3 }),
    probe({ score: 0.46, verifierScore: 0.8 }),
    probe({ identity: 'cy', candidate: 'cy', score: 0.55, verifierScore: 0.5 }),
  ];
  const sized = [{ people: 10, probes }];
  const same = (p: { threshold: number; minMargin: number }) => p;
  const grid = {
    thresholds: steps(0.4, 0.6, 0.01),
    margins: [0, 0.05, 0.1],
    verifierThresholds: steps(0, 0.9, 0.1),
  };

  it('keeps the primary above every stranger when there is no verifier', () => {
    const c = chooseCascadePoint(sized, same, { ...grid, verifierThresholds: [null] }, { maxFpir: 0 });
    expect(c).toMatchObject({ threshold: 0.55, minMargin: 0.1, verifierThreshold: null, tpir: 0.5 });
  });

  it('lets the verifier hold the stranger at a looser primary point, ties to the stricter point', () => {
    const c = chooseCascadePoint(sized, same, grid, { maxFpir: 0 });
    // Both students need the primary at ≤ 0.46 and the verifier at ≤ 0.5; the stranger needs the
    // verifier above 0.3. Ties: the highest primary threshold (0.46), margin (0.1), then verifier (0.5).
    expect(c).toMatchObject({ threshold: 0.46, minMargin: 0.1, verifierThreshold: 0.5, tpir: 1 });
  });

  it('judges every size at the point pointAt gives it and refuses a point failing at any size', () => {
    // At 1,000 people the primary's point is raised by 0.05: the 0.46 student is lost there.
    const big = { people: 1000, probes };
    const raise = (p: { threshold: number; minMargin: number }, people: number) => ({
      threshold: p.threshold + (people > 10 ? 0.05 : 0),
      minMargin: p.minMargin,
    });
    const c = chooseCascadePoint([...sized, big], raise, grid, { maxFpir: 0 });
    expect(c).toMatchObject({ threshold: 0.41, verifierThreshold: 0.5, tpir: 1 });
    // A wrong person at any size disqualifies the point.
    const wrong = probe({ candidate: 'bob', score: 0.9, margin: 0.3, verifierScore: 0.95 });
    expect(chooseCascadePoint([{ people: 5, probes: [wrong] }, big], same, grid)).toBeNull();
  });
});

describe('embeddings', () => {
  it('splits a fused embedding back into each model’s unit vector', () => {
    const a = unit([3, 4]);
    const b = unit([1, 2, 2]);
    const [a2, b2] = splitFused(fuse([a, b]), [2, 3]);
    expect(Array.from(a2!)).toEqual(Array.from(a).map((x) => expect.closeTo(x, 6)));
    expect(Array.from(b2!)).toEqual(Array.from(b).map((x) => expect.closeTo(x, 6)));
    expect(() => splitFused(fuse([a, b]), [2, 2])).toThrow(RangeError);
  });

  it('fuses so that the fused cosine is the mean of the models’ cosines', () => {
    const a1 = unit([1, 0]);
    const a2 = unit([1, 1]);
    const b1 = unit([0, 1, 0]);
    const b2 = unit([0, 1, 1]);
    const fused = bestCosine(fuse([a1, b1]), [fuse([a2, b2])]);
    expect(fused).toBeCloseTo((bestCosine(a1, [a2]) + bestCosine(b1, [b2])) / 2, 6);
  });

  it('takes the best template and vetoes a face or person without one', () => {
    const face = unit([1, 0]);
    expect(bestCosine(face, [unit([0, 1]), unit([1, 1])])).toBeCloseTo(Math.SQRT1_2, 6);
    expect(bestCosine(face, [])).toBe(-Infinity);
    expect(bestCosine(null, [face])).toBe(-Infinity);
  });
});
