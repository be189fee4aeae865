import { describe, expect, it } from 'vitest';
import {
  decideMatch,
  galleryModel,
  schoolPoint,
  SCHOOL_MAX_FPIR,
  type Candidate,
  type GalleryModel,
} from './decision-rule';
import { Matcher } from './matcher';

const point = { threshold: 0.43, minMargin: 0.16 };
// A heavy impostor tail (heavier than the shipped embedder's), so the school tier visibly rises.
const model: GalleryModel = { u: 0.3, pU: 0.01, beta: 0.05, samples: 100_000 };
const ranking = (...pairs: [string, number][]): Candidate[] =>
  pairs.map(([personId, score]) => ({ personId, score }));
const classOf = (ids: string[]) => (id: string) => ids.includes(id);

describe('decision rule', () => {
  it('a stranger close to two students is not accepted as either (margin over the whole gallery)', () => {
    const d = decideMatch(ranking(['ada', 0.62], ['bob', 0.55]), {
      point,
      galleryPeople: 30,
      model,
      inClass: classOf(['ada', 'bob']),
    });
    expect(d).toMatchObject({ accepted: false, tier: 'class', personId: 'ada' });
  });

  it('a class student only has to lead the rest of the school; the margin is over the class', () => {
    // ada (class) 0.60, then two people from elsewhere, then bob (class) 0.40.
    const r = ranking(['ada', 0.6], ['zed', 0.5], ['yan', 0.45], ['bob', 0.4]);
    const d = decideMatch(r, { point, galleryPeople: 1400, model, inClass: classOf(['ada', 'bob']) });
    expect(d).toMatchObject({
      accepted: true,
      tier: 'class',
      secondPersonId: 'bob',
      margin: expect.closeTo(0.2, 6),
    });
    // The same face with no class in session is judged against the whole school: lead 0.10 < 0.16.
    expect(decideMatch(r, { point, galleryPeople: 1400, model })).toMatchObject({
      accepted: false,
      tier: 'school',
    });
  });

  it('a classmate beyond the listed candidates is bounded by the last listed score (the safe side)', () => {
    // Full list of k = 3 people from elsewhere below ada: an unlisted classmate scores ≤ 0.5.
    const r = ranking(['ada', 0.62], ['zed', 0.55], ['yan', 0.5]);
    const d = decideMatch(r, { point, galleryPeople: 1400, model, inClass: classOf(['ada', 'bob']), k: 3 });
    expect(d.margin).toBeCloseTo(0.12, 6);
    expect(d.accepted).toBe(false);
  });

  it('a student of another class needs more evidence than a student of the class in session', () => {
    const r = ranking(['cy', 0.5], ['bob', 0.1]);
    const inClass = decideMatch(r, { point, galleryPeople: 1400, model, inClass: classOf(['cy']) });
    const elsewhere = decideMatch(r, { point, galleryPeople: 1400, model, inClass: classOf(['ada', 'bob']) });
    expect(inClass).toMatchObject({ accepted: true, tier: 'class', threshold: 0.43 });
    expect(elsewhere).toMatchObject({ accepted: false, tier: 'school' });
    expect(elsewhere.threshold).toBeGreaterThan(0.5);
    // With a clearly higher score the student of another class is accepted (and then told so).
    expect(
      decideMatch(ranking(['cy', 0.65], ['bob', 0.1]), {
        point,
        galleryPeople: 1400,
        model,
        inClass: classOf(['ada']),
      }).accepted,
    ).toBe(true);
  });

  it('without a class in session everyone is judged at the school tier', () => {
    expect(
      decideMatch(ranking(['ada', 0.5], ['bob', 0.1]), { point, galleryPeople: 1400, model }),
    ).toMatchObject({ accepted: false, tier: 'school' });
  });

  it('the school threshold keeps the modelled stranger acceptance at the budget as the gallery grows', () => {
    const t = (n: number) => schoolPoint(point, n, model).threshold;
    expect(t(25)).toBe(0.43); // never below the calibrated point
    expect(t(1400)).toBeGreaterThan(t(400));
    expect(t(20_000)).toBeGreaterThan(t(1400));
    // At t(N) with the calibrated margin, N · P(one person ≥ t) · P(lead ≥ m) is the budget.
    const n = 20_000;
    const modelled =
      n * model!.pU * Math.exp(-(t(n) - model!.u) / model!.beta) * Math.exp(-point.minMargin / model!.beta);
    expect(modelled).toBeCloseTo(SCHOOL_MAX_FPIR, 4);
    expect(schoolPoint(point, 1400, model).minMargin).toBe(0.16);
    expect(schoolPoint(point, 1400, null)).toEqual(point);
  });

  it('an empty ranking is never accepted', () => {
    expect(
      decideMatch([], { point: { threshold: 0, minMargin: 0 }, galleryPeople: 0, model: null }).accepted,
    ).toBe(false);
  });
});

describe('gallery model', () => {
  // Deterministic pseudo-random unit vectors.
  let seed = 7;
  const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31 - 0.5;
  const vec = (dims: number) => Float32Array.from({ length: dims }, rand);

  it('fits the impostor tail of a large gallery from its own templates, and none for a small one', () => {
    const dims = 32;
    const templates = Array.from({ length: 600 }, (_, i) => ({ personId: `p${i}`, embedding: vec(dims) }));
    const big = new Matcher({ dims, threshold: 0.5, minMargin: 0 });
    for (const t of templates) big.add(t.personId, t.embedding);
    const fitted = galleryModel(big, templates);
    expect(fitted).not.toBeNull();
    // Random 32-d directions: cosines ~ N(0, 1/32); the top 0.1 % starts near 3.1 σ ≈ 0.55.
    expect(fitted!.u).toBeGreaterThan(0.4);
    expect(fitted!.u).toBeLessThan(0.7);
    expect(fitted!.beta).toBeGreaterThan(0);

    const small = new Matcher({ dims, threshold: 0.5, minMargin: 0 });
    for (const t of templates.slice(0, 30)) small.add(t.personId, t.embedding);
    expect(galleryModel(small, templates.slice(0, 30))).toBeNull();
  });
});
