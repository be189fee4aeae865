// The school calendar of a site (terms, closures, cancelled or moved sessions) and the
// schedules as the shared occurrence rules see them (src/contracts/occurrences.ts). Every
// calendar edit bumps the site's calendar version and logs the WHOLE calendar as one roster
// record (entity 'calendar', id = site id, feed 2), in the same transaction, so a kiosk gets
// it on its next pull and knows days off while offline.
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import {
  occurrenceOf,
  type SchoolCalendar,
  type ScheduleSpec,
  type SessionChange,
} from '../../../src/contracts/occurrences.js';
import { SiteClock, addDays, isRealDate } from '../../../src/contracts/site-time.js';
import type { RosterCalendar } from '../../../src/contracts/sync.js';
import type { ClosureTable, DB, SessionChangeTable, TermTable } from '../db/schema.js';
import { badRequest, notFound } from '../errors.js';
import { parseSessionId } from '../services/sessions.js';
import { writeAudit, type Actor } from './audit.js';
import { appendChanges } from './changes.js';
import { chunks, unique, type Executor } from './executor.js';
import { lockActiveClassOfSchedule } from './class-lock.js';
import { getRoom, getSite } from './rooms.js';

const toDateRange = (r: TermTable | ClosureTable) => ({
  id: r.id,
  name: r.name,
  startDate: r.start_date,
  endDate: r.end_date,
});

const toChange = (r: SessionChangeTable): SessionChange => ({
  scheduleId: r.schedule_id,
  date: r.date,
  kind: r.kind,
  toDate: r.to_date,
  startTime: r.start_time,
  endTime: r.end_time,
  roomId: r.room_id,
  reason: r.reason,
});

export async function loadCalendar(
  db: Executor,
  siteId: string,
): Promise<SchoolCalendar & { version: number }> {
  const [site, terms, closures, changes] = await Promise.all([
    db.selectFrom('sites').select('calendar_version').where('id', '=', siteId).executeTakeFirst(),
    db
      .selectFrom('terms')
      .selectAll()
      .where('site_id', '=', siteId)
      .orderBy('start_date')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('closures')
      .selectAll()
      .where('site_id', '=', siteId)
      .orderBy('start_date')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('session_changes')
      .selectAll()
      .where('site_id', '=', siteId)
      .orderBy('date')
      .orderBy('schedule_id')
      .execute(),
  ]);
  return {
    version: site?.calendar_version ?? 0,
    terms: terms.map(toDateRange),
    closures: closures.map(toDateRange),
    changes: changes.map(toChange),
  };
}

/** Bumps the version and logs the site's whole calendar for its kiosks (inside the edit's transaction). */
async function publishCalendar(trx: Transaction<DB>, siteId: string, now: string): Promise<RosterCalendar> {
  await trx
    .updateTable('sites')
    .set((eb) => ({ calendar_version: eb('calendar_version', '+', 1) }))
    .where('id', '=', siteId)
    .execute();
  const cal = await loadCalendar(trx, siteId);
  const record: RosterCalendar = {
    siteId,
    version: cal.version,
    terms: [...cal.terms],
    closures: [...cal.closures],
    changes: [...cal.changes],
  };
  await appendChanges(trx, [{ siteId, entity: 'calendar', entityId: siteId, data: record }], now);
  return record;
}

function assertDateRange(startDate: string, endDate: string): void {
  if (!isRealDate(startDate) || !isRealDate(endDate))
    throw badRequest('dates must be real calendar dates (YYYY-MM-DD)', 'bad_date');
  if (startDate > endDate)
    throw badRequest(`startDate (${startDate}) is after endDate (${endDate})`, 'bad_range', 'endDate');
}

/** Terms and closures are the same record (a named date range of a site) in two tables. */
const DATE_RANGE_KINDS = {
  terms: { entity: 'term', action: 'term.create' },
  closures: { entity: 'closure', action: 'closure.create' },
} as const;

async function addDateRange(
  db: Kysely<DB>,
  table: keyof typeof DATE_RANGE_KINDS,
  siteId: string,
  input: { name: string; startDate: string; endDate: string },
  actor: Actor,
  now: string,
) {
  assertDateRange(input.startDate, input.endDate);
  const { entity, action } = DATE_RANGE_KINDS[table];
  return db.transaction().execute(async (trx) => {
    await getSite(trx, siteId);
    const row: TermTable | ClosureTable = {
      id: randomUUID(),
      site_id: siteId,
      name: input.name,
      start_date: input.startDate,
      end_date: input.endDate,
      created_at: now,
    };
    await trx.insertInto(table).values(row).execute();
    await publishCalendar(trx, siteId, now);
    await writeAudit(trx, { actor, action, entity, entityId: row.id, detail: toDateRange(row) }, now);
    return toDateRange(row);
  });
}

