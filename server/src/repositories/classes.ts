import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { versionOn, type ScheduleVersion } from '../../../src/contracts/occurrences.js';
import { SiteClock, addDays } from '../../../src/contracts/site-time.js';
import type { ClassTable, DB, EnrolmentTable, ScheduleTable, ScheduleVersionTable } from '../db/schema.js';
import { badRequest, notFound } from '../errors.js';
import type { Class, Schedule } from '../schemas/people.js';
import { writeAudit, writeAudits, type Actor } from './audit.js';
import { appendChanges } from './changes.js';
import { chunks, paged, unique, type Executor, type Page } from './executor.js';
import { lockActiveClass } from './class-lock.js';
import { firstEditableDate, loadCalendar, scheduleSpecs } from './calendar.js';
import { getRoom, getSite } from './rooms.js';

/**
 * The fields that differ between two versions of a record, as the audit log keeps them: their
 * values before and after (null when nothing changed, and then nothing is written).
 */
function beforeAndAfter<T extends Record<string, unknown>>(
  was: T,
  is: T,
): { before: Partial<T>; after: Partial<T> } | null {
  const changed = (Object.keys(was) as (keyof T)[]).filter((k) => was[k] !== is[k]);
  if (changed.length === 0) return null;
  const pick = (from: T) => Object.fromEntries(changed.map((k) => [k, from[k]])) as Partial<T>;
  return { before: pick(was), after: pick(is) };
}

export const toClass = (r: ClassTable): Class => ({
  id: r.id,
  siteId: r.site_id,
  name: r.name,
  code: r.code,
  teacherId: r.teacher_id,
  arrivalMinutes: r.arrival_minutes,
  archivedAt: r.archived_at,
});
export const rosterClass = (r: ClassTable) => ({
  id: r.id,
  name: r.name,
  ...(r.code === null ? {} : { code: r.code }),
  ...(r.arrival_minutes === null ? {} : { arrivalMinutes: r.arrival_minutes }),
});
export const rosterEnrolment = (r: Pick<EnrolmentTable, 'id' | 'class_id' | 'student_id'>) => ({
  id: r.id,
  classId: r.class_id,
  studentId: r.student_id,
});
const toEnrolment = (
  r: Pick<EnrolmentTable, 'id' | 'class_id' | 'student_id' | 'valid_from' | 'valid_until'>,
) => ({ ...rosterEnrolment(r), validFrom: r.valid_from, validUntil: r.valid_until });
export const toVersion = (v: ScheduleVersionTable): ScheduleVersion => ({
  validFrom: v.valid_from,
  validUntil: v.valid_until,
  roomId: v.room_id,
  weekday: v.weekday,
  date: v.date,
  startTime: v.start_time,
  endTime: v.end_time,
  graceMinutes: v.grace_minutes,
});
export const toSchedule = (r: ScheduleTable, versions?: readonly ScheduleVersionTable[]): Schedule => ({
  id: r.id,
  classId: r.class_id,
  roomId: r.room_id,
  weekday: r.weekday,
  date: r.date,
  startTime: r.start_time,
  endTime: r.end_time,
  graceMinutes: r.grace_minutes,
  ...(versions ? { versions: versions.map(toVersion) } : {}),
  endedOn: r.ended_on,
});
/** The roster record: the latest version's fields (feed 1) and every version (feed 2). */
export const rosterSchedule = (r: ScheduleTable, versions: readonly ScheduleVersionTable[]) => {
  const { endedOn: _ended, ...record } = toSchedule(r, versions);
  return record;
};

/** Oldest first (an open start first; SQL orders nulls differently per database, so sorted here). */
const byValidFrom = (a: ScheduleVersionTable, b: ScheduleVersionTable) =>
  (a.valid_from ?? '').localeCompare(b.valid_from ?? '') || a.id.localeCompare(b.id);

export async function versionsOf(db: Executor, scheduleId: string): Promise<ScheduleVersionTable[]> {
  return (
    await db.selectFrom('schedule_versions').selectAll().where('schedule_id', '=', scheduleId).execute()
  ).sort(byValidFrom);
}

