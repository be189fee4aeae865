// Attendance events: append-only facts, inserted by id (a re-sent event is a harmless
// duplicate), and the per-session report derived from them.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AttendanceEvent, AttendanceStatus, ItemResult } from '../../../src/contracts/sync.js';
import type { AttendanceEventTable, ClassTable, DB, ScheduleTable } from '../db/schema.js';
import { badRequest } from '../errors.js';
import type { CorrectionRequest, SessionReport } from '../schemas/attendance.js';
import { deriveStatus, type StatusEvent } from '../services/attendance-status.js';
import {
  DEFAULT_ARRIVAL_MINUTES,
  meetsOn,
  versionOn,
  type Occurrence,
} from '../../../src/contracts/occurrences.js';
import { SiteClock } from '../../../src/contracts/site-time.js';
import { parseSessionId } from '../services/sessions.js';
import { resolveOccurrence } from './calendar.js';
import { writeAudit, type Actor } from './audit.js';
import { getClass, getSchedule } from './classes.js';
import { lockActiveClass } from './class-lock.js';
import { chunks, unique, type Executor } from './executor.js';

interface ScheduleInfo {
  id: string;
  site_id: string;
  /** The class's own arrival window (minutes before the start); null: the site's. */
  arrival_minutes: number | null;
  versions: {
    validFrom: string | null;
    validUntil: string | null;
    weekday: number | null;
    date: string | null;
    startTime: string;
  }[];
}

async function schedulesById(db: Executor, ids: readonly string[]): Promise<Map<string, ScheduleInfo>> {
  const out = new Map<string, ScheduleInfo>();
  for (const chunk of chunks(unique(ids), 500)) {
    const [rows, versions] = await Promise.all([
      db
        .selectFrom('schedules')
        .innerJoin('classes', 'classes.id', 'schedules.class_id')
        .select(['schedules.id', 'classes.site_id', 'classes.arrival_minutes'])
        .where('schedules.id', 'in', chunk)
        .execute(),
      db
        .selectFrom('schedule_versions')
        .select(['schedule_id', 'valid_from', 'valid_until', 'weekday', 'date', 'start_time'])
        .where('schedule_id', 'in', chunk)
        .execute(),
    ]);
    rows.forEach((r) => out.set(r.id, { ...r, versions: [] }));
    for (const v of versions)
      out.get(v.schedule_id)?.versions.push({
        validFrom: v.valid_from,
        validUntil: v.valid_until,
        weekday: v.weekday,
        date: v.date,
        startTime: v.start_time,
      });
  }
  return out;
}

async function studentSites(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const chunk of chunks(unique(ids), 500)) {
    const rows = await db.selectFrom('students').select(['id', 'site_id']).where('id', 'in', chunk).execute();
    rows.forEach((r) => out.set(r.id, r.site_id));
  }
  return out;
}

interface RefInfo {
  student_id: string;
  session_id: string | null;
}

async function eventsById(db: Executor, ids: readonly string[]): Promise<Map<string, RefInfo>> {
  const out = new Map<string, RefInfo>();
  for (const chunk of chunks(unique(ids), 500)) {
    const rows = await db
      .selectFrom('attendance_events')
      .select(['id', 'student_id', 'session_id'])
      .where('id', 'in', chunk)
      .execute();
    rows.forEach((r) => out.set(r.id, r));
  }
  return out;
}

function shapeProblem(e: AttendanceEvent): string | null {
  switch (e.kind) {
    case 'mark':
      if (e.sessionId === null) return 'invalid_event: a mark needs a sessionId';
      if (e.status !== 'present' && e.status !== 'late')
        return 'invalid_event: a mark has status present or late';
      return null;
    case 'manual':
      if (e.sessionId === null) return 'invalid_event: a manual mark needs a sessionId';
      if (e.status === null) return 'invalid_event: a manual mark needs a status';
      return null;
    case 'undo':
      if (e.sessionId === null) return 'invalid_event: an undo needs a sessionId';
      if (e.refId === undefined) return 'invalid_event: an undo needs a refId';
      return null;
    case 'exception':
      return null;
  }
}

