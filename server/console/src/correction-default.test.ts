import { describe, expect, it } from 'vitest';
import { defaultCorrection } from './correction-default.js';

describe('the status a correction starts on', () => {
  it('is Present for a student not seen yet or absent: the door missed them', () => {
    expect(defaultCorrection('unseen')).toBe('present');
    expect(defaultCorrection('absent')).toBe('present');
  });
  it('never keeps the row’s own status, and never starts on Absent or Excused for anyone', () => {
    for (const shown of ['present', 'late', 'absent', 'excused', 'unseen']) {
      const d = defaultCorrection(shown);
      expect(d).not.toBe(shown);
      expect(['absent', 'excused']).not.toContain(d);
    }
    expect(defaultCorrection('present')).toBe('late');
    expect(defaultCorrection('late')).toBe('present');
  });
});