export async function getClass(db: Executor, id: string): Promise<ClassTable> {
  const row = await db.selectFrom('classes').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`class ${id}`);
  return row;
}

async function assertTeacher(db: Executor, teacherId: string | null | undefined) {
  if (teacherId === null || teacherId === undefined) return;
  const user = await db.selectFrom('users').select('role').where('id', '=', teacherId).executeTakeFirst();
  if (!user || user.role !== 'teacher')
    throw badRequest(`teacherId ${teacherId} is not a teacher`, 'not_a_teacher');
}

export async function listClasses(
  db: Executor,
  f: { siteId?: string; teacherId?: string; withArchived?: boolean },
  page?: Page,
): Promise<Class[]> {
  let q = paged(db.selectFrom('classes').selectAll().orderBy('name').orderBy('id'), page);
  if (!f.withArchived) q = q.where('archived_at', 'is', null);
  if (f.siteId !== undefined) q = q.where('site_id', '=', f.siteId);
  if (f.teacherId !== undefined) q = q.where('teacher_id', '=', f.teacherId);
  return (await q.execute()).map(toClass);
}

/** A class's audited fields: a class's name is the school's, not personal data, so it is kept. */
const classFields = (r: ClassTable) => ({
  name: r.name,
  code: r.code,
  teacherId: r.teacher_id,
  arrivalMinutes: r.arrival_minutes,
});

/** Adds a class, audited `class.create` (its name and fields) in the same transaction. */
export async function createClass(
  db: Kysely<DB>,
  input: {
    siteId: string;
    name: string;
    code?: string | null;
    teacherId?: string | null;
    arrivalMinutes?: number | null;
  },
  actor: Actor,
  now: string,
): Promise<Class> {
  await getSite(db, input.siteId);
  await assertTeacher(db, input.teacherId);
  const row: ClassTable = {
    id: randomUUID(),
    site_id: input.siteId,
    name: input.name,
    code: input.code ?? null,
    teacher_id: input.teacherId ?? null,
    created_at: now,
    arrival_minutes: input.arrivalMinutes ?? null,
    archived_at: null,
  };
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('classes').values(row).execute();
    await appendChanges(
      trx,
      [{ siteId: row.site_id, entity: 'class', entityId: row.id, data: rosterClass(row) }],
      now,
    );
    await writeAudit(
      trx,
      {
        actor,
        action: 'class.create',
        entity: 'class',
        entityId: row.id,
        detail: { siteId: row.site_id, ...classFields(row) },
      },
      now,
    );
  });
  return toClass(row);
}

/**
 * Renames a class or changes its code, teacher or arrival window, audited `class.update` in the
 * same transaction with the changed fields before and after (nothing when nothing changed).
 */
export async function updateClass(
  db: Kysely<DB>,
  id: string,
  patch: { name?: string; code?: string | null; teacherId?: string | null; arrivalMinutes?: number | null },
  actor: Actor,
  now: string,
): Promise<Class> {
  await assertTeacher(db, patch.teacherId);
  return db.transaction().execute(async (trx) => {
    const current = await lockActiveClass(trx, id);
    const next: ClassTable = {
      ...current,
      name: patch.name ?? current.name,
      code: patch.code === undefined ? current.code : patch.code,
      teacher_id: patch.teacherId === undefined ? current.teacher_id : patch.teacherId,
      arrival_minutes: patch.arrivalMinutes === undefined ? current.arrival_minutes : patch.arrivalMinutes,
    };
    await trx
      .updateTable('classes')
      .set({
        name: next.name,
        code: next.code,
        teacher_id: next.teacher_id,
        arrival_minutes: next.arrival_minutes,
      })
      .where('id', '=', id)
      .execute();
    await appendChanges(
      trx,
      [{ siteId: next.site_id, entity: 'class', entityId: id, data: rosterClass(next) }],
      now,
    );
    const changes = beforeAndAfter(classFields(current), classFields(next));
    if (changes)
      await writeAudit(
        trx,
        { actor, action: 'class.update', entity: 'class', entityId: id, detail: changes },
        now,
      );
    return toClass(next);
  });
}

// ---------------------------------------------------------------- enrolments

