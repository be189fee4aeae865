import { describe, expect, it } from 'vitest';
import {
  chooseOperatingPoint,
  chooseSchoolPoint,
  cosine,
  doorTemplateCounts,
  evaluateOperatingPoint,
  identificationMetrics,
  pairScores,
  percentile,
  splitDataset,
  tarAtFar,
  thresholdAtFar,
  type ProbeOutcome,
  type ScoredProbe,
} from './eval-protocol.js';

describe('splitDataset', () => {
  it('sorts, skips _folders, alternates enrolled/unknown and takes K templates', () => {
    const split = splitDataset(
      [
        { identity: 'carol', files: ['2.jpg', '1.jpg'] },
        { identity: '_scenes', files: ['a.jpg'] },
        { identity: 'bob', files: ['b.jpg', 'a.jpg'] },
        { identity: 'alice', files: ['03.jpg', '01.jpg', '02.jpg', '04.png'] },
      ],
      2,
    );
    expect(split.enrolled).toEqual([
      { identity: 'alice', templates: ['01.jpg', '02.jpg'], probes: ['03.jpg', '04.png'] },
      { identity: 'carol', templates: ['1.jpg', '2.jpg'], probes: [] },
    ]);
    expect(split.unknown).toEqual([{ identity: 'bob', probes: ['a.jpg', 'b.jpg'] }]);
  });

  it('honours K and sorts by code unit, not locale', () => {
    const split = splitDataset([{ identity: 'a', files: ['b.jpg', 'B.jpg', '10.jpg', '9.jpg'] }], 1);
    expect(split.enrolled[0]).toEqual({
      identity: 'a',
      templates: ['10.jpg'],
      probes: ['9.jpg', 'B.jpg', 'b.jpg'],
    });
    expect(() => splitDataset([], 0)).toThrow();
  });
});

describe('identificationMetrics', () => {
  const known = (
    identity: string,
    best: string | null,
    accepted: boolean,
    faceFound = true,
  ): ProbeOutcome => ({
    kind: 'known',
    identity,
    faceFound,
    bestIdentity: best,
    bestScore: 0.9,
    accepted,
  });
  const unknown = (accepted: boolean, faceFound = true): ProbeOutcome => ({
    kind: 'unknown',
    identity: 'zed',
    faceFound,
    bestIdentity: 'a',
    bestScore: 0.5,
    accepted,
  });

  it('counts rank1, tpir, misid and fpir over all probes, no-face probes included', () => {
    const m = identificationMetrics([
      known('a', 'a', true), // true accept
      known('a', 'a', false), // right but rejected: rank1 yes, tpir no
      known('b', 'a', true), // misidentified
      known('b', 'a', false), // wrong and rejected
      known('b', null, false, false), // no face: a miss
      unknown(true),
      unknown(false),
      unknown(false, false), // no face: correct rejection
      unknown(false),
    ]);
    expect(m.counts).toMatchObject({
      known_probes: 5,
      unknown_probes: 4,
      rank1_correct: 2,
      true_accepts: 1,
      misidentified: 1,
      false_accepts: 1,
      known_no_face: 1,
      unknown_no_face: 1,
    });
    expect(m.rank1).toBeCloseTo(2 / 5);
    expect(m.tpir).toBeCloseTo(1 / 5);
    expect(m.misid).toBeCloseTo(1 / 5);
    expect(m.fpir).toBeCloseTo(1 / 4);
  });

  it('is all zeros without probes (no division by zero)', () => {
    expect(identificationMetrics([])).toMatchObject({ rank1: 0, tpir: 0, misid: 0, fpir: 0 });
  });
});

describe('verification at a fixed FAR', () => {
  it('threshold lets through at most far × impostors', () => {
    const impostor = Array.from({ length: 1000 }, (_, i) => i / 1000); // 0.000 .. 0.999
    const t = thresholdAtFar(impostor, 1e-2);
    expect(impostor.filter((s) => s >= t).length).toBe(10);
    expect(impostor.filter((s) => s >= thresholdAtFar(impostor, 1e-3)).length).toBe(1);
  });

  it('tar is the genuine share at or above that threshold', () => {
    const impostor = Array.from({ length: 100 }, (_, i) => i / 100); // top impostor 0.99
    expect(tarAtFar([0.995, 0.999, 0.5, 0.2], impostor, 1e-2)).toBeCloseTo(0.5);
    expect(tarAtFar([], impostor, 1e-2)).toBe(0);
  });

  it('pairScores splits genuine and impostor pairs', () => {
    const e = (x: number, y: number): Float32Array => Float32Array.from([x, y]);
    const { genuine, impostor } = pairScores(
      [
        { identity: 'a', embedding: e(1, 0) },
        { identity: 'a', embedding: e(1, 0) },
        { identity: 'b', embedding: e(0, 1) },
      ],
      cosine,
    );
    expect(genuine).toEqual([1]);
    expect(impostor).toEqual([0, 0]);
  });
});

describe('percentile', () => {
  it('uses nearest rank', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 95)).toBe(5);
    expect(percentile([], 50)).toBe(0);
  });
});