export const addTerm = (
  db: Kysely<DB>,
  siteId: string,
  input: { name: string; startDate: string; endDate: string },
  actor: Actor,
  now: string,
) => addDateRange(db, 'terms', siteId, input, actor, now);

export const addClosure = (
  db: Kysely<DB>,
  siteId: string,
  input: { name: string; startDate: string; endDate: string },
  actor: Actor,
  now: string,
) => addDateRange(db, 'closures', siteId, input, actor, now);

export async function deleteCalendarEntry(
  db: Kysely<DB>,
  table: 'terms' | 'closures',
  id: string,
  actor: Actor,
  now: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`${table === 'terms' ? 'term' : 'closure'} ${id}`);
    await trx.deleteFrom(table).where('id', '=', id).execute();
    await publishCalendar(trx, row.site_id, now);
    await writeAudit(
      trx,
      {
        actor,
        action: `${table === 'terms' ? 'term' : 'closure'}.delete`,
        // The entity its `.create` row names (this wrote the table's name, `terms`, before).
        entity: DATE_RANGE_KINDS[table].entity,
        entityId: id,
        detail: row,
      },
      now,
    );
  });
}

/** Schedules as the occurrence rules see them: every version, the class's arrival window. */
export async function scheduleSpecs(
  db: Executor,
  filter: { siteId?: string; classIds?: readonly string[]; scheduleIds?: readonly string[] },
): Promise<(ScheduleSpec & { siteId: string; teacherId: string | null })[]> {
  let q = db
    .selectFrom('schedules')
    .innerJoin('classes', 'classes.id', 'schedules.class_id')
    .select([
      'schedules.id',
      'schedules.class_id',
      'schedules.created_at',
      'classes.site_id',
      'classes.teacher_id',
      'classes.arrival_minutes',
    ]);
  if (filter.siteId !== undefined) q = q.where('classes.site_id', '=', filter.siteId);
  if (filter.classIds !== undefined) {
    if (filter.classIds.length === 0) return [];
    q = q.where('schedules.class_id', 'in', unique(filter.classIds));
  }
  if (filter.scheduleIds !== undefined) {
    if (filter.scheduleIds.length === 0) return [];
    q = q.where('schedules.id', 'in', unique(filter.scheduleIds));
  }
  const schedules = await q.orderBy('schedules.id').execute();
  const versions = new Map<string, ScheduleSpec['versions'][number][]>();
  for (const chunk of chunks(
    schedules.map((s) => s.id),
    500,
  )) {
    const rows = (
      await db.selectFrom('schedule_versions').selectAll().where('schedule_id', 'in', chunk).execute()
    ).sort((a, b) => (a.valid_from ?? '').localeCompare(b.valid_from ?? '') || a.id.localeCompare(b.id));
    for (const v of rows) {
      const list = versions.get(v.schedule_id) ?? [];
      list.push({
        validFrom: v.valid_from,
        validUntil: v.valid_until,
        roomId: v.room_id,
        weekday: v.weekday,
        date: v.date,
        startTime: v.start_time,
        endTime: v.end_time,
        graceMinutes: v.grace_minutes,
      });
      versions.set(v.schedule_id, list);
    }
  }
  return schedules.map((s) => ({
    id: s.id,
    classId: s.class_id,
    createdAt: s.created_at,
    arrivalMinutes: s.arrival_minutes,
    siteId: s.site_id,
    teacherId: s.teacher_id,
    versions: versions.get(s.id) ?? [],
  }));
}

/** The site, its clock and calendar, and the schedule a session id names (404 when it names none). */
async function sessionContext(db: Executor, sessionId: string) {
  const parsed = parseSessionId(sessionId);
  if (!parsed) throw notFound(`session ${sessionId}`);
  const [spec] = await scheduleSpecs(db, { scheduleIds: [parsed.scheduleId] });
  if (!spec) throw notFound(`session ${sessionId}`);
  const site = await getSite(db, spec.siteId);
  return {
    parsed,
    spec,
    site,
    clock: new SiteClock(site.timezone),
    calendar: await loadCalendar(db, site.id),
  };
}

/**
 * Takes the lock of the session's class (`lockActiveClass`: 409 `class_archived` once archived)
 * before a cancellation, move or restore reads anything; 404 for a session of no schedule.
 */
async function lockClassOfSession(trx: Executor, sessionId: string) {
  const parsed = parseSessionId(sessionId);
  if (!parsed || !(await lockActiveClassOfSchedule(trx, parsed.scheduleId)))
    throw notFound(`session ${sessionId}`);
  return parsed;
}

/** The session a session id names at its date, cancelled or not; 404 when it never existed (day off, wrong weekday). */
export async function resolveOccurrence(db: Executor, sessionId: string) {
  const ctx = await sessionContext(db, sessionId);
  const occurrence = occurrenceOf(ctx.spec, ctx.calendar, ctx.parsed.date, ctx.clock);
  if (!occurrence) throw notFound(`session ${sessionId}`);
  return { ...ctx, occurrence };
}

