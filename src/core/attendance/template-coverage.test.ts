import { describe, expect, it } from 'vitest';
import { coverageByStudent, coverageOf, summariseCoverage } from './template-coverage.js';

const NEW = 'faceplugin/v1';
const OLD = 'faceres-aligned+mobileface/v1';

describe('template coverage', () => {
  const counts = [
    { studentId: 'current', modelId: NEW, count: 3 },
    { studentId: 'upgraded', modelId: OLD, count: 2 },
    { studentId: 'upgraded', modelId: NEW, count: 1 },
    { studentId: 'stale', modelId: OLD, count: 3 },
    { studentId: 'gone', modelId: OLD, count: 1 },
  ];

  it('flags only students whose every template is of another model', () => {
    const c = coverageByStudent(counts, NEW);
    expect(coverageOf(c, 'current')).toEqual({ templates: 3, usableTemplates: 3, needsReEnrolment: false });
    expect(coverageOf(c, 'upgraded')).toEqual({ templates: 3, usableTemplates: 1, needsReEnrolment: false });
    expect(coverageOf(c, 'stale')).toEqual({ templates: 3, usableTemplates: 0, needsReEnrolment: true });
    // Never enrolled is "not enrolled", not "re-enrol".
    expect(coverageOf(c, 'never')).toEqual({ templates: 0, usableTemplates: 0, needsReEnrolment: false });
  });

  it('flags nobody while no engine runs: there is no model to compare with yet', () => {
    const c = coverageByStudent(counts, null);
    expect(coverageOf(c, 'stale')).toEqual({ templates: 3, usableTemplates: 0, needsReEnrolment: false });
    expect(coverageOf(c, 'current').usableTemplates).toBe(0);
  });

  it('compares model ids exactly (a version is a different model)', () => {
    const c = coverageByStudent([{ studentId: 's', modelId: 'faceplugin/v2', count: 1 }], NEW);
    expect(coverageOf(c, 's').needsReEnrolment).toBe(true);
  });

  it('totals over the roster only, ignoring templates of students no longer on it', () => {
    const c = coverageByStudent(counts, NEW);
    expect(summariseCoverage(c, ['current', 'upgraded', 'stale', 'never'], NEW)).toEqual({
      modelId: NEW,
      recognisable: 2,
      needReEnrolment: 1,
      students: 4,
    });
    expect(summariseCoverage(c, [], NEW)).toEqual({
      modelId: NEW,
      recognisable: 0,
      needReEnrolment: 0,
      students: 0,
    });
  });

  it('refuses a count that is not a non-negative integer', () => {
    expect(() => coverageByStudent([{ studentId: 's', modelId: NEW, count: -1 }], NEW)).toThrow(
      /s\/faceplugin\/v1 must be a non-negative integer/,
    );
    expect(() => coverageByStudent([{ studentId: 's', modelId: NEW, count: 1.5 }], NEW)).toThrow(RangeError);
  });
});