describe('chooseOperatingPoint', () => {
  const k = (score: number, margin: number, correct = true): ScoredProbe => ({
    kind: 'known',
    faceFound: true,
    correct,
    score,
    margin,
  });
  const u = (score: number, margin: number): ScoredProbe => ({
    kind: 'unknown',
    faceFound: true,
    correct: false,
    score,
    margin,
  });

  it('lets no stranger and no wrong person in, and keeps as many right people as it can', () => {
    const probes = [k(0.9, 0.3), k(0.7, 0.2), k(0.55, 0.25), k(0.8, 0.02, false), u(0.6, 0.01), u(0.5, 0.2)];
    const p = chooseOperatingPoint(probes, { maxFpir: 0 })!;
    expect(p.misidentified).toBe(0);
    expect(p.fpir).toBe(0);
    // All three right people (of four known probes) pass with margin in 0.03..0.2, threshold in 0.51..0.55.
    expect(p.tpir).toBe(0.75);
    expect(p.threshold).toBe(0.55); // highest threshold keeping tpir 1
    expect(p.minMargin).toBe(0.2); // then the highest margin
    expect(evaluateOperatingPoint(probes, p.threshold, p.minMargin)).toEqual(p);
  });

  it('returns null when nothing qualifies', () => {
    expect(chooseOperatingPoint([k(0.9, 0.5, false)], { maxFpir: 0 })).toBeNull();
  });
});

describe('chooseSchoolPoint', () => {
  const known = (score: number, margin: number, correct = true): ScoredProbe => ({
    kind: 'known',
    faceFound: true,
    correct,
    score,
    margin,
  });
  const stranger = (score: number, margin: number): ScoredProbe => ({
    kind: 'unknown',
    faceFound: true,
    correct: false,
    score,
    margin,
  });
  // The class point at 10 people, the school point as chosen at 1,000 (linear in between would be
  // the decision rule's; two sizes are enough here).
  const classPoint = { threshold: 0.43, minMargin: 0.16 };
  const pointAt = (school: { threshold: number; minMargin: number }, people: number) =>
    people <= 10 ? classPoint : school;
  // At 1,000 people genuine faces lead their second-best by less (0.12) and a stranger reaches
  // 0.46 with a lead of 0.14: a higher threshold with a smaller margin takes both right.
  const small = { people: 10, probes: [known(0.6, 0.3), known(0.55, 0.25), stranger(0.3, 0.05)] };
  const large = {
    people: 1000,
    probes: [known(0.6, 0.12), known(0.55, 0.2), stranger(0.46, 0.14), stranger(0.4, 0.02)],
  };

  it('trades margin for threshold at school scale and keeps every stranger out', () => {
    const chosen = chooseSchoolPoint([small, large], pointAt, { maxFpir: 0 });
    expect(chosen).toMatchObject({ galleryPeople: 1000, tpir: 1, fpir: 0 });
    // Highest threshold that still takes 0.55, highest margin that still takes the 0.12 lead.
    expect(chosen!.threshold).toBe(0.55);
    expect(chosen!.minMargin).toBe(0.12);
    expect(chosen!.sizes.map((s) => s.people)).toEqual([10, 1000]);
  });

  it('holds the budget at every size, not only the largest', () => {
    // A stranger the school point would accept only in the smaller school gallery.
    const mid = { people: 100, probes: [known(0.6, 0.3), stranger(0.7, 0.15)] };
    const chosen = chooseSchoolPoint([small, mid, large], pointAt, { maxFpir: 0 });
    expect(chosen!.minMargin).toBeGreaterThan(0.15);
    expect(chosen!.sizes.every((s) => s.fpir === 0 && s.misidentified === 0)).toBe(true);
  });

  it('never accepts a wrong person, and returns null when nothing qualifies', () => {
    const wrong = { people: 1000, probes: [known(0.9, 0.5, false)] };
    expect(chooseSchoolPoint([wrong], pointAt)).toBeNull();
    expect(chooseSchoolPoint([], pointAt)).toBeNull();
  });
});

describe('doorTemplateCounts', () => {
  const point = { threshold: 0.43, minMargin: 0.16 };
  const at = (
    kind: 'known' | 'unknown',
    identity: string,
    personId: string | null,
    score: number,
    margin: number,
    tier: 'class' | 'school' = 'class',
  ) => ({
    kind,
    identity,
    decision: { accepted: score >= 0.43 && margin >= 0.16, tier, personId, score, margin },
  });

  it('counts only class-tier acceptances that clear the point + step on similarity and margin', () => {
    const counts = doorTemplateCounts(
      [
        at('known', 'ann', 'ann', 0.8, 0.4), // right person, far above the bar
        at('known', 'bob', 'bob', 0.53, 0.26), // right person, exactly on the bar
        at('known', 'cat', 'cat', 0.52, 0.4), // similarity just below the bar
        at('known', 'dan', 'dan', 0.8, 0.25), // margin just below the bar
        at('known', 'eve', 'eve', 0.9, 0.5, 'school'), // school tier: never a door template
        at('known', 'fay', 'ann', 0.7, 0.3), // the wrong person over the bar
        at('known', 'gus', 'bob', 0.5, 0.2), // the wrong person, accepted but under the bar
        at('unknown', 'stranger1', 'ann', 0.6, 0.3), // a stranger over the bar
        at('unknown', 'stranger2', 'bob', 0.45, 0.17), // a stranger accepted, under the bar
        at('unknown', 'stranger3', null, 0, 0), // no face
      ],
      point,
    );
    expect(counts).toEqual({
      threshold: 0.53,
      min_margin: 0.26,
      right_person: 2,
      wrong_person: 1,
      strangers: 1,
    });
  });

  it('never counts a decision the rule did not accept, however high its scores', () => {
    const refused = {
      ...at('known', 'ann', 'ann', 0.9, 0.5),
      decision: { ...at('known', 'ann', 'ann', 0.9, 0.5).decision, accepted: false },
    };
    expect(doorTemplateCounts([refused], point)).toMatchObject({
      right_person: 0,
      wrong_person: 0,
      strangers: 0,
    });
  });
});
