import { randomUUID } from 'node:crypto';
import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type SqlBool,
  type Transaction,
} from 'kysely';
import type { DB, StudentTable } from '../db/schema.js';
import { conflict, notFound } from '../errors.js';
import type { CreateStudent, Student, UpdateStudent } from '../schemas/people.js';
import { blankCorrectionStatuses, writeAudit, type Actor } from './audit.js';
import { appendChanges, type ChangeInput } from './changes.js';
import type { Executor } from './executor.js';
import { getSite } from './rooms.js';

export const toStudent = (r: StudentTable): Student => ({
  id: r.id,
  siteId: r.site_id,
  studentNumber: r.student_number,
  name: r.name,
  email: r.email,
  guardianEmail: r.guardian_email,
  consent: r.consent === 1,
  consentAt: r.consent_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** What a kiosk caches about a student: no contact details ever leave the server. */
export const rosterStudent = (r: StudentTable) => ({
  id: r.id,
  studentNumber: r.student_number,
  name: r.name,
  consent: r.consent === 1,
});

export async function getStudent(db: Executor, id: string): Promise<StudentTable> {
  const row = await db.selectFrom('students').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`student ${id}`);
  return row;
}

async function assertNumberFree(db: Executor, siteId: string, studentNumber: string, exceptId?: string) {
  let q = db
    .selectFrom('students')
    .select('id')
    .where('site_id', '=', siteId)
    .where('student_number', '=', studentNumber);
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  if (await q.executeTakeFirst())
    throw conflict(`student number ${studentNumber} is taken at this site`, 'student_number_taken');
}

/**
 * Adds a student, audited `student.create` in the same transaction: ids and consent only, never
 * the name (the log outlives an erasure). `actor` null: the caller is an import that writes one
 * summary entry for all its students instead.
 */
export async function createStudent(
  db: Kysely<DB>,
  input: CreateStudent,
  actor: Actor | null,
  now: string,
): Promise<Student> {
  await getSite(db, input.siteId);
  const row: StudentTable = {
    id: randomUUID(),
    site_id: input.siteId,
    student_number: input.studentNumber,
    name: input.name,
    email: input.email ?? null,
    guardian_email: input.guardianEmail ?? null,
    consent: input.consent ? 1 : 0,
    consent_at: input.consent ? (input.consentAt ?? now) : null,
    created_at: now,
    updated_at: now,
  };
  await db.transaction().execute(async (trx) => {
    await assertNumberFree(trx, row.site_id, row.student_number);
    await trx.insertInto('students').values(row).execute();
    await appendChanges(
      trx,
      [{ siteId: row.site_id, entity: 'student', entityId: row.id, data: rosterStudent(row) }],
      now,
    );
    if (actor)
      await writeAudit(
        trx,
        {
          actor,
          action: 'student.create',
          entity: 'student',
          entityId: row.id,
          detail: { siteId: row.site_id, consent: row.consent === 1 },
        },
        now,
      );
  });
  return toStudent(row);
}

/** Deletes a student's templates and photos in `trx` and returns the tombstones to append. */
export async function dropTemplates(trx: Transaction<DB>, student: StudentTable): Promise<ChangeInput[]> {
  const templates = await trx
    .selectFrom('templates')
    .select('id')
    .where('student_id', '=', student.id)
    .execute();
  await trx.deleteFrom('photos').where('student_id', '=', student.id).execute();
  await trx.deleteFrom('templates').where('student_id', '=', student.id).execute();
  return templates.map((t) => ({
    siteId: student.site_id,
    entity: 'template' as const,
    entityId: t.id,
    data: null,
  }));
}

/** What an edit of a student changed, by field name, for its audit row (values stay out of the log). */
const STUDENT_FIELDS = {
  name: 'name',
  student_number: 'studentNumber',
  email: 'email',
  guardian_email: 'guardianEmail',
  consent: 'consent',
  consent_at: 'consentAt',
} as const satisfies Partial<Record<keyof StudentTable, string>>;

/**
 * Edits a student, audited `student.update` in the same transaction when anything changed: the
 * names of the fields changed, consent before and after and the templates a withdrawal removed,
 * never a name, number or address (the log outlives an erasure).
 */
export async function updateStudent(
  db: Kysely<DB>,
  id: string,
  patch: UpdateStudent,
  actor: Actor,
  now: string,
): Promise<Student> {
  return db.transaction().execute(async (trx) => {
    const current = await getStudent(trx, id);
    if (patch.studentNumber !== undefined)
      await assertNumberFree(trx, current.site_id, patch.studentNumber, id);
    const consentChanged = patch.consent !== undefined && (patch.consent ? 1 : 0) !== current.consent;
    const next: StudentTable = {
      ...current,
      student_number: patch.studentNumber ?? current.student_number,
      name: patch.name ?? current.name,
      email: patch.email === undefined ? current.email : patch.email,
      guardian_email: patch.guardianEmail === undefined ? current.guardian_email : patch.guardianEmail,
      consent: patch.consent === undefined ? current.consent : patch.consent ? 1 : 0,
      consent_at: consentChanged
        ? patch.consent
          ? (patch.consentAt ?? now)
          : null
        : (patch.consentAt ?? current.consent_at),
      updated_at: now,
    };
    await trx
      .updateTable('students')
      .set({
        student_number: next.student_number,
        name: next.name,
        email: next.email,
        guardian_email: next.guardian_email,
        consent: next.consent,
        consent_at: next.consent_at,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    const changes: ChangeInput[] = [
      { siteId: next.site_id, entity: 'student', entityId: id, data: rosterStudent(next) },
    ];
    // Consent withdrawn: the face templates go, here and (by tombstone) at every kiosk.
    const dropped = consentChanged && next.consent === 0 ? await dropTemplates(trx, current) : [];
    changes.push(...dropped);
    await appendChanges(trx, changes, now);
    const changed = Object.entries(STUDENT_FIELDS)
      .filter(([column]) => current[column as keyof StudentTable] !== next[column as keyof StudentTable])
      .map(([, field]) => field);
    if (changed.length > 0)
      await writeAudit(
        trx,
        {
          actor,
          action: 'student.update',
          entity: 'student',
          entityId: id,
          detail: {
            changed,
            ...(consentChanged ? { consent: { from: current.consent === 1, to: next.consent === 1 } } : {}),
            ...(dropped.length > 0 ? { templatesRemoved: dropped.length } : {}),
          },
        },
        now,
      );
    return toStudent(next);
  });
}

/** Which students a query covers: a site, a class, a teacher's classes, a search text. */
export interface StudentScope {
  siteId?: string;
  classId?: string;
  /** Least privilege: a teacher sees only students enrolled in their classes. */
  teacherId?: string;
  q?: string;
}

export interface StudentFilter extends StudentScope {
  /** Only students with no template of this face model (never enrolled, or enrolled under another model). */
  withoutTemplatesFor?: string;
  consent?: 'yes' | 'no';
  enrolled?: 'yes' | 'no';
  /** Students with templates, none of this model: to be enrolled again after a model change. */
  withTemplatesButNotFor?: string;
  limit: number;
  offset: number;
}

type StudentsEb = ExpressionBuilder<DB, 'students'>;

/** The student has a template (of `modelId`, when given). */
const hasTemplate = (eb: StudentsEb, modelId?: string) => {
  let q = eb
    .selectFrom('templates')
    .select('templates.id')
    .whereRef('templates.student_id', '=', 'students.id');
  if (modelId !== undefined) q = q.where('templates.model_id', '=', modelId);
  return eb.exists(q);
};

/** One WHERE condition for a scope, shared by the list and the template coverage counts. */
function inScope(f: StudentScope) {
  return (eb: StudentsEb): Expression<SqlBool> => {
    const conditions: Expression<SqlBool>[] = [];
    if (f.siteId !== undefined) conditions.push(eb('students.site_id', '=', f.siteId));
    if (f.classId !== undefined) {
      const classId = f.classId;
      conditions.push(
        eb.exists(
          eb
            .selectFrom('enrolments')
            .select('enrolments.id')
            .whereRef('enrolments.student_id', '=', 'students.id')
            .where('enrolments.class_id', '=', classId),
        ),
      );
    }
    if (f.teacherId !== undefined) {
      const teacherId = f.teacherId;
      conditions.push(
        eb.exists(
          eb
            .selectFrom('enrolments')
            .innerJoin('classes', 'classes.id', 'enrolments.class_id')
            .select('enrolments.id')
            .whereRef('enrolments.student_id', '=', 'students.id')
            .where('classes.teacher_id', '=', teacherId),
        ),
      );
    }
    if (f.q !== undefined && f.q !== '') {
      // The search text is literal: %, _ and \ are escaped, with an explicit ESCAPE because
      // SQLite has no default escape character (PostgreSQL's is \).
      const like = `%${f.q.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
      conditions.push(
        sql<SqlBool>`(lower(students.name) like ${like} escape '\\' or lower(students.student_number) like ${like} escape '\\')`,
      );
    }
    return eb.and(conditions);
  };
}

export async function listStudents(db: Executor, f: StudentFilter): Promise<Student[]> {
  let q = db
    .selectFrom('students')
    .selectAll('students')
    .where(inScope(f))
    .orderBy('students.student_number')
    .limit(f.limit)
    .offset(f.offset);
  if (f.withoutTemplatesFor !== undefined) {
    const modelId = f.withoutTemplatesFor;
    q = q.where((eb) => eb.not(hasTemplate(eb, modelId)));
  }
  if (f.consent !== undefined) q = q.where('students.consent', '=', f.consent === 'yes' ? 1 : 0);
  if (f.enrolled === 'yes') q = q.where((eb) => hasTemplate(eb));
  if (f.enrolled === 'no') q = q.where((eb) => eb.not(hasTemplate(eb)));
  if (f.withTemplatesButNotFor !== undefined) {
    const modelId = f.withTemplatesButNotFor;
    q = q.where((eb) => eb.and([hasTemplate(eb), eb.not(hasTemplate(eb, modelId))]));
  }
  return (await q.execute()).map(toStudent);
}

export interface TemplateCoverage {
  modelId: string;
  /** Students in scope. */
  students: number;
  /** With at least one template of `modelId`: kiosks running that model recognise them. */
  withTemplates: number;
  /** With templates, none of `modelId`: enrolled under another model, to be enrolled again. */
  needReEnrolment: number;
  /** With no template at all. */
  neverEnrolled: number;
}

/**
 * How many students of a scope a kiosk running `modelId` can recognise. Templates of other
 * models cannot be compared, so after a model upgrade this is who must be enrolled again.
 */
export async function templateCoverage(
  db: Executor,
  scope: StudentScope,
  modelId: string,
): Promise<TemplateCoverage> {
  const count = async (extra?: (eb: StudentsEb) => Expression<SqlBool>) => {
    let q = db
      .selectFrom('students')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where(inScope(scope));
    if (extra) q = q.where(extra);
    return Number((await q.executeTakeFirst())?.n ?? 0); // PostgreSQL answers count(*) as a string
  };
  const [students, withTemplates, neverEnrolled] = await Promise.all([
    count(),
    count((eb) => hasTemplate(eb, modelId)),
    count((eb) => eb.not(hasTemplate(eb))),
  ]);
  return {
    modelId,
    students,
    withTemplates,
    needReEnrolment: students - withTemplates - neverEnrolled,
    neverEnrolled,
  };
}

export async function isStudentOfTeacher(
  db: Executor,
  studentId: string,
  teacherId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('enrolments')
    .innerJoin('classes', 'classes.id', 'enrolments.class_id')
    .select('enrolments.id')
    .where('enrolments.student_id', '=', studentId)
    .where('classes.teacher_id', '=', teacherId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function countTemplates(db: Executor, studentId: string): Promise<number> {
  const row = await db
    .selectFrom('templates')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('student_id', '=', studentId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Erasure: removes the student's personal data, templates, photos, enrolments and attendance
 * events, blanks the statuses their attendance corrections left in the audit log, leaves
 * tombstones so every kiosk purges them on its next pull, and records who did it in the audit
 * log — all in one transaction. It reaches into archived classes too (their
 * enrolments and marks of the student go), on purpose and without their lock: erasure is a
 * privacy obligation that must always work, and an archive is no reason to keep personal data.
 */
export async function eraseStudent(db: Kysely<DB>, id: string, actor: Actor, now: string) {
  return db.transaction().execute(async (trx) => {
    const student = await getStudent(trx, id);
    const enrolments = await trx.selectFrom('enrolments').select('id').where('student_id', '=', id).execute();
    const tombstones: ChangeInput[] = await dropTemplates(trx, student);
    const corrections = await trx
      .selectFrom('attendance_events')
      .select('id')
      .where('student_id', '=', id)
      .where('kind', 'in', ['manual', 'undo'])
      .execute();
    await blankCorrectionStatuses(
      trx,
      corrections.map((c) => c.id),
    );
    const events = await trx.deleteFrom('attendance_events').where('student_id', '=', id).executeTakeFirst();
    await trx.deleteFrom('enrolments').where('student_id', '=', id).execute();
    await trx.deleteFrom('students').where('id', '=', id).execute();
    tombstones.push(
      ...enrolments.map((e) => ({
        siteId: student.site_id,
        entity: 'enrolment' as const,
        entityId: e.id,
        data: null,
      })),
    );
    tombstones.push({ siteId: student.site_id, entity: 'student', entityId: id, data: null });
    await appendChanges(trx, tombstones, now);
    const detail = {
      templates: tombstones.filter((t) => t.entity === 'template').length,
      enrolments: enrolments.length,
      attendanceEvents: Number(events.numDeletedRows),
    };
    // Only ids and counts: the audit log must not keep the personal data it records erasing.
    await writeAudit(trx, { actor, action: 'student.erase', entity: 'student', entityId: id, detail }, now);
    return detail;
  });
}