/**
 * Cancels one session, or moves it (new date, times or room). Marks already taken stay in the
 * audit trail: a cancelled session keeps its events and its report says cancelled.
 */
export async function changeSession(
  db: Kysely<DB>,
  sessionId: string,
  change: {
    kind: 'cancelled' | 'moved';
    toDate?: string | null;
    startTime?: string | null;
    endTime?: string | null;
    roomId?: string | null;
    reason?: string | null;
  },
  actor: Actor,
  now: string,
) {
  if (change.kind === 'moved' && !change.toDate && !change.startTime && !change.endTime && !change.roomId) {
    throw badRequest(
      'a move needs at least one of toDate, startTime, endTime, roomId',
      'empty_move',
      'toDate',
    );
  }
  if (change.toDate && !isRealDate(change.toDate))
    throw badRequest('toDate is not a calendar date', 'bad_date', 'toDate');
  return db.transaction().execute(async (trx) => {
    // The class first: an archived class's sessions, past or future, are history as they stood.
    await lockClassOfSession(trx, sessionId);
    // The session as it stands without any earlier change: a change replaces the previous one.
    const ctx = await sessionContext(trx, sessionId);
    const withoutChange = {
      ...ctx.calendar,
      changes: ctx.calendar.changes.filter(
        (c) => !(c.scheduleId === ctx.spec.id && c.date === ctx.parsed.date),
      ),
    };
    if (!occurrenceOf(ctx.spec, withoutChange, ctx.parsed.date, ctx.clock))
      throw notFound(`session ${sessionId}`);
    if (change.roomId) {
      const room = await getRoom(trx, change.roomId);
      if (room.site_id !== ctx.site.id)
        throw badRequest('the room is at another site', 'site_mismatch', 'roomId');
    }
    const row: SessionChangeTable = {
      id: randomUUID(),
      site_id: ctx.site.id,
      schedule_id: ctx.spec.id,
      date: ctx.parsed.date,
      kind: change.kind,
      to_date: change.kind === 'moved' ? (change.toDate ?? null) : null,
      start_time: change.kind === 'moved' ? (change.startTime ?? null) : null,
      end_time: change.kind === 'moved' ? (change.endTime ?? null) : null,
      room_id: change.kind === 'moved' ? (change.roomId ?? null) : null,
      reason: change.reason ?? null,
      created_at: now,
    };
    await trx
      .deleteFrom('session_changes')
      .where('schedule_id', '=', row.schedule_id)
      .where('date', '=', row.date)
      .execute();
    await trx.insertInto('session_changes').values(row).execute();
    if (
      change.kind === 'moved' &&
      !occurrenceOf(
        ctx.spec,
        { ...withoutChange, changes: [...withoutChange.changes, toChange(row)] },
        ctx.parsed.date,
        ctx.clock,
      )
    ) {
      throw badRequest('the session cannot move to a day off (holiday or outside term)', 'day_off', 'toDate');
    }
    await publishCalendar(trx, ctx.site.id, now);
    await writeAudit(
      trx,
      {
        actor,
        action: `session.${change.kind === 'cancelled' ? 'cancel' : 'move'}`,
        entity: 'session',
        entityId: sessionId,
        detail: toChange(row),
      },
      now,
    );
    return { sessionId, ...toChange(row) };
  });
}

/** Undoes a cancellation or move: the session is held as its schedule says. */
export async function restoreSession(
  db: Kysely<DB>,
  sessionId: string,
  actor: Actor,
  now: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const parsed = await lockClassOfSession(trx, sessionId);
    const row = await trx
      .selectFrom('session_changes')
      .selectAll()
      .where('schedule_id', '=', parsed.scheduleId)
      .where('date', '=', parsed.date)
      .executeTakeFirst();
    if (!row) throw notFound(`a cancellation or move of session ${sessionId}`);
    await trx.deleteFrom('session_changes').where('id', '=', row.id).execute();
    await publishCalendar(trx, row.site_id, now);
    await writeAudit(
      trx,
      { actor, action: 'session.restore', entity: 'session', entityId: sessionId, detail: toChange(row) },
      now,
    );
  });
}

/**
 * The first local date an edit may still change for these schedules: today, unless one of
 * their sessions today has already started (then tomorrow). Earlier dates are history.
 */
export function firstEditableDate(
  specs: readonly ScheduleSpec[],
  calendar: SchoolCalendar,
  clock: SiteClock,
  now: Date,
): string {
  const today = clock.wallClockAt(now).date;
  const nowIso = now.toISOString();
  const startedToday = specs.some((s) => {
    const o = occurrenceOf(s, calendar, today, clock);
    return o !== null && o.startsAt <= nowIso;
  });
  return startedToday ? addDays(today, 1) : today;
}
