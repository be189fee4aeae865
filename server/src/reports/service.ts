// Attendance reports over many sessions: per class over a date range and per student.
// Statuses come from the core's one rule (services/attendance-status.ts deriveStatus), the
// same that answers /api/sessions/:id/attendance, so every report agrees with it.
//
// Sessions are derived (never stored) by the shared rule of src/contracts/occurrences.ts: each
// date's schedule VERSION, the site's calendar (no session outside term or on a closure; a
// moved session at its new date), from the schedule's creation on. A session counts once it
// has STARTED at the site's local time; later ones are left out (they would otherwise show
// everybody absent). A session still running (started, not ended) counts only the students
// it has a status for: one not seen yet is "not yet seen", as on Today, not absent, until the
// session ends (else a student showed 0% while Today said "Not yet seen"). A cancelled session is listed, flagged, with the marks it had (no
// absences, not counted in totals). The class list of each session is the enrolments valid
// on its date (enrolledOn), so a student who left stays in the reports of the sessions they
// were on the list for, and a timetable edit never changes a past report.
import type { Occurrence, ScheduleSpec } from '../../../src/contracts/occurrences.js';
import { occurrencesBetween } from '../../../src/contracts/occurrences.js';
import { SiteClock } from '../../../src/contracts/site-time.js';
import type { AttendanceStatus } from '../../../src/contracts/sync.js';
import type { AttendanceEventTable } from '../db/schema.js';
import { badRequest } from '../errors.js';
import { enrolledOn } from '../repositories/attendance.js';
import { loadCalendar, scheduleSpecs } from '../repositories/calendar.js';
import { chunks, unique, type Executor } from '../repositories/executor.js';
import { deriveStatus } from '../services/attendance-status.js';

export const MAX_RANGE_DAYS = 366;

export type Counts = Record<AttendanceStatus, number>;
export const zeroCounts = (): Counts => ({ present: 0, late: 0, absent: 0, excused: 0 });

/**
 * Refuses a range before any work, arithmetically: listing the days first made a teacher's
 * `?from=0001-01-01&to=9999-12-31` cost seconds and hundreds of MB (security review, finding 4).
 */
export function assertRange(from: string, to: string): void {
  if (from > to) throw badRequest(`from (${from}) is after to (${to})`, 'bad_range', 'to');
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  if (!(days <= MAX_RANGE_DAYS))
    throw badRequest(`a report covers at most ${MAX_RANGE_DAYS} days`, 'range_too_long');
}

/** Sessions of these schedules at a site between two local dates, oldest first (cancelled ones flagged). */
export async function sessionsOf(
  db: Executor,
  siteId: string,
  specs: readonly ScheduleSpec[],
  from: string,
  to: string,
  timeZone: string,
): Promise<Occurrence[]> {
  if (specs.length === 0) return [];
  return occurrencesBetween(specs, await loadCalendar(db, siteId), from, to, new SiteClock(timeZone), {
    includeCancelled: true,
  });
}

type EventRow = Pick<
  AttendanceEventTable,
  'id' | 'student_id' | 'session_id' | 'kind' | 'status' | 'occurred_at' | 'ref_id' | 'reason'
>;

/** One pair's derived status; `reason` is the deciding correction's (null for a kiosk mark). */
export interface DerivedPair {
  status: AttendanceStatus;
  markedAt: string | null;
  decidedBy: 'mark' | 'manual';
  reason: string | null;
}

/**
 * The derived status of every (session, student) pair that has events, in one query per
 * 500 sessions. Key: `${sessionId}\n${studentId}`; a pair without events is absent.
 */
export async function statusesFor(
  db: Executor,
  sessionIds: readonly string[],
  studentId?: string,
): Promise<Map<string, DerivedPair>> {
  const grouped = new Map<string, EventRow[]>();
  const reasons = new Map<string, string | null>();
  for (const chunk of chunks(unique(sessionIds), 500)) {
    let q = db
      .selectFrom('attendance_events')
      .select(['id', 'student_id', 'session_id', 'kind', 'status', 'occurred_at', 'ref_id', 'reason'])
      .where('session_id', 'in', chunk);
    if (studentId !== undefined) q = q.where('student_id', '=', studentId);
    for (const r of await q.execute()) {
      const key = `${r.session_id ?? ''}\n${r.student_id}`;
      const list = grouped.get(key) ?? [];
      reasons.set(r.id, r.reason);
      list.push(r);
      grouped.set(key, list);
    }
  }
  const out = new Map<string, DerivedPair>();
  for (const [key, rows] of grouped) {
    const d = deriveStatus(
      rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        status: r.status,
        occurredAt: r.occurred_at,
        refId: r.ref_id,
      })),
    );
    if (d.status !== null && d.decidedBy !== null)
      out.set(key, {
        status: d.status,
        markedAt: d.decidedBy.occurredAt,
        decidedBy: d.decidedBy.kind === 'manual' ? 'manual' : 'mark',
        reason: d.decidedBy.kind === 'manual' ? (reasons.get(d.decidedBy.id) ?? null) : null,
      });
  }
  return out;
}

