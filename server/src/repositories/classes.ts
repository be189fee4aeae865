import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ClassTable, DB, EnrolmentTable, ScheduleTable } from '../db/schema.js';
import { badRequest, notFound } from '../errors.js';
import type { Class, Schedule } from '../schemas/people.js';
import { appendChanges, type ChangeInput } from './changes.js';
import { chunks, unique, type Executor } from './executor.js';
import { getRoom, getSite } from './rooms.js';

export const toClass = (r: ClassTable): Class => ({ id: r.id, siteId: r.site_id, name: r.name, code: r.code, teacherId: r.teacher_id });
const rosterClass = (r: ClassTable) => (r.code === null ? { id: r.id, name: r.name } : { id: r.id, name: r.name, code: r.code });
const rosterEnrolment = (r: Pick<EnrolmentTable, 'id' | 'class_id' | 'student_id'>) => ({ id: r.id, classId: r.class_id, studentId: r.student_id });
export const toSchedule = (r: ScheduleTable): Schedule => ({
  id: r.id,
  classId: r.class_id,
  roomId: r.room_id,
  weekday: r.weekday,
  date: r.date,
  startTime: r.start_time,
  endTime: r.end_time,
  graceMinutes: r.grace_minutes,
});
/** The roster's schedule record has exactly the API shape. */
const rosterSchedule = toSchedule;

export async function getClass(db: Executor, id: string): Promise<ClassTable> {
  const row = await db.selectFrom('classes').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`class ${id}`);
  return row;
}

async function assertTeacher(db: Executor, teacherId: string | null | undefined) {
  if (teacherId === null || teacherId === undefined) return;
  const user = await db.selectFrom('users').select('role').where('id', '=', teacherId).executeTakeFirst();
  if (!user || user.role !== 'teacher') throw badRequest(`teacherId ${teacherId} is not a teacher`, 'not_a_teacher');
}

export async function listClasses(db: Executor, f: { siteId?: string; teacherId?: string }): Promise<Class[]> {
  let q = db.selectFrom('classes').selectAll().orderBy('name');
  if (f.siteId !== undefined) q = q.where('site_id', '=', f.siteId);
  if (f.teacherId !== undefined) q = q.where('teacher_id', '=', f.teacherId);
  return (await q.execute()).map(toClass);
}

export async function createClass(
  db: Kysely<DB>,
  input: { siteId: string; name: string; code?: string | null; teacherId?: string | null },
  now: string,
): Promise<Class> {
  await getSite(db, input.siteId);
  await assertTeacher(db, input.teacherId);
  const row: ClassTable = { id: randomUUID(), site_id: input.siteId, name: input.name, code: input.code ?? null, teacher_id: input.teacherId ?? null, created_at: now };
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('classes').values(row).execute();
    await appendChanges(trx, [{ siteId: row.site_id, entity: 'class', entityId: row.id, data: rosterClass(row) }], now);
  });
  return toClass(row);
}

export async function updateClass(db: Kysely<DB>, id: string, patch: { name?: string; code?: string | null; teacherId?: string | null }, now: string): Promise<Class> {
  await assertTeacher(db, patch.teacherId);
  return db.transaction().execute(async (trx) => {
    const current = await getClass(trx, id);
    const next: ClassTable = {
      ...current,
      name: patch.name ?? current.name,
      code: patch.code === undefined ? current.code : patch.code,
      teacher_id: patch.teacherId === undefined ? current.teacher_id : patch.teacherId,
    };
    await trx.updateTable('classes').set({ name: next.name, code: next.code, teacher_id: next.teacher_id }).where('id', '=', id).execute();
    await appendChanges(trx, [{ siteId: next.site_id, entity: 'class', entityId: id, data: rosterClass(next) }], now);
    return toClass(next);
  });
}

export async function deleteClass(db: Kysely<DB>, id: string, now: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const cls = await getClass(trx, id);
    const enrolments = await trx.selectFrom('enrolments').select('id').where('class_id', '=', id).execute();
    const schedules = await trx.selectFrom('schedules').select('id').where('class_id', '=', id).execute();
    await trx.deleteFrom('enrolments').where('class_id', '=', id).execute();
    await trx.deleteFrom('schedules').where('class_id', '=', id).execute();
    await trx.deleteFrom('classes').where('id', '=', id).execute();
    const tomb = (entity: ChangeInput['entity'], entityId: string): ChangeInput => ({ siteId: cls.site_id, entity, entityId, data: null });
    await appendChanges(
      trx,
      [...enrolments.map((e) => tomb('enrolment', e.id)), ...schedules.map((s) => tomb('schedule', s.id)), tomb('class', id)],
      now,
    );
  });
}

