import { describe, expect, it } from 'vitest';
import { dateIn, dateTimeIn, dayMonth, longDate, normaliseTime, siteDateOf, timeIn } from './format.js';

describe('the console’s one date and time format', () => {
  it('writes a day out, never as 07/12 that reads two ways', () => {
    expect(longDate('2026-12-07')).toBe('Mon 7 Dec 2026');
    expect(longDate('2026-07-12')).toBe('Sun 12 Jul 2026');
    // September is "Sep" whatever the browser's ICU says ("Sept" in newer en-GB data).
    expect(longDate('2026-09-01')).toBe('Tue 1 Sep 2026');
    expect(longDate('2028-02-29')).toBe('Tue 29 Feb 2028');
    expect(dayMonth('2026-12-07')).toBe('7 Dec');
  });

  it('gives nothing for no date or a day that does not exist, instead of "Invalid Date"', () => {
    expect(longDate('')).toBe('');
    expect(longDate(null)).toBe('');
    expect(longDate('2026-02-30')).toBe('');
    expect(longDate('7/12/2026')).toBe('');
    expect(dayMonth('nope')).toBe('');
  });

  it("shows an instant on the site's 24-hour clock and calendar, not the laptop's", () => {
    // 19:30 UTC on 6 Dec is 08:30 on Mon 7 Dec in Auckland (UTC+13 in summer) and 14:30 in New York.
    const iso = '2026-12-06T19:30:00.000Z';
    expect(timeIn(iso, 'Pacific/Auckland')).toBe('08:30');
    expect(timeIn(iso, 'America/New_York')).toBe('14:30');
    expect(dateIn(iso, 'Pacific/Auckland')).toBe('Mon 7 Dec 2026');
    expect(dateIn(iso, 'America/New_York')).toBe('Sun 6 Dec 2026');
    expect(siteDateOf(iso, 'Pacific/Auckland')).toBe('2026-12-07');
    expect(dateTimeIn(iso, 'Pacific/Auckland')).toBe('Mon 7 Dec 2026, 08:30');
    // An afternoon time stays on the 24-hour clock.
    expect(timeIn('2026-07-01T15:05:00Z', 'Europe/London')).toBe('16:05');
    expect(timeIn(null, 'UTC')).toBe('');
    expect(dateTimeIn(undefined, 'UTC')).toBe('');
  });

  it('tidies a typed time to HH:MM and leaves a wrong one for the form to refuse', () => {
    expect(normaliseTime('8:15')).toBe('08:15');
    expect(normaliseTime(' 0815 ')).toBe('08:15');
    expect(normaliseTime('815')).toBe('08:15');
    expect(normaliseTime('8.15')).toBe('08:15');
    expect(normaliseTime('8')).toBe('08:00');
    expect(normaliseTime('14:00')).toBe('14:00');
    expect(normaliseTime('25:00')).toBe('25:00');
    expect(normaliseTime('8:75')).toBe('8:75');
    expect(normaliseTime('2pm')).toBe('2pm');
    expect(normaliseTime('')).toBe('');
  });
});
