import { describe, expect, it } from 'vitest';
import { dayRange, schoolZone, siteZoneHint, suggestedSiteZone } from './school-zone.js';

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

  it("suggests a new site the school's zone, not the laptop's", () => {
    const laptop = 'America/Los_Angeles';
    const site = (timezone: string) => ({ timezone });
    expect(suggestedSiteZone([site('Europe/London')], laptop)).toEqual({
      zone: 'Europe/London',
      from: 'sites',
    });
    // The zone most sites have; the first listed on a tie.
    expect(
      suggestedSiteZone([site('Asia/Kolkata'), site('Europe/London'), site('Europe/London')], laptop).zone,
    ).toBe('Europe/London');
    expect(suggestedSiteZone([site('Asia/Kolkata'), site('Europe/London')], laptop).zone).toBe(
      'Asia/Kolkata',
    );
    // UTC is the first site's zone until an admin sets one: not a choice of the school's.
    expect(suggestedSiteZone([site('UTC'), site('Pacific/Auckland')], laptop).zone).toBe('Pacific/Auckland');
    expect(suggestedSiteZone([site('UTC')], laptop)).toEqual({
      zone: laptop,
      from: 'computer, sites in UTC',
    });
    expect(suggestedSiteZone([], laptop)).toEqual({ zone: laptop, from: 'computer, no sites' });
  });

  it('says where the suggestion comes from, and never that UTC sites have no zone set', () => {
    const laptop = 'America/Los_Angeles';
    const hint = (zones: string[]) =>
      siteZoneHint(
        suggestedSiteZone(
          zones.map((timezone) => ({ timezone })),
          laptop,
        ),
      );
    expect(hint(['Europe/London', 'UTC'])).toBe('Suggested: the time zone your sites use.');
    // Every site in UTC may be on purpose: said as it is, and UTC stays one word away.
    expect(hint(['UTC', 'UTC'])).toBe(
      'Your sites use UTC; suggested: this computer’s time zone (America/Los_Angeles). Type UTC to keep UTC.',
    );
    expect(hint([])).toBe('Suggested: this computer’s time zone.');
  });
});