/** Current enrolments (open ones); `all` adds the closed ones, kept for past reports. */
export async function listEnrolments(
  db: Executor,
  classId: string,
  options: { all?: boolean } = {},
  page?: Page,
) {
  let q = paged(
    db
      .selectFrom('enrolments')
      .select(['id', 'class_id', 'student_id', 'valid_from', 'valid_until'])
      .where('class_id', '=', classId)
      .orderBy('id'),
    page,
  );
  if (!options.all) q = q.where('valid_until', 'is', null);
  return (await q.execute()).map(toEnrolment);
}

/** The site's local date now, and the last date that is already history for a class. */
export async function classDates(db: Executor, cls: ClassTable, now: string) {
  const site = await getSite(db, cls.site_id);
  const clock = new SiteClock(site.timezone);
  const specs = await scheduleSpecs(db, { classIds: [cls.id] });
  const firstOpen = firstEditableDate(specs, await loadCalendar(db, cls.site_id), clock, new Date(now));
  return { today: clock.wallClockAt(new Date(now)).date, firstOpen };
}

/**
 * Enrols students (already enrolled ones are left as they are); all-or-nothing. A student who
 * left the class is enrolled again on the same row: their list membership reopens from its first
 * date, whatever `from` says (the dates between are then counted as enrolled; see
 * docs/school-year.md). Audited `enrolment.add`, one
 * row per student enrolled (by id, on the student, so their history shows it), in the same
 * transaction; a student already enrolled gets none.
 */
export async function enrolStudents(
  db: Kysely<DB>,
  classId: string,
  studentIds: readonly string[],
  actor: Actor,
  now: string,
  options: { from?: string } = {},
) {
  const ids = unique(studentIds);
  return db.transaction().execute(async (trx) => {
    const cls = await lockActiveClass(trx, classId);
    const found = new Set<string>();
    for (const chunk of chunks(ids, 500)) {
      const rows = await trx
        .selectFrom('students')
        .select('id')
        .where('id', 'in', chunk)
        .where('site_id', '=', cls.site_id)
        .execute();
      rows.forEach((r) => found.add(r.id));
    }
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0)
      throw badRequest(
        `unknown students at this class's site: ${missing.slice(0, 10).join(', ')}`,
        'unknown_student',
      );
    const existing = new Map(
      (await trx.selectFrom('enrolments').selectAll().where('class_id', '=', classId).execute()).map((r) => [
        r.student_id,
        r,
      ]),
    );
    const rows: EnrolmentTable[] = ids
      .filter((id) => !existing.has(id))
      .map((studentId) => ({
        id: randomUUID(),
        class_id: classId,
        student_id: studentId,
        created_at: now,
        valid_from: options.from ?? null,
        valid_until: null,
      }));
    const reopened = ids.flatMap((id) => {
      const e = existing.get(id);
      return e && e.valid_until !== null ? [e] : [];
    });
    for (const chunk of chunks(rows, 500)) await trx.insertInto('enrolments').values(chunk).execute();
    for (const chunk of chunks(
      reopened.map((e) => e.id),
      500,
    ))
      await trx.updateTable('enrolments').set({ valid_until: null }).where('id', 'in', chunk).execute();
    await appendChanges(
      trx,
      [...rows, ...reopened].map((r) => ({
        siteId: cls.site_id,
        entity: 'enrolment' as const,
        entityId: r.id,
        data: rosterEnrolment(r),
      })),
      now,
    );
    const rejoined = new Set(reopened.map((e) => e.student_id));
    const added = [...rows.map((r) => r.student_id), ...rejoined];
    for (const chunk of chunks(added, 500))
      await writeAudits(
        trx,
        chunk.map((studentId) => ({
          actor,
          action: 'enrolment.add',
          entity: 'student',
          entityId: studentId,
          // A re-join reopens the old row, which keeps its first date: `from` did not apply to it.
          detail: rejoined.has(studentId)
            ? { classId, rejoined: true }
            : { classId, ...(options.from === undefined ? {} : { from: options.from }) },
        })),
        now,
      );
    return {
      added: rows.length + reopened.length,
      alreadyEnrolled: ids.length - rows.length - reopened.length,
    };
  });
}