/**
 * How far ahead of the server's clock a kiosk's clock may run. A device's event times are its
 * word, and the latest standing manual event decides a status, so a time in the future taken at
 * its word would outrank every correction a teacher makes until then, long after the device was
 * revoked; and a mark for a later session would be waiting when that session came. Times later
 * than this past arrival are brought back to it (`occurredTimes`), and a session whose door had
 * not opened by then (its arrival window starts later: `opensAt`) is refused. Ten minutes is far
 * more than an NTP-synchronised clock drifts and less than a lesson, so a forged time wins
 * nothing for longer than that, and an honest kiosk, which marks only inside a session's window
 * by its own clock, is never refused.
 */
export const KIOSK_CLOCK_ALLOWANCE_MS = 10 * 60_000;

/**
 * When each pushed event happened, in UTC (text order is time order), none later than `latest`.
 * The events past it are brought back to the last milliseconds before it in the order they were
 * sent, so a kiosk whose clock runs far ahead keeps the order of its own events (its correction
 * after its mark still decides) instead of tying them all at one instant.
 */
function occurredTimes(events: readonly AttendanceEvent[], latest: Date): string[] {
  const out = events.map((e) => new Date(e.occurredAt).toISOString());
  const late = events
    .map((e, i) => ({ at: Date.parse(e.occurredAt), i }))
    .filter(({ at }) => at > latest.getTime())
    .sort((a, b) => a.at - b.at || a.i - b.i);
  late.forEach(({ i }, rank) => {
    out[i] = new Date(latest.getTime() - (late.length - 1 - rank)).toISOString();
  });
  return out;
}

/** Where the calendar moved a session: its new date and start, each null when unchanged. */
interface Move {
  toDate: string | null;
  startTime: string | null;
}

/** Moved sessions among those named: `${scheduleId}@${originalDate}` → where it is held. */
async function moves(
  db: Executor,
  sessions: readonly { scheduleId: string; date: string }[],
): Promise<Map<string, Move>> {
  const out = new Map<string, Move>();
  for (const chunk of chunks(unique(sessions.map((x) => x.scheduleId)), 500)) {
    const rows = await db
      .selectFrom('session_changes')
      .select(['schedule_id', 'date', 'to_date', 'start_time'])
      .where('kind', '=', 'moved')
      .where('schedule_id', 'in', chunk)
      .where('date', 'in', unique(sessions.map((x) => x.date)))
      .execute();
    for (const r of rows)
      out.set(`${r.schedule_id}@${r.date}`, { toDate: r.to_date, startTime: r.start_time });
  }
  return out;
}

export interface IngestSource {
  deviceId: string | null;
  /** Events must be about students and sessions of this site. */
  siteId: string;
}

/**
 * Validates a batch and inserts the valid events with ON CONFLICT DO NOTHING: the ids that
 * come back were new (accepted), the others were already stored (duplicate). One statement
 * per chunk and no lock beyond it, so concurrent kiosks and instances do not serialise.
 *
 * An archived class is not checked here, on purpose: a kiosk that was offline delivers marks it
 * took before it heard of the archive, and those are facts of sessions the class held. Nothing
 * later can land: the archive ended the schedules, so a session after it is `unknown_session`.
 */
