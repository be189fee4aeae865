// Which paired kiosks have been silent (no sync call of any kind) for too long during school
// hours. School hours come from the shared calendar rule (src/contracts/occurrences.ts): on a
// school day of the site, from the first session's arrival window to the last session's end,
// in the site's time zone. Nights, weekends, holidays, days outside term and days whose every
// session is cancelled have no school hours, so a kiosk switched off then is never flagged.
// Only silence inside today's school hours counts: a kiosk off since last evening is silent
// from the first arrival window of the morning, not from last evening.
import {
  DEFAULT_ARRIVAL_MINUTES,
  occurrencesBetween,
  type SchoolCalendar,
  type ScheduleSpec,
} from '../../../src/contracts/occurrences.js';
import { SiteClock } from '../../../src/contracts/site-time.js';
import { loadCalendar, scheduleSpecs } from '../repositories/calendar.js';
import type { Executor } from '../repositories/executor.js';

export interface SchoolHours {
  start: Date;
  end: Date;
}

/** The site's school hours on its local date at `now`, or null when no class meets that day. */
export function schoolHoursAt(
  specs: readonly ScheduleSpec[],
  calendar: SchoolCalendar,
  clock: SiteClock,
  now: Date,
  siteArrivalMinutes: number = DEFAULT_ARRIVAL_MINUTES,
): SchoolHours | null {
  const today = clock.wallClockAt(now).date;
  const held = occurrencesBetween(specs, calendar, today, today, clock);
  if (held.length === 0) return null;
  const arrival = (scheduleId: string) =>
    (specs.find((s) => s.id === scheduleId)?.arrivalMinutes ?? siteArrivalMinutes) * 60_000;
  const start = Math.min(...held.map((o) => Date.parse(o.startsAt) - arrival(o.scheduleId)));
  const end = Math.max(...held.map((o) => Date.parse(o.endsAt)));
  return { start: new Date(start), end: new Date(end) };
}

export interface Silence {
  /** From when the silence counts: the last contact, or the start of today's school hours if later. */
  since: string;
  minutes: number;
}

/** How long a kiosk last heard from at `lastSeenAt` has been silent in school hours, if past the threshold. */
export function silenceOf(
  lastSeenAt: string | null,
  hours: SchoolHours | null,
  now: Date,
  thresholdMinutes: number,
): Silence | null {
  if (hours === null || now < hours.start || now >= hours.end) return null;
  const seen = lastSeenAt === null ? 0 : Date.parse(lastSeenAt);
  const since = Math.max(seen, hours.start.getTime());
  const minutes = Math.floor((now.getTime() - since) / 60_000);
  return minutes >= thresholdMinutes ? { since: new Date(since).toISOString(), minutes } : null;
}

export interface SilentKiosk extends Silence {
  deviceId: string;
  siteId: string;
  roomId: string;
  name: string;
  lastSeenAt: string | null;
  /** The last_seen_at of the episode admins were already told about (null: none). */
  alertedFor: string | null;
}

/** Paired, not revoked kiosks silent in school hours for `thresholdMinutes` or more (optionally of one site). */
export async function findSilentKiosks(
  db: Executor,
  now: Date,
  thresholdMinutes: number,
  siteId?: string,
): Promise<SilentKiosk[]> {
  let q = db
    .selectFrom('devices')
    .select(['id', 'site_id', 'room_id', 'name', 'last_seen_at', 'silence_alerted_for'])
    .where('token_hash', 'is not', null)
    .where('revoked_at', 'is', null);
  if (siteId !== undefined) q = q.where('site_id', '=', siteId);
  const devices = await q.orderBy('id').execute();
  if (devices.length === 0) return [];
  const siteIds = [...new Set(devices.map((d) => d.site_id))];
  const hoursBySite = new Map<string, SchoolHours | null>();
  for (const id of siteIds) {
    const site = await db
      .selectFrom('sites')
      .select(['timezone', 'arrival_minutes'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!site) continue;
    const [specs, calendar] = await Promise.all([scheduleSpecs(db, { siteId: id }), loadCalendar(db, id)]);
    hoursBySite.set(
      id,
      schoolHoursAt(specs, calendar, new SiteClock(site.timezone), now, site.arrival_minutes),
    );
  }
  const silent: SilentKiosk[] = [];
  for (const d of devices) {
    const s = silenceOf(d.last_seen_at, hoursBySite.get(d.site_id) ?? null, now, thresholdMinutes);
    if (s)
      silent.push({
        ...s,
        deviceId: d.id,
        siteId: d.site_id,
        roomId: d.room_id,
        name: d.name,
        lastSeenAt: d.last_seen_at,
        alertedFor: d.silence_alerted_for,
      });
  }
  return silent;
}