// ---------------------------------------------------------------- enrolments

export async function listEnrolments(db: Executor, classId: string) {
  const rows = await db.selectFrom('enrolments').select(['id', 'class_id', 'student_id']).where('class_id', '=', classId).execute();
  return rows.map(rosterEnrolment);
}

/** Enrols students (already enrolled ones are left as they are); all-or-nothing. */
export async function enrolStudents(db: Kysely<DB>, classId: string, studentIds: readonly string[], now: string) {
  const ids = unique(studentIds);
  return db.transaction().execute(async (trx) => {
    const cls = await getClass(trx, classId);
    const found = new Set<string>();
    for (const chunk of chunks(ids, 500)) {
      const rows = await trx.selectFrom('students').select('id').where('id', 'in', chunk).where('site_id', '=', cls.site_id).execute();
      rows.forEach((r) => found.add(r.id));
    }
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) throw badRequest(`unknown students at this class's site: ${missing.slice(0, 10).join(', ')}`, 'unknown_student');
    const existing = new Set((await trx.selectFrom('enrolments').select('student_id').where('class_id', '=', classId).execute()).map((r) => r.student_id));
    const rows = ids.filter((id) => !existing.has(id)).map((studentId) => ({ id: randomUUID(), class_id: classId, student_id: studentId, created_at: now }));
    for (const chunk of chunks(rows, 500)) await trx.insertInto('enrolments').values(chunk).execute();
    await appendChanges(trx, rows.map((r) => ({ siteId: cls.site_id, entity: 'enrolment' as const, entityId: r.id, data: rosterEnrolment(r) })), now);
    return { added: rows.length, alreadyEnrolled: ids.length - rows.length };
  });
}

export async function unenrolStudent(db: Kysely<DB>, classId: string, studentId: string, now: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const cls = await getClass(trx, classId);
    const row = await trx.selectFrom('enrolments').select('id').where('class_id', '=', classId).where('student_id', '=', studentId).executeTakeFirst();
    if (!row) throw notFound(`enrolment of student ${studentId} in class ${classId}`);
    await trx.deleteFrom('enrolments').where('id', '=', row.id).execute();
    await appendChanges(trx, [{ siteId: cls.site_id, entity: 'enrolment', entityId: row.id, data: null }], now);
  });
}

// ---------------------------------------------------------------- schedules

export async function getSchedule(db: Executor, id: string): Promise<ScheduleTable> {
  const row = await db.selectFrom('schedules').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`schedule ${id}`);
  return row;
}

export async function listSchedules(db: Executor, classId: string): Promise<Schedule[]> {
  const rows = await db.selectFrom('schedules').selectAll().where('class_id', '=', classId).orderBy('weekday').orderBy('date').orderBy('start_time').execute();
  return rows.map(toSchedule);
}

export async function createSchedule(
  db: Kysely<DB>,
  classId: string,
  input: { roomId: string; weekday?: number | null; date?: string | null; startTime: string; endTime: string; graceMinutes: number },
  now: string,
): Promise<Schedule> {
  return db.transaction().execute(async (trx) => {
    const cls = await getClass(trx, classId);
    const room = await getRoom(trx, input.roomId);
    if (room.site_id !== cls.site_id) throw badRequest('room and class belong to different sites', 'site_mismatch');
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
    };
    await trx.insertInto('schedules').values(row).execute();
    await appendChanges(trx, [{ siteId: cls.site_id, entity: 'schedule', entityId: row.id, data: rosterSchedule(row) }], now);
    return toSchedule(row);
  });
}

export async function deleteSchedule(db: Kysely<DB>, id: string, now: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const schedule = await getSchedule(trx, id);
    const cls = await getClass(trx, schedule.class_id);
    await trx.deleteFrom('schedules').where('id', '=', id).execute();
    await appendChanges(trx, [{ siteId: cls.site_id, entity: 'schedule', entityId: id, data: null }], now);
  });
}