export async function ingestAttendance(
  db: Kysely<DB>,
  events: readonly AttendanceEvent[],
  from: IngestSource,
  now: string,
): Promise<ItemResult[]> {
  const sessions = new Map<string, ReturnType<typeof parseSessionId>>();
  for (const e of events)
    if (e.sessionId !== null && !sessions.has(e.sessionId))
      sessions.set(e.sessionId, parseSessionId(e.sessionId));
  const scheduleIds = [...sessions.values()].flatMap((s) => (s ? [s.scheduleId] : []));
  const batchIds = new Set(events.map((e) => e.id));
  const externalRefs = events.flatMap((e) =>
    e.kind === 'undo' && e.refId !== undefined && !batchIds.has(e.refId) ? [e.refId] : [],
  );
  const latestTime = new Date(Date.parse(now) + KIOSK_CLOCK_ALLOWANCE_MS);
  const occurredAt = occurredTimes(events, latestTime);
  const [students, schedules, refs, site] = await Promise.all([
    studentSites(
      db,
      events.map((e) => e.studentId),
    ),
    schedulesById(db, scheduleIds),
    eventsById(db, externalRefs),
    db
      .selectFrom('sites')
      .select(['timezone', 'arrival_minutes'])
      .where('id', '=', from.siteId)
      .executeTakeFirst(),
  ]);
  const named = [...sessions.values()].flatMap((x) => (x ? [x] : []));
  const moved = named.length > 0 ? await moves(db, named) : new Map<string, Move>();
  /**
   * When the session's door opens: its arrival window's start (the class's window, else the
   * site's) before its start time on the date it is held, in the site's zone, where the calendar
   * may have moved it. Its door had not opened by the latest time an honest kiosk's clock can
   * show, so no kiosk can have seen anyone arrive for it. Once per session of the batch, on one
   * clock: a batch holds up to 500 events of a few sessions, and a clock's time-zone formatter
   * costs far more than the rest of an event's checks.
   */
  const clock = new SiteClock(site?.timezone ?? 'UTC');
  const opened = new Map<string, number>();
  const opensAt = (sessionId: string, date: string, schedule: ScheduleInfo, startTime: string): number => {
    const known = opened.get(sessionId);
    if (known !== undefined) return known;
    const move = moved.get(sessionId);
    const startsAt = clock.instantOf(move?.toDate ?? date, move?.startTime ?? startTime);
    const arrivalMinutes = schedule.arrival_minutes ?? site?.arrival_minutes ?? DEFAULT_ARRIVAL_MINUTES;
    const at = startsAt.getTime() - arrivalMinutes * 60_000;
    opened.set(sessionId, at);
    return at;
  };

  const results: ItemResult[] = new Array(events.length);
  const rows: AttendanceEventTable[] = [];
  const rowIndex = new Map<string, number>();
  const firstIndex = new Map<string, number>();
  events.forEach((e, i) => {
    if (firstIndex.has(e.id)) {
      results[i] = { id: e.id, status: 'duplicate' };
      return;
    }
    firstIndex.set(e.id, i);
    const reason = rejectReason(e);
    if (reason !== null) {
      results[i] = { id: e.id, status: 'rejected', reason };
      return;
    }
    rowIndex.set(e.id, i);
    rows.push({
      id: e.id,
      device_id: from.deviceId,
      student_id: e.studentId,
      session_id: e.sessionId,
      kind: e.kind,
      status: e.kind === 'exception' ? null : e.status,
      occurred_at: occurredAt[i] as string,
      ref_id: e.refId ?? null,
      scores: e.scores === undefined ? null : JSON.stringify(e.scores),
      model_id: e.modelId ?? null,
      actor: e.actor ?? null,
      reason: e.reason ?? null,
      received_at: now,
    });
  });

  function rejectReason(e: AttendanceEvent): string | null {
    const shape = shapeProblem(e);
    if (shape !== null) return shape;
    if (students.get(e.studentId) !== from.siteId) return 'unknown_student';
    if (e.sessionId !== null) {
      const parsed = sessions.get(e.sessionId);
      const schedule = parsed ? schedules.get(parsed.scheduleId) : undefined;
      if (!parsed || !schedule || schedule.site_id !== from.siteId) return 'unknown_session';
      // The version of the schedule in force on that date decides. A mark on a day the calendar
      // now calls off is still a fact and is kept (reports leave the day out).
      const version = versionOn(schedule, parsed.date);
      if (!version || !meetsOn(version, parsed.date))
        return 'unknown_session: the schedule does not occur on that date';
      if (site && opensAt(e.sessionId, parsed.date, schedule, version.startTime) > latestTime.getTime())
        return 'unknown_session: the session has not begun yet';
    }
    if (e.kind === 'undo' && e.refId !== undefined) {
      const inBatch = events.find((x) => x.id === e.refId);
      const ref: RefInfo | undefined = inBatch
        ? { student_id: inBatch.studentId, session_id: inBatch.sessionId }
        : refs.get(e.refId);
      if (!ref) return 'unknown_ref';
      if (ref.student_id !== e.studentId || ref.session_id !== e.sessionId)
        return 'unknown_ref: refers to another student or session';
    }
    return null;
  }

  const inserted = new Set<string>();
  // 13 columns × 500 rows stays well below both databases' bound-parameter limits.
  for (const chunk of chunks(rows, 500)) {
    const back = await db
      .insertInto('attendance_events')
      .values(chunk)
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute();
    back.forEach((r) => inserted.add(r.id));
  }
  for (const [id, i] of rowIndex) results[i] = { id, status: inserted.has(id) ? 'accepted' : 'duplicate' };
  return results;
}