/** Started and not yet ended at `nowIso`: a student not seen so far may still come. */
export const stillRunning = (s: Pick<Occurrence, 'endsAt'>, nowIso: string) => s.endsAt > nowIso;

export const pairKey = (sessionId: string, studentId: string) => `${sessionId}\n${studentId}`;

async function siteTimeZone(db: Executor, siteId: string): Promise<string> {
  const site = await db.selectFrom('sites').select('timezone').where('id', '=', siteId).executeTakeFirst();
  return site?.timezone ?? 'UTC';
}

// ---------------------------------------------------------------- per class

export interface ClassReport {
  class: { id: string; name: string; code: string | null; teacherId: string | null };
  from: string;
  to: string;
  timezone: string;
  sessions: {
    sessionId: string;
    date: string;
    startTime: string;
    endTime: string;
    roomId: string;
    cancelled: boolean;
    counts: Counts;
  }[];
  students: {
    studentId: string;
    studentNumber: string;
    name: string;
    counts: Counts;
    attendanceRate: number | null;
    statuses: (AttendanceStatus | null)[];
  }[];
  /** [console] The class's sessions of each date added up, with the rate of that day (the history chart). */
  days: { date: string; counts: Counts; attendanceRate: number | null }[];
  totals: Counts;
}

/** Share of held sessions the student attended (present or late); excused sessions are left out. */
export function attendanceRate(c: Counts): number | null {
  const held = c.present + c.late + c.absent;
  return held === 0 ? null : Math.round(((c.present + c.late) / held) * 1000) / 1000;
}

export async function classReport(
  db: Executor,
  classId: string,
  from: string,
  to: string,
  now: Date,
): Promise<ClassReport> {
  assertRange(from, to);
  const cls = await db.selectFrom('classes').selectAll().where('id', '=', classId).executeTakeFirstOrThrow();
  const timezone = await siteTimeZone(db, cls.site_id);
  const [specs, enrolments] = await Promise.all([
    scheduleSpecs(db, { classIds: [classId] }),
    db
      .selectFrom('enrolments')
      .innerJoin('students', 'students.id', 'enrolments.student_id')
      .select([
        'students.id',
        'students.student_number',
        'students.name',
        'enrolments.created_at',
        'enrolments.valid_from',
        'enrolments.valid_until',
      ])
      .where('enrolments.class_id', '=', classId)
      .orderBy('students.student_number')
      .execute(),
  ]);
  const nowIso = now.toISOString();
  const clock = new SiteClock(timezone);
  const sessions = (await sessionsOf(db, cls.site_id, specs, from, to, timezone)).filter(
    (s) => s.startsAt <= nowIso,
  );
  const statuses = await statusesFor(
    db,
    sessions.map((s) => s.sessionId),
  );
  const totals = zeroCounts();
  const sessionCounts = sessions.map(() => zeroCounts());
  const rows = enrolments.flatMap((st) => {
    const counts = zeroCounts();
    let listed = false;
    const row = sessions.map((s, i) => {
      if (!enrolledOn(st, s)) return null; // not on this session's list
      listed = true;
      const marked = statuses.get(pairKey(s.sessionId, st.id))?.status;
      // A cancelled session shows the marks it had, and nobody is absent from it.
      if (s.cancelled) return marked ?? null;
      // Not over yet: not seen so far is not an absence (null, counted nowhere).
      if (marked === undefined && stillRunning(s, nowIso)) return null;
      const status = marked ?? 'absent';
      counts[status] += 1;
      (sessionCounts[i] as Counts)[status] += 1;
      totals[status] += 1;
      return status;
    });
    // Everyone on a list of the range appears; others only if enrolled during the range (a
    // class without sessions yet still lists its members). A later edit never adds a row.
    const startDate = st.valid_from ?? clock.wallClockAt(new Date(st.created_at)).date;
    if (!listed && (startDate > to || (st.valid_until !== null && st.valid_until < from))) return [];
    return [
      {
        studentId: st.id,
        studentNumber: st.student_number,
        name: st.name,
        counts,
        attendanceRate: attendanceRate(counts),
        statuses: row,
      },
    ];
  });
  const byDay = new Map<string, Counts>();
  sessions.forEach((s, i) => {
    const day = byDay.get(s.date) ?? zeroCounts();
    for (const k of Object.keys(day) as AttendanceStatus[]) day[k] += (sessionCounts[i] as Counts)[k];
    byDay.set(s.date, day);
  });
  return {
    class: { id: cls.id, name: cls.name, code: cls.code, teacherId: cls.teacher_id },
    from,
    to,
    timezone,
    days: [...byDay].map(([date, counts]) => ({ date, counts, attendanceRate: attendanceRate(counts) })),
    sessions: sessions.map((s, i) => ({
      sessionId: s.sessionId,
      date: s.date,
      startTime: s.startTime,
      endTime: s.endTime,
      roomId: s.roomId,
      cancelled: s.cancelled,
      counts: sessionCounts[i] as Counts,
    })),
    students: rows,
    totals,
  };
}

