// Turns the timetable into jobs (sessions by the shared rule of src/contracts/occurrences.ts, so
// never on a holiday, outside term or for a cancelled session). Each tick, on every instance, it looks at the sessions that
// ended (plus the delay) within the lookback window and at the teachers whose digest time
// has come, and inserts a job for each one not planned yet. The dedupe key makes this safe
// to run anywhere, any number of times: the second insert of the same key does nothing.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { occurrencesBetween } from '../../../src/contracts/occurrences.js';
import { SiteClock, localDateAt } from '../../../src/contracts/site-time.js';
import { loadCalendar, scheduleSpecs } from '../repositories/calendar.js';
import type { NotificationsConfig } from './config.js';
import { enqueueJobs, existingKeys, type NewJob } from './jobs.js';

export const sessionKey = (sessionId: string) => `session:${sessionId}`;
export const absenceKey = (sessionId: string, studentId: string) => `absence:${sessionId}:${studentId}`;
export const digestKey = (teacherId: string, siteId: string, date: string) =>
  `digest:${teacherId}:${siteId}:${date}`;

/** Each site with its clock, calendar and schedules (every version) for the shared occurrence rule. */
async function schedulesBySite(db: Kysely<DB>) {
  const [sites, specs] = await Promise.all([
    db.selectFrom('sites').select(['id', 'timezone']).execute(),
    scheduleSpecs(db, {}),
  ]);
  return Promise.all(
    sites.map(async (site) => ({
      site,
      calendar: await loadCalendar(db, site.id),
      clock: new SiteClock(site.timezone),
      schedules: specs.filter((s) => s.siteId === site.id),
    })),
  );
}

async function enqueueNew(db: Kysely<DB>, jobs: NewJob[], now: string): Promise<number> {
  if (jobs.length === 0) return 0;
  const known = await existingKeys(
    db,
    jobs.map((j) => j.dedupeKey),
  );
  return enqueueJobs(
    db,
    jobs.filter((j) => !known.has(j.dedupeKey)),
    now,
  );
}

/** One `session_closed` job per session that ended at least `delayMinutes` ago (within the lookback). */
export async function planClosedSessions(
  db: Kysely<DB>,
  now: Date,
  config: Pick<NotificationsConfig, 'delayMinutes' | 'lookbackHours'>,
): Promise<number> {
  const nowIso = now.toISOString();
  const dueBefore = new Date(now.getTime() - config.delayMinutes * 60_000).toISOString();
  const notBefore = new Date(now.getTime() - config.lookbackHours * 3_600_000);
  const jobs: NewJob[] = [];
  for (const { site, schedules, calendar, clock } of await schedulesBySite(db)) {
    const from = localDateAt(notBefore, site.timezone);
    const to = localDateAt(now, site.timezone);
    // Never a day off (holiday, outside term) nor a cancelled session: nobody is absent from those.
    for (const s of occurrencesBetween(schedules, calendar, from, to, clock)) {
      if (s.endsAt > dueBefore || s.endsAt < notBefore.toISOString()) continue;
      jobs.push({
        kind: 'session_closed',
        dedupeKey: sessionKey(s.sessionId),
        payload: { sessionId: s.sessionId },
        runAt: nowIso,
      });
    }
  }
  return enqueueNew(db, jobs, nowIso);
}

/** Once the site's local time passes `digestTime`, one digest per teacher with sessions that day. */
export async function planDigests(
  db: Kysely<DB>,
  now: Date,
  config: Pick<NotificationsConfig, 'digestTime'>,
): Promise<number> {
  if (config.digestTime === null) return 0;
  const nowIso = now.toISOString();
  const jobs: NewJob[] = [];
  for (const { site, schedules, calendar, clock } of await schedulesBySite(db)) {
    const local = clock.wallClockAt(now);
    if (local.time < config.digestTime) continue;
    const held = new Set(
      occurrencesBetween(schedules, calendar, local.date, local.date, clock).map((o) => o.scheduleId),
    );
    const teachers = new Set(
      schedules.filter((s) => s.teacherId !== null && held.has(s.id)).map((s) => s.teacherId as string),
    );
    for (const teacherId of teachers) {
      jobs.push({
        kind: 'teacher_digest',
        dedupeKey: digestKey(teacherId, site.id, local.date),
        payload: { teacherId, siteId: site.id, date: local.date },
        runAt: nowIso,
      });
    }
  }
  return enqueueNew(db, jobs, nowIso);
}