// ---------------------------------------------------------------- sessions and reports

export interface ResolvedSession {
  sessionId: string;
  /** The date in the session id (the date it was due on; `occurrence.date` if it was moved). */
  date: string;
  schedule: ScheduleTable;
  cls: ClassTable;
  /** When, where and whether it is held: the schedule version of its date and the calendar. */
  occurrence: Occurrence;
}

/**
 * A session exists when the version of its schedule in force on its date meets that day and
 * the day is a school day at the site (a cancelled session still exists); otherwise 404.
 */
export async function resolveSession(db: Executor, sessionId: string): Promise<ResolvedSession> {
  const { parsed, occurrence } = await resolveOccurrence(db, sessionId);
  const schedule = await getSchedule(db, parsed.scheduleId);
  return { sessionId, date: parsed.date, schedule, cls: await getClass(db, schedule.class_id), occurrence };
}

/** Enrolments of a class on the list for a session (its date within the enrolment's from/until). */
export async function enrolledFor(
  db: Executor,
  classId: string,
  o: Pick<Occurrence, 'originalDate' | 'endsAt'>,
) {
  const rows = await db
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
    .execute();
  return rows.filter((r) => enrolledOn(r, o));
}

/**
 * Whether an enrolment covers a session: from `valid_from` (or, when unset, for sessions that
 * ended after the enrolment was made) until `valid_until`, both by the session's date.
 */
export function enrolledOn(
  e: { created_at: string; valid_from: string | null; valid_until: string | null },
  o: Pick<Occurrence, 'originalDate' | 'endsAt'>,
): boolean {
  if (e.valid_from !== null ? o.originalDate < e.valid_from : o.endsAt <= e.created_at) return false;
  return e.valid_until === null || o.originalDate <= e.valid_until;
}

type EventRow = Pick<
  AttendanceEventTable,
  | 'id'
  | 'student_id'
  | 'kind'
  | 'status'
  | 'occurred_at'
  | 'ref_id'
  | 'scores'
  | 'actor'
  | 'reason'
  | 'device_id'
>;

const toStatusEvent = (
  r: Pick<EventRow, 'id' | 'kind' | 'status' | 'occurred_at' | 'ref_id'>,
): StatusEvent => ({ id: r.id, kind: r.kind, status: r.status, occurredAt: r.occurred_at, refId: r.ref_id });

async function sessionEvents(db: Executor, sessionId: string): Promise<Map<string, EventRow[]>> {
  const rows = await db
    .selectFrom('attendance_events')
    .select([
      'id',
      'student_id',
      'kind',
      'status',
      'occurred_at',
      'ref_id',
      'scores',
      'actor',
      'reason',
      'device_id',
    ])
    .where('session_id', '=', sessionId)
    .execute();
  const byStudent = new Map<string, EventRow[]>();
  for (const r of rows) {
    const list = byStudent.get(r.student_id) ?? [];
    list.push(r);
    byStudent.set(r.student_id, list);
  }
  return byStudent;
}

