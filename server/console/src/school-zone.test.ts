import { describe, expect, it } from 'vitest';
import { dayRange, schoolZone } from './school-zone.js';

describe('school zone of school-wide pages', () => {
  it("is the sites' zone when they share one, else UTC", () => {
    expect(schoolZone([{ timezone: 'Europe/London' }, { timezone: 'Europe/London' }])).toBe('Europe/London');
    expect(schoolZone([{ timezone: 'Europe/London' }, { timezone: 'Asia/Kolkata' }])).toBe('UTC');
    expect(schoolZone([])).toBe('UTC');
  });

  it('turns local days into the instants that bound them (summer time included)', () => {
    // London is UTC+1 in July: the local day starts at 23:00 UTC the day before.
    expect(dayRange('2026-07-01', '2026-07-02', 'Europe/London')).toEqual({
      from: '2026-06-30T23:00:00.000Z',
      to: '2026-07-02T22:59:59.999Z',
    });
    expect(dayRange('', '2026-01-05', 'Asia/Kolkata')).toEqual({
      from: undefined,
      to: '2026-01-05T18:29:59.999Z',
    });
    expect(dayRange('2026-01-05', '', 'UTC')).toEqual({ from: '2026-01-05T00:00:00.000Z', to: undefined });
  });
});
