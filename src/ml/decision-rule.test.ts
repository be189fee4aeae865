import { describe, expect, it } from 'vitest';
import {
  decideMatch,
  galleryModel,
  schoolPoint,
  DEFAULT_TAIL_BETA,
  SHIPPED_SCHOOL_POINT,
  type Candidate,
  type GalleryModel,
} from './decision-rule.js';
import { Matcher } from './matcher.js';

const point = { threshold: 0.43, minMargin: 0.16 };
// A school point as the calibration chooses one: higher threshold, smaller margin, at 1,000 people.
const school = { threshold: 0.47, minMargin: 0.1, galleryPeople: 1000 };
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
    const r = ranking(['ada', 0.6], ['zed', 0.52], ['yan', 0.45], ['bob', 0.4]);
    const d = decideMatch(r, { point, galleryPeople: 1400, model, inClass: classOf(['ada', 'bob']) });
    expect(d).toMatchObject({
      accepted: true,
      tier: 'class',
      secondPersonId: 'bob',
      margin: expect.closeTo(0.2, 6),
    });
    // The same face with no class in session is judged against the whole school: lead 0.08 < 0.10.
    expect(decideMatch(r, { point, galleryPeople: 1400, model, school })).toMatchObject({
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
    const r = ranking(['cy', 0.46], ['bob', 0.1]);
    const ctx = { point, galleryPeople: 1400, model, school };
    const inClass = decideMatch(r, { ...ctx, inClass: classOf(['cy']) });
    const elsewhere = decideMatch(r, { ...ctx, inClass: classOf(['ada', 'bob']) });
    expect(inClass).toMatchObject({ accepted: true, tier: 'class', threshold: 0.43 });
    expect(elsewhere).toMatchObject({ accepted: false, tier: 'school' });
    expect(elsewhere.threshold).toBeGreaterThan(0.47);
    // With a clearly higher score the student of another class is accepted (and then told so).
    expect(
      decideMatch(ranking(['cy', 0.65], ['bob', 0.1]), { ...ctx, inClass: classOf(['ada']) }).accepted,
    ).toBe(true);
  });

  it('a stranger close to two people of a large gallery is not accepted at the school tier', () => {
    // 0.58 clears the school threshold, but leads the second person by only 0.07 < 0.10.
    const d = decideMatch(ranking(['ada', 0.58], ['zed', 0.51]), {
      point,
      galleryPeople: 1400,
      model,
      school,
    });
    expect(d).toMatchObject({ accepted: false, tier: 'school', personId: 'ada' });
    expect(d.minMargin).toBe(0.1);
  });

  it('at school scale a clear best with a smaller lead is accepted where the class margin refuses it', () => {
    // The second-best of a large gallery is an impostor's maximum: a genuine face leads it less.
    const r = ranking(['ada', 0.56], ['zed', 0.43]);
    expect(decideMatch(r, { point, galleryPeople: 1000, model, school })).toMatchObject({
      accepted: true,
      tier: 'school',
      threshold: 0.47,
      minMargin: 0.1,
    });
    // Without a school-scale point the calibrated one applies at any size: lead 0.13 < 0.16.
    expect(decideMatch(r, { point, galleryPeople: 1000, model, school: null }).accepted).toBe(false);
  });

  it('without a class in session everyone is judged at the school tier', () => {
    expect(
      decideMatch(ranking(['ada', 0.47], ['bob', 0.1]), { point, galleryPeople: 1400, model, school }),
    ).toMatchObject({ accepted: false, tier: 'school' });
  });

  it('the school point moves from the class point to the calibrated school point in ln(people)', () => {
    const at = (n: number) => schoolPoint(point, n, model, school);
    expect(at(7)).toEqual(point);
    expect(at(25)).toEqual(point); // a class-sized gallery: the point as calibrated
    expect(at(1000)).toEqual({ threshold: 0.47, minMargin: 0.1 });
    // Halfway in ln(people) between 25 and 1,000 people (≈ 158): halfway between the points.
    const mid = at(Math.round(25 * Math.sqrt(40)));
    expect(mid.threshold).toBeCloseTo(0.45, 3);
    expect(mid.minMargin).toBeCloseTo(0.13, 3);
    expect(at(400).threshold).toBeGreaterThan(at(100).threshold);
    expect(at(400).minMargin).toBeLessThan(at(100).minMargin);
  });

  it('beyond the calibrated school size the threshold rises by the tail scale per e-fold', () => {
    const at = (n: number, m: GalleryModel = model) => schoolPoint(point, n, m, school);
    expect(at(1000 * Math.E).threshold).toBeCloseTo(0.47 + model!.beta, 4);
    expect(at(20_000).threshold).toBeCloseTo(0.47 + model!.beta * Math.log(20), 4);
    expect(at(20_000).minMargin).toBe(0.1);
    // No fitted tail: the default scale.
    expect(at(1000 * Math.E, null).threshold).toBeCloseTo(0.47 + DEFAULT_TAIL_BETA, 4);
  });

  it('the school threshold is never below the class point, and no school point keeps the class point', () => {
    const strict = { threshold: 0.5, minMargin: 0.16 };
    expect(schoolPoint(strict, 400, model, school).threshold).toBe(0.5);
    expect(schoolPoint(point, 20_000, model, null)).toEqual(point);
  });

  it('the door uses the shipped school point unless told otherwise', () => {
    expect(SHIPPED_SCHOOL_POINT).not.toBeNull();
    const r = ranking(['ada', 0.45], ['bob', 0.1]);
    const ctx = { point, galleryPeople: 20_000, model };
    expect(decideMatch(r, ctx).threshold).toBe(
      schoolPoint(point, 20_000, model, SHIPPED_SCHOOL_POINT).threshold,
    );
    expect(decideMatch(r, ctx).accepted).toBe(false);
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