/** The similarity of a stored `scores` JSON (DecisionScores), or null when absent or unreadable. */
function similarityOf(scores: string | null): number | null {
  if (scores === null) return null;
  try {
    const parsed: unknown = JSON.parse(scores);
    const v =
      typeof parsed === 'object' && parsed !== null
        ? (parsed as { similarity?: unknown }).similarity
        : undefined;
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

/** Names of the users whose emails label corrections (one query for the whole report). */
async function userNames(db: Executor, emails: readonly (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(emails.filter((e): e is string => e !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['email', 'name']).where('email', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.email, r.name]));
}

/** Names of the kiosks whose pushed corrections decide a row (one query, only when there are some). */
async function deviceNames(db: Executor, ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((e): e is string => e !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('devices').select(['id', 'name']).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/**
 * Who a manual decision is attributed to. A correction made here names its user (email and
 * current name). One a kiosk pushed names the kiosk: the `actor` text a kiosk sends is its own
 * free-form label, so a user's email in it must not borrow that user's name (a device token
 * could otherwise sign its marks as the head teacher).
 */
function attribution(
  actor: string | null,
  deviceId: string | null,
  users: Map<string, string>,
  devices: Map<string, string>,
): { actor: string | null; actorName: string | null } {
  if (deviceId !== null)
    return { actor: `device:${deviceId}`, actorName: `${devices.get(deviceId) ?? 'a kiosk'} (kiosk)` };
  return { actor, actorName: actor === null ? null : (users.get(actor) ?? actor) };
}

/** Two queries whatever the class size (up to four with corrections): the enrolled students, the session's events, the correctors' names (users', kiosks'). */
export async function sessionReport(db: Executor, session: ResolvedSession): Promise<SessionReport> {
  const [enrolled, byStudent] = await Promise.all([
    enrolledFor(db, session.cls.id, session.occurrence),
    sessionEvents(db, session.sessionId),
  ]);
  const counts = { present: 0, late: 0, absent: 0, excused: 0 };
  const students = enrolled.map((s) => {
    const events = byStudent.get(s.id) ?? [];
    byStudent.delete(s.id);
    const derived = deriveStatus(events.map(toStatusEvent));
    const status: AttendanceStatus = derived.status ?? 'absent';
    const decider =
      derived.decidedBy === null ? undefined : events.find((e) => e.id === derived.decidedBy?.id);
    counts[status] += 1;
    return {
      studentId: s.id,
      studentNumber: s.student_number,
      name: s.name,
      status,
      eventsCount: events.length,
      markedAt: derived.decidedBy?.occurredAt ?? null,
      decidedBy:
        derived.decidedBy === null
          ? ('none' as const)
          : derived.decidedBy.kind === 'manual'
            ? ('manual' as const)
            : ('mark' as const),
      eventId: decider?.id ?? null,
      similarity: similarityOf(decider?.scores ?? null),
      actor: decider?.kind === 'manual' ? decider.actor : null,
      actorDevice: decider?.kind === 'manual' ? decider.device_id : null,
      reason: decider?.kind === 'manual' ? decider.reason : null,
    };
  });
  const [names, kiosks] = await Promise.all([
    userNames(
      db,
      students.map((s) => (s.actorDevice === null ? s.actor : null)),
    ),
    deviceNames(
      db,
      students.map((s) => s.actorDevice),
    ),
  ]);
  return {
    sessionId: session.sessionId,
    scheduleId: session.schedule.id,
    date: session.occurrence.date,
    class: { id: session.cls.id, name: session.cls.name },
    roomId: session.occurrence.roomId,
    startTime: session.occurrence.startTime,
    endTime: session.occurrence.endTime,
    graceMinutes: session.occurrence.graceMinutes,
    cancelled: session.occurrence.cancelled,
    students: students.map(({ actorDevice, ...s }) => ({
      ...s,
      ...attribution(s.actor, actorDevice, names, kiosks),
    })),
    counts,
    notEnrolled: await seenNotEnrolled(db, byStudent),
  };
}

/** The students seen but not on the list (what is left of `byStudent`), latest first, with their names. */
async function seenNotEnrolled(db: Executor, byStudent: Map<string, EventRow[]>) {
  const ids = [...byStudent.keys()];
  const named = new Map<string, { student_number: string; name: string }>();
  for (const chunk of chunks(ids, 500)) {
    const rows = await db
      .selectFrom('students')
      .select(['id', 'student_number', 'name'])
      .where('id', 'in', chunk)
      .execute();
    for (const r of rows) named.set(r.id, r);
  }
  return ids
    .flatMap((studentId) => {
      const student = named.get(studentId);
      const events = byStudent.get(studentId) ?? [];
      if (!student) return [];
      const lastSeenAt = events.reduce((at, e) => (e.occurred_at > at ? e.occurred_at : at), '');
      return [
        {
          studentId,
          studentNumber: student.student_number,
          name: student.name,
          eventsCount: events.length,
          lastSeenAt,
        },
      ];
    })
    .sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt));
}

export async function studentSessionStatus(
  db: Executor,
  sessionId: string,
  studentId: string,
): Promise<AttendanceStatus> {
  return statusOf(await studentSessionEvents(db, sessionId, studentId));
}

async function studentSessionEvents(
  db: Executor,
  sessionId: string,
  studentId: string,
): Promise<StatusEvent[]> {
  const rows = await db
    .selectFrom('attendance_events')
    .select(['id', 'student_id', 'kind', 'status', 'occurred_at', 'ref_id'])
    .where('session_id', '=', sessionId)
    .where('student_id', '=', studentId)
    .execute();
  return rows.map(toStatusEvent);
}

const statusOf = (events: readonly StatusEvent[]): AttendanceStatus =>
  deriveStatus(events).status ?? 'absent';

/**
 * A teacher's or admin's correction, stored as an event (never an edit) with who and why. An
 * archived class's sessions are history as they stood (409 `class_archived`, under the class's
 * lock); a kiosk's late push of a mark it took before the archive is a fact and still accepted
 * (`ingestAttendance`). Its audit row, in the same transaction, holds the student's status in the
 * session before and after (`from`, `to`); never the reason, which is free text about a child.
 * Both come from ONE read of the student's events plus the new one: kiosk marks do not take the
 * class's lock, so on PostgreSQL (read committed) a second read could see a mark committed in
 * between and credit this correction with it.
 */
export async function recordCorrection(
  db: Kysely<DB>,
  session: ResolvedSession,
  req: CorrectionRequest,
  actor: Actor & { label: string },
  now: string,
) {
  const id = req.id ?? randomUUID();
  const inserted = await db.transaction().execute(async (trx) => {
    await lockActiveClass(trx, session.cls.id);
    const enrolled = await trx
      .selectFrom('enrolments')
      .select('id')
      .where('class_id', '=', session.cls.id)
      .where('student_id', '=', req.studentId)
      .executeTakeFirst();
    if (!enrolled)
      throw badRequest(`student ${req.studentId} is not enrolled in class ${session.cls.id}`, 'not_enrolled');
    if (req.kind === 'undo') {
      const ref = await trx
        .selectFrom('attendance_events')
        .select(['student_id', 'session_id'])
        .where('id', '=', req.refId)
        .executeTakeFirst();
      if (!ref || ref.student_id !== req.studentId || ref.session_id !== session.sessionId) {
        throw badRequest(`refId ${req.refId} is not an event of this student in this session`, 'unknown_ref');
      }
    }
    const before = await studentSessionEvents(trx, session.sessionId, req.studentId);
    const event: StatusEvent = {
      id,
      kind: req.kind,
      status: req.kind === 'manual' ? req.status : null,
      occurredAt: now,
      refId: req.kind === 'undo' ? req.refId : null,
    };
    const back = await trx
      .insertInto('attendance_events')
      .values({
        id,
        device_id: null,
        student_id: req.studentId,
        session_id: session.sessionId,
        kind: event.kind,
        status: event.status,
        occurred_at: event.occurredAt,
        ref_id: event.refId,
        scores: null,
        model_id: null,
        actor: actor.label,
        reason: req.reason,
        received_at: now,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute();
    if (back.length === 1) {
      await writeAudit(
        trx,
        {
          actor,
          action: `attendance.${req.kind}`,
          entity: 'attendance_event',
          entityId: id,
          detail: {
            sessionId: session.sessionId,
            studentId: req.studentId,
            from: statusOf(before),
            to: statusOf([...before, event]),
          },
        },
        now,
      );
    }
    return back.length === 1;
  });
  return {
    id,
    status: inserted ? ('accepted' as const) : ('duplicate' as const),
    sessionStatus: await studentSessionStatus(db, session.sessionId, req.studentId),
  };
}