// ---------------------------------------------------------------- per student

export interface StudentReport {
  student: { id: string; studentNumber: string; name: string };
  from: string;
  to: string;
  /** The student's site's zone, in which `markedAt` is read. */
  timezone: string;
  sessions: {
    sessionId: string;
    date: string;
    startTime: string;
    endTime: string;
    class: { id: string; name: string };
    status: AttendanceStatus;
    markedAt: string | null;
    decidedBy: 'mark' | 'manual' | 'none';
    /** The reason of the correction that decided the status (null: a kiosk mark or none). */
    reason: string | null;
  }[];
  counts: Counts;
  attendanceRate: number | null;
}

/**
 * The student's sessions in the classes they are enrolled in, limited to `onlyClassIds`
 * when given (a teacher sees only their own classes' rows).
 */
export async function studentReport(
  db: Executor,
  studentId: string,
  from: string,
  to: string,
  now: Date,
  onlyClassIds?: ReadonlySet<string>,
): Promise<StudentReport> {
  assertRange(from, to);
  const student = await db
    .selectFrom('students')
    .select(['id', 'student_number', 'name', 'site_id'])
    .where('id', '=', studentId)
    .executeTakeFirstOrThrow();
  const timezone = await siteTimeZone(db, student.site_id);
  let enrolments = await db
    .selectFrom('enrolments')
    .innerJoin('classes', 'classes.id', 'enrolments.class_id')
    .select([
      'classes.id',
      'classes.name',
      'enrolments.created_at',
      'enrolments.valid_from',
      'enrolments.valid_until',
    ])
    .where('enrolments.student_id', '=', studentId)
    .execute();
  if (onlyClassIds) enrolments = enrolments.filter((c) => onlyClassIds.has(c.id));
  const classNames = new Map(enrolments.map((c) => [c.id, c.name]));
  const byClass = new Map(enrolments.map((c) => [c.id, c]));
  const specs = await scheduleSpecs(db, { classIds: [...classNames.keys()] });
  const nowIso = now.toISOString();
  // Held (not cancelled) sessions of the classes on the dates the student was on their list.
  const sessions = (await sessionsOf(db, student.site_id, specs, from, to, timezone)).filter((s) => {
    const e = byClass.get(s.classId);
    return s.startsAt <= nowIso && !s.cancelled && e !== undefined && enrolledOn(e, s);
  });
  const statuses = await statusesFor(
    db,
    sessions.map((s) => s.sessionId),
    studentId,
  );
  const counts = zeroCounts();
  const rows = sessions.flatMap((s) => {
    const st = statuses.get(pairKey(s.sessionId, studentId));
    // A session still running that has nothing for them yet is left out until it ends.
    if (st === undefined && stillRunning(s, nowIso)) return [];
    const status = st?.status ?? 'absent';
    counts[status] += 1;
    return [
      {
        sessionId: s.sessionId,
        date: s.date,
        startTime: s.startTime,
        endTime: s.endTime,
        class: { id: s.classId, name: classNames.get(s.classId) ?? '' },
        status,
        markedAt: st?.markedAt ?? null,
        decidedBy: st?.decidedBy ?? ('none' as const),
        reason: st?.reason ?? null,
      },
    ];
  });
  return {
    student: { id: student.id, studentNumber: student.student_number, name: student.name },
    from,
    to,
    timezone,
    sessions: rows,
    counts,
    attendanceRate: attendanceRate(counts),
  };
}
