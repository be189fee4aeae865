// The zone for school-wide pages (the audit log), whose rows belong to no one site. A school
// whose sites share a zone (nearly all) sees its own wall clock; sites in different zones have
// no common local time, so those pages fall back to UTC and say so.
import { addDays, instantOf } from '../../../src/contracts/site-time.js';

export function schoolZone(sites: readonly { timezone: string }[]): string {
  const zones = new Set(sites.map((s) => s.timezone));
  return zones.size === 1 ? [...zones][0]! : 'UTC';
}

/**
 * The time zone a new site's form starts with: the one the school already uses (the zone most of
 * its sites have, the first listed on a tie), because a new building of the same school is nearly
 * always in it, and an admin setting up from a laptop on holiday or on another zone's settings
 * must not give the new site that laptop's clock. UTC is not taken as a choice of the school's:
 * the site every server starts with has it until an admin sets one. With nothing else to go on,
 * the browser's zone. Only a suggestion: the field stays editable. `from` says where it came
 * from, for the hint: the sites, or the computer because there are none or they all use UTC.
 */
export function suggestedSiteZone(
  sites: readonly { timezone: string }[],
  browserZone: string,
): { zone: string; from: 'sites' | 'computer, sites in UTC' | 'computer, no sites' } {
  const counts = new Map<string, number>();
  for (const s of sites) if (s.timezone !== 'UTC') counts.set(s.timezone, (counts.get(s.timezone) ?? 0) + 1);
  let best: string | null = null;
  for (const [zone, n] of counts) if (best === null || n > counts.get(best)!) best = zone;
  if (best !== null) return { zone: best, from: 'sites' };
  return {
    zone: browserZone,
    from: sites.length > 0 ? 'computer, sites in UTC' : 'computer, no sites',
  };
}

/**
 * The hint under the new site's zone: where the suggestion comes from, honestly. Sites that all
 * use UTC may use it on purpose, so the hint says they do and that UTC stays a choice.
 */
export function siteZoneHint(suggestion: ReturnType<typeof suggestedSiteZone>): string {
  switch (suggestion.from) {
    case 'sites':
      return 'Suggested: the time zone your sites use.';
    case 'computer, sites in UTC':
      return `Your sites use UTC; suggested: this computer’s time zone (${suggestion.zone}). Type UTC to keep UTC.`;
    case 'computer, no sites':
      return 'Suggested: this computer’s time zone.';
  }
}

/** The instants that bound the local days `from`..`to` (inclusive) in `zone`, for a server filter. */
export function dayRange(from: string, to: string, zone: string): { from?: string; to?: string } {
  return {
    from: from ? instantOf(from, '00:00', zone).toISOString() : undefined,
    to: to ? new Date(instantOf(addDays(to, 1), '00:00', zone).getTime() - 1).toISOString() : undefined,
  };
}
