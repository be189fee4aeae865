// Turns the calendar into jobs. Each tick, on every instance, it looks at the sessions that
// ended (plus the delay) within the lookback window and at the teachers whose digest time
// has come, and inserts a job for each one not planned yet. The dedupe key makes this safe
// to run anywhere, any number of times: the second insert of the same key does nothing.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { localDateAt, wallClockAt } from '../../../src/contracts/site-time.js';
import { sessionsOf } from '../reports/service.js';
import { meetsOn } from '../../../src/contracts/occurrences.js';
import type { NotificationsConfig } from './config.js';
import { enqueueJobs, existingKeys, type NewJob } from './jobs.js';

export const sessionKey = (sessionId: string) => `session:${sessionId}`;
export const absenceKey = (sessionId: string, studentId: string) => `absence:${sessionId}:${studentId}`;
export const digestKey = (teacherId: string, siteId: string, date: string) => `digest:${teacherId}:${siteId}:${date}`;

async function schedulesBySite(db: Kysely<DB>) {
  const [sites, schedules] = await Promise.all([
    db.selectFrom('sites').select(['id', 'timezone']).execute(),
    db
      .selectFrom('schedules')
      .innerJoin('classes', 'classes.id', 'schedules.class_id')
      .selectAll('schedules')
      .select(['classes.site_id', 'classes.teacher_id'])
      .execute(),
  ]);
  return sites.map((site) => ({ site, schedules: schedules.filter((s) => s.site_id === site.id) }));
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
export async function planClosedSessions(db: Kysely<DB>, now: Date, config: Pick<NotificationsConfig, 'delayMinutes' | 'lookbackHours'>): Promise<number> {
  const nowIso = now.toISOString();
  const dueBefore = new Date(now.getTime() - config.delayMinutes * 60_000).toISOString();
  const notBefore = new Date(now.getTime() - config.lookbackHours * 3_600_000);
  const jobs: NewJob[] = [];
  for (const { site, schedules } of await schedulesBySite(db)) {
    const from = localDateAt(notBefore, site.timezone);
    const to = localDateAt(now, site.timezone);
    for (const s of sessionsOf(schedules, from, to, site.timezone)) {
      if (s.endsAt > dueBefore || s.endsAt < notBefore.toISOString()) continue;
      jobs.push({ kind: 'session_closed', dedupeKey: sessionKey(s.sessionId), payload: { sessionId: s.sessionId }, runAt: nowIso });
    }
  }
  return enqueueNew(db, jobs, nowIso);
}

/** Once the site's local time passes `digestTime`, one digest per teacher with sessions that day. */
export async function planDigests(db: Kysely<DB>, now: Date, config: Pick<NotificationsConfig, 'digestTime'>): Promise<number> {
  if (config.digestTime === null) return 0;
  const nowIso = now.toISOString();
  const jobs: NewJob[] = [];
  for (const { site, schedules } of await schedulesBySite(db)) {
    const local = wallClockAt(now, site.timezone);
    if (local.time < config.digestTime) continue;
    const teachers = new Set(schedules.filter((s) => s.teacher_id !== null && meetsOn(s, local.date)).map((s) => s.teacher_id as string));
    for (const teacherId of teachers) {
      jobs.push({ kind: 'teacher_digest', dedupeKey: digestKey(teacherId, site.id, local.date), payload: { teacherId, siteId: site.id, date: local.date }, runAt: nowIso });
    }
  }
  return enqueueNew(db, jobs, nowIso);
}