/**
 * Closes a student's enrolment from the first session not yet started. An archived class keeps
 * its lists as they stood (409 `class_archived`): unarchive it first, or erase the student when
 * it is their data that must go (erasure always works, see `eraseStudent`). Audited
 * `enrolment.remove` (the class and the last date on its list) in the same transaction.
 */
export async function unenrolStudent(
  db: Kysely<DB>,
  classId: string,
  studentId: string,
  actor: Actor,
  now: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const cls = await lockActiveClass(trx, classId);
    const row = await trx
      .selectFrom('enrolments')
      .select('id')
      .where('class_id', '=', classId)
      .where('student_id', '=', studentId)
      .where('valid_until', 'is', null)
      .executeTakeFirst();
    if (!row) throw notFound(`enrolment of student ${studentId} in class ${classId}`);
    // Closed, not deleted: they stay on the lists of the sessions already held (past reports),
    // including today's if it has started; kiosks drop them at once (tombstone).
    const { firstOpen } = await classDates(trx, cls, now);
    const lastDate = addDays(firstOpen, -1);
    await trx.updateTable('enrolments').set({ valid_until: lastDate }).where('id', '=', row.id).execute();
    await appendChanges(
      trx,
      [{ siteId: cls.site_id, entity: 'enrolment', entityId: row.id, data: null }],
      now,
    );
    await writeAudit(
      trx,
      {
        actor,
        action: 'enrolment.remove',
        entity: 'student',
        entityId: studentId,
        detail: { classId, lastDate },
      },
      now,
    );
  });
}

// ---------------------------------------------------------------- schedules

export async function getSchedule(db: Executor, id: string): Promise<ScheduleTable> {
  const row = await db.selectFrom('schedules').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`schedule ${id}`);
  return row;
}

