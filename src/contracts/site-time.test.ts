import { describe, expect, it } from 'vitest';
import { addDays, datesBetween, instantOf, localDateAt, wallClockAt } from './site-time.js';

describe('local time at a site', () => {
  it('turns wall-clock times into instants across DST (Europe/Paris)', () => {
    expect(instantOf('2026-01-12', '08:30', 'Europe/Paris').toISOString()).toBe('2026-01-12T07:30:00.000Z');
    expect(instantOf('2026-07-13', '08:30', 'Europe/Paris').toISOString()).toBe('2026-07-13T06:30:00.000Z');
    // The morning after the spring change and after the autumn change.
    expect(instantOf('2026-03-29', '09:00', 'Europe/Paris').toISOString()).toBe('2026-03-29T07:00:00.000Z');
    expect(instantOf('2026-10-25', '09:00', 'Europe/Paris').toISOString()).toBe('2026-10-25T08:00:00.000Z');
    expect(instantOf('2026-09-07', '23:59', 'UTC').toISOString()).toBe('2026-09-07T23:59:00.000Z');
  });

  it('works west of UTC and gives the local date of an instant', () => {
    expect(instantOf('2026-09-07', '17:00', 'America/New_York').toISOString()).toBe(
      '2026-09-07T21:00:00.000Z',
    );
    expect(localDateAt(new Date('2026-09-08T02:00:00Z'), 'America/New_York')).toBe('2026-09-07');
    expect(localDateAt(new Date('2026-09-07T23:30:00Z'), 'Asia/Tokyo')).toBe('2026-09-08');
    expect(wallClockAt(new Date('2026-09-07T23:30:00Z'), 'Asia/Tokyo').time).toBe('08:30');
  });

  it('lists dates inclusively and moves dates by days', () => {
    expect(datesBetween('2026-02-27', '2026-03-02')).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    expect(datesBetween('2026-03-02', '2026-03-01')).toEqual([]);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});
