// The zone for school-wide pages (the audit log), whose rows belong to no one site. A school
// whose sites share a zone (nearly all) sees its own wall clock; sites in different zones have
// no common local time, so those pages fall back to UTC and say so.
import { addDays, instantOf } from '../../../src/contracts/site-time.js';

export function schoolZone(sites: readonly { timezone: string }[]): string {
  const zones = new Set(sites.map((s) => s.timezone));
  return zones.size === 1 ? [...zones][0]! : 'UTC';
}

/** The instants that bound the local days `from`..`to` (inclusive) in `zone`, for a server filter. */
export function dayRange(from: string, to: string, zone: string): { from?: string; to?: string } {
  return {
    from: from ? instantOf(from, '00:00', zone).toISOString() : undefined,
    to: to ? new Date(instantOf(addDays(to, 1), '00:00', zone).getTime() - 1).toISOString() : undefined,
  };
}