/** Every schedule (current or removed) of the classes a teacher teaches: what their calendar view may show. */
export async function scheduleIdsOfTeacher(db: Executor, teacherId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('schedules')
    .innerJoin('classes', 'classes.id', 'schedules.class_id')
    .select('schedules.id')
    .where('classes.teacher_id', '=', teacherId)
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Current schedules of a class (removed ones only with `all`), each with its versions. */
export async function listSchedules(
  db: Executor,
  classId: string,
  options: { all?: boolean } = {},
  page?: Page,
): Promise<Schedule[]> {
  let q = db.selectFrom('schedules').selectAll().where('class_id', '=', classId);
  if (!options.all) q = q.where('ended_on', 'is', null);
  const rows = await paged(
    q.orderBy('weekday').orderBy('date').orderBy('start_time').orderBy('id'),
    page,
  ).execute();
  const versions =
    rows.length === 0
      ? []
      : (
          await db
            .selectFrom('schedule_versions')
            .selectAll()
            .where(
              'schedule_id',
              'in',
              rows.map((r) => r.id),
            )
            .execute()
        ).sort(byValidFrom);
  return rows.map((r) =>
    toSchedule(
      r,
      versions.filter((v) => v.schedule_id === r.id),
    ),
  );
}

type LessonColumn = 'room_id' | 'weekday' | 'date' | 'start_time' | 'end_time' | 'grace_minutes';
/** A timetable entry's audited fields: when and where it meets (no personal data). */
const lessonFields = (r: Pick<ScheduleVersionTable, LessonColumn>) => ({
  roomId: r.room_id,
  weekday: r.weekday,
  date: r.date,
  startTime: r.start_time,
  endTime: r.end_time,
  graceMinutes: r.grace_minutes,
});

/** Adds a timetable entry, audited `schedule.create` (its class and fields) in the same transaction. */
export async function createSchedule(
  db: Kysely<DB>,
  classId: string,
  input: {
    roomId: string;
    weekday?: number | null;
    date?: string | null;
    startTime: string;
    endTime: string;
    graceMinutes: number;
  },
  actor: Actor,
  now: string,
): Promise<Schedule> {
  return db.transaction().execute(async (trx) => {
    const cls = await lockActiveClass(trx, classId);
    const room = await getRoom(trx, input.roomId);
    if (room.site_id !== cls.site_id)
      throw badRequest('room and class belong to different sites', 'site_mismatch');
    const row: ScheduleTable = {
      id: randomUUID(),
      class_id: classId,
      room_id: input.roomId,
      weekday: input.weekday ?? null,
      date: input.date ?? null,
      start_time: input.startTime,
      end_time: input.endTime,
      grace_minutes: input.graceMinutes,
      created_at: now,
      ended_on: null,
      archived_with_class: 0,
      archived_versions: null,
    };
    const version: ScheduleVersionTable = {
      id: randomUUID(),
      schedule_id: row.id,
      valid_from: null,
      valid_until: null,
      room_id: row.room_id,
      weekday: row.weekday,
      date: row.date,
      start_time: row.start_time,
      end_time: row.end_time,
      grace_minutes: row.grace_minutes,
      created_at: now,
    };
    await trx.insertInto('schedules').values(row).execute();
    await trx.insertInto('schedule_versions').values(version).execute();
    await appendChanges(
      trx,
      [{ siteId: cls.site_id, entity: 'schedule', entityId: row.id, data: rosterSchedule(row, [version]) }],
      now,
    );
    await writeAudit(
      trx,
      {
        actor,
        action: 'schedule.create',
        entity: 'schedule',
        entityId: row.id,
        detail: { classId, ...lessonFields(row) },
      },
      now,
    );
    return toSchedule(row, [version]);
  });
}

/**
 * A timetable edit. The version in force before `effectiveFrom` is closed the day before; a new
 * version opens on it (versions that would have started later are replaced). Sessions before
 * `effectiveFrom` keep resolving against their own version, so no past report changes. Audited
 * `schedule.update` in the same transaction: the date it applies from, the changed fields
 * before (the version it was based on) and after, and under `replaced` the versions planned to
 * start later that it removed (nothing when no field changed and no planned version went).
 */
export async function updateSchedule(
  db: Kysely<DB>,
  id: string,
  patch: {
    effectiveFrom?: string;
    roomId?: string;
    weekday?: number | null;
    date?: string | null;
    startTime?: string;
    endTime?: string;
    graceMinutes?: number;
  },
  actor: Actor,
  now: string,
): Promise<Schedule> {
  return db.transaction().execute(async (trx) => {
    // The class first: its lock orders this edit before or after an archive, and an archived
    // class's schedules (ended by the archive) answer that, not `schedule_ended`.
    const cls = await lockActiveClass(trx, (await getSchedule(trx, id)).class_id);
    const schedule = await getSchedule(trx, id);
    if (schedule.ended_on !== null)
      throw badRequest(`schedule ${id} was removed; add a new one`, 'schedule_ended');
    const { firstOpen } = await classDates(trx, cls, now);
    const from = patch.effectiveFrom ?? firstOpen;
    if (from < firstOpen)
      throw badRequest(
        `effectiveFrom ${from} would change sessions already held; the earliest is ${firstOpen}`,
        'past_date',
        'effectiveFrom',
      );
    if (patch.roomId !== undefined) {
      const room = await getRoom(trx, patch.roomId);
      if (room.site_id !== cls.site_id)
        throw badRequest('room and class belong to different sites', 'site_mismatch');
    }
    const versions = await versionsOf(trx, id);
    const base =
      versionOn(
        { versions: versions.map((v) => ({ ...v, validFrom: v.valid_from, validUntil: v.valid_until })) },
        from,
      ) ?? versions[versions.length - 1];
    if (!base) throw notFound(`schedule ${id} versions`);
    // A new date makes it one-off, a new weekday weekly; otherwise it stays as it was.
    const when =
      patch.date != null
        ? { weekday: null, date: patch.date }
        : patch.weekday != null
          ? { weekday: patch.weekday, date: null }
          : { weekday: base.weekday, date: base.date };
    const next: ScheduleVersionTable = {
      id: randomUUID(),
      schedule_id: id,
      valid_from: from,
      valid_until: null,
      room_id: patch.roomId ?? base.room_id,
      ...when,
      start_time: patch.startTime ?? base.start_time,
      end_time: patch.endTime ?? base.end_time,
      grace_minutes: patch.graceMinutes ?? base.grace_minutes,
      created_at: now,
    };
    if ((next.weekday === null) === (next.date === null))
      throw badRequest('a schedule needs exactly one of weekday and date', 'bad_schedule');
    if (!(next.start_time < next.end_time))
      throw badRequest('endTime must be after startTime', 'bad_schedule', 'endTime');
    // Versions starting on or after `from` are replaced; the one running into it ends the day before.
    // Those planned to start later than the edit's base are kept for the audit row: a change planned
    // ahead that this edit removes is a change too, even when the fields in force stay the same.
    const replaced = versions.filter(
      (v) => v.valid_from !== null && v.valid_from >= from && v.id !== base.id,
    );
    await trx
      .deleteFrom('schedule_versions')
      .where('schedule_id', '=', id)
      .where('valid_from', '>=', from)
      .execute();
    await trx
      .updateTable('schedule_versions')
      .set({ valid_until: addDays(from, -1) })
      .where('schedule_id', '=', id)
      .where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>=', from)]))
      .execute();
    await trx.insertInto('schedule_versions').values(next).execute();
    const latest: ScheduleTable = {
      ...schedule,
      room_id: next.room_id,
      weekday: next.weekday,
      date: next.date,
      start_time: next.start_time,
      end_time: next.end_time,
      grace_minutes: next.grace_minutes,
    };
    await trx
      .updateTable('schedules')
      .set({
        room_id: latest.room_id,
        weekday: latest.weekday,
        date: latest.date,
        start_time: latest.start_time,
        end_time: latest.end_time,
        grace_minutes: latest.grace_minutes,
      })
      .where('id', '=', id)
      .execute();
    const all = await versionsOf(trx, id);
    await appendChanges(
      trx,
      [{ siteId: cls.site_id, entity: 'schedule', entityId: id, data: rosterSchedule(latest, all) }],
      now,
    );
    const changes = beforeAndAfter(lessonFields(base), lessonFields(next));
    if (changes || replaced.length > 0)
      await writeAudit(
        trx,
        {
          actor,
          action: 'schedule.update',
          entity: 'schedule',
          entityId: id,
          detail: {
            classId: cls.id,
            effectiveFrom: from,
            ...changes,
            ...(replaced.length > 0
              ? { replaced: replaced.map((v) => ({ validFrom: v.valid_from, ...lessonFields(v) })) }
              : {}),
          },
        },
        now,
      );
    return toSchedule(latest, all);
  });
}

/** Removes a timetable entry, audited `schedule.delete` (its class, fields and last date) in the same transaction. */
export async function deleteSchedule(db: Kysely<DB>, id: string, actor: Actor, now: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const cls = await lockActiveClass(trx, (await getSchedule(trx, id)).class_id);
    const schedule = await getSchedule(trx, id);
    if (schedule.ended_on !== null) throw notFound(`schedule ${id}`);
    // Ended, not deleted: its sessions already held keep resolving (reports, corrections);
    // no session from the first one not yet started on. Kiosks forget it (tombstone).
    const { firstOpen } = await classDates(trx, cls, now);
    const lastDate = addDays(firstOpen, -1);
    await endSchedule(trx, id, lastDate);
    await appendChanges(trx, [{ siteId: cls.site_id, entity: 'schedule', entityId: id, data: null }], now);
    await writeAudit(
      trx,
      {
        actor,
        action: 'schedule.delete',
        entity: 'schedule',
        entityId: id,
        detail: { classId: cls.id, lastDate, ...lessonFields(schedule) },
      },
      now,
    );
  });
}

/** Ends a schedule after `last`: no session from the next day on; those before keep resolving. */
export async function endSchedule(trx: Executor, id: string, last: string): Promise<void> {
  await trx
    .deleteFrom('schedule_versions')
    .where('schedule_id', '=', id)
    .where('valid_from', '>', last)
    .execute();
  await trx
    .updateTable('schedule_versions')
    .set({ valid_until: last })
    .where('schedule_id', '=', id)
    .where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>', last)]))
    .execute();
  await trx.updateTable('schedules').set({ ended_on: last }).where('id', '=', id).execute();
}
