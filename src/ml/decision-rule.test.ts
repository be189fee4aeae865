import { describe, expect, it } from 'vitest';
import { CALIBRATION_GALLERY_PEOPLE, decideMatch, schoolPoint, type Ranking } from './decision-rule';

const point = { threshold: 0.43, minMargin: 0.16 };
const ranking = (personId: string, score: number, secondPersonId: string, secondScore: number): Ranking => ({
  personId,
  score,
  secondPersonId,
  secondScore,
  margin: score - Math.max(secondScore, 0),
});
const classOf = (ids: string[]) => (id: string) => ids.includes(id);

describe('decision rule', () => {
  it('a stranger close to two students is not accepted as either (margin over the whole gallery)', () => {
    const r = ranking('ada', 0.62, 'bob', 0.55);
    const d = decideMatch(r, { point, galleryPeople: 30, inClass: classOf(['ada', 'bob']) });
    expect(d).toMatchObject({ accepted: false, tier: 'class', personId: 'ada' });
  });

  it('the second-best person elsewhere in the school still counts against a class student', () => {
    const r = ranking('ada', 0.6, 'zed-from-another-class', 0.5);
    expect(decideMatch(r, { point, galleryPeople: 1400, inClass: classOf(['ada']) }).accepted).toBe(false);
  });

  it('a student of another class needs more evidence than a student of the class in session', () => {
    const r = ranking('cy', 0.46, 'bob', 0.1);
    const inClass = decideMatch(r, { point, galleryPeople: 1400, inClass: classOf(['cy']) });
    const elsewhere = decideMatch(r, { point, galleryPeople: 1400, inClass: classOf(['ada', 'bob']) });
    expect(inClass).toMatchObject({ accepted: true, tier: 'class', threshold: 0.43 });
    expect(elsewhere).toMatchObject({ accepted: false, tier: 'school' });
    expect(elsewhere.threshold).toBeGreaterThan(0.46);
    // With a clearly higher score the student of another class is accepted (then told so).
    expect(decideMatch(ranking('cy', 0.6, 'bob', 0.1), { point, galleryPeople: 1400, inClass: classOf(['ada']) }).accepted).toBe(true);
  });

  it('without a class in session everyone is judged at the school tier', () => {
    expect(decideMatch(ranking('ada', 0.46, 'bob', 0.1), { point, galleryPeople: 1400 })).toMatchObject({ accepted: false, tier: 'school' });
  });

  it('the school threshold grows with the gallery and never falls below the calibrated point', () => {
    expect(schoolPoint(point, 1).threshold).toBe(0.43);
    expect(schoolPoint(point, CALIBRATION_GALLERY_PEOPLE).threshold).toBe(0.43);
    const t400 = schoolPoint(point, 400).threshold;
    const t1400 = schoolPoint(point, 1400).threshold;
    const t20k = schoolPoint(point, 20_000).threshold;
    expect(t400).toBeGreaterThan(0.43);
    expect(t1400).toBeGreaterThan(t400);
    expect(t20k).toBeGreaterThan(t1400);
    expect(schoolPoint(point, 1400).minMargin).toBe(0.16);
  });

  it('an empty ranking is never accepted', () => {
    const r: Ranking = { personId: null, score: 0, secondPersonId: null, secondScore: 0, margin: 0 };
    expect(decideMatch(r, { point: { threshold: 0, minMargin: 0 }, galleryPeople: 0 }).accepted).toBe(false);
  });
});
