// The roster mirror: what the server told this kiosk about students, classes, enrolments,
// rooms and schedules. Written only by the sync pull (and tests), read by the engine and UI.
import type Database from 'better-sqlite3';
import type { z } from 'zod';
import type {
  RosterClass,
  RosterEnrolment,
  RosterRoom,
  RosterSchedule,
  RosterStudent,
} from '../../contracts/sync.js';

export type Student = z.infer<typeof RosterStudent>;
export type ClassRow = z.infer<typeof RosterClass>;
export type Enrolment = z.infer<typeof RosterEnrolment>;
export type Room = z.infer<typeof RosterRoom>;
export type Schedule = z.infer<typeof RosterSchedule>;

interface StudentRecord {
  id: string;
  student_number: string;
  name: string;
  consent: number;
}
interface ScheduleRecord {
  id: string;
  class_id: string;
  room_id: string;
  weekday: number | null;
  date: string | null;
  start_time: string;
  end_time: string;
  grace_minutes: number;
  versions: string | null;
}

const toStudent = (r: StudentRecord): Student => ({
  id: r.id,
  studentNumber: r.student_number,
  name: r.name,
  consent: r.consent === 1,
});
const toSchedule = (r: ScheduleRecord): Schedule => ({
  id: r.id,
  classId: r.class_id,
  roomId: r.room_id,
  weekday: r.weekday,
  date: r.date,
  startTime: r.start_time,
  endTime: r.end_time,
  graceMinutes: r.grace_minutes,
  ...(r.versions !== null ? { versions: JSON.parse(r.versions) as Schedule['versions'] } : {}),
});

export function createRosterRepo(db: Database.Database) {
  const s = {
    upsertStudent: db.prepare(
      `INSERT INTO students (id, student_number, name, consent) VALUES (@id, @studentNumber, @name, @consent)
       ON CONFLICT (id) DO UPDATE SET student_number = excluded.student_number, name = excluded.name, consent = excluded.consent`,
    ),
    deleteStudent: db.prepare('DELETE FROM students WHERE id = ?'),
    deleteStudentTemplates: db.prepare('DELETE FROM templates WHERE student_id = ?'),
    // Door captures not yet answered hold an embedding of the student: erased with them.
    deleteStudentCaptures: db.prepare('DELETE FROM door_captures WHERE student_id = ?'),
    deleteStudentEnrolments: db.prepare('DELETE FROM enrolments WHERE student_id = ?'),
    getStudent: db.prepare('SELECT * FROM students WHERE id = ?'),
    studentIds: db.prepare('SELECT id FROM students').pluck(),
    listStudents: db.prepare(
      `SELECT * FROM students WHERE (@q = '' OR name LIKE '%' || @q || '%' OR student_number LIKE '%' || @q || '%')
       ORDER BY name, id`,
    ),
    upsertClass: db.prepare(
      `INSERT INTO classes (id, name, code, arrival_minutes) VALUES (@id, @name, @code, @arrivalMinutes)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, code = excluded.code, arrival_minutes = excluded.arrival_minutes`,
    ),
    deleteClass: db.prepare('DELETE FROM classes WHERE id = ?'),
    getClass: db.prepare('SELECT id, name, code, arrival_minutes FROM classes WHERE id = ?'),
    upsertEnrolment: db.prepare(
      `INSERT INTO enrolments (id, class_id, student_id) VALUES (@id, @classId, @studentId)
       ON CONFLICT (id) DO UPDATE SET class_id = excluded.class_id, student_id = excluded.student_id`,
    ),
    deleteEnrolment: db.prepare('DELETE FROM enrolments WHERE id = ?'),
    isEnrolled: db.prepare('SELECT 1 FROM enrolments WHERE class_id = ? AND student_id = ? LIMIT 1'),
    upsertRoom: db.prepare(
      `INSERT INTO rooms (id, name) VALUES (@id, @name) ON CONFLICT (id) DO UPDATE SET name = excluded.name`,
    ),
    deleteRoom: db.prepare('DELETE FROM rooms WHERE id = ?'),
    getRoom: db.prepare('SELECT id, name FROM rooms WHERE id = ?'),
    upsertSchedule: db.prepare(
      `INSERT INTO schedules (id, class_id, room_id, weekday, date, start_time, end_time, grace_minutes, versions)
       VALUES (@id, @classId, @roomId, @weekday, @date, @startTime, @endTime, @graceMinutes, @versions)
       ON CONFLICT (id) DO UPDATE SET class_id = excluded.class_id, room_id = excluded.room_id,
         weekday = excluded.weekday, date = excluded.date, start_time = excluded.start_time,
         end_time = excluded.end_time, grace_minutes = excluded.grace_minutes, versions = excluded.versions`,
    ),
    deleteSchedule: db.prepare('DELETE FROM schedules WHERE id = ?'),
    schedulesForRoom: db.prepare('SELECT * FROM schedules WHERE room_id = ?'),
    allSchedules: db.prepare('SELECT * FROM schedules'),
  };

  return {
    /**
     * Without consent a student keeps no face here, as on the server (which deletes their
     * templates when consent is withdrawn but can tombstone only the ones it holds): templates
     * enrolled at this kiosk and door captures not yet accepted go too.
     */
    upsertStudent: (v: Student) => {
      s.upsertStudent.run({ ...v, consent: v.consent ? 1 : 0 });
      if (!v.consent) {
        s.deleteStudentTemplates.run(v.id);
        s.deleteStudentCaptures.run(v.id);
      }
    },
    /** A deleted student vanishes with their templates and enrolments; their past events stay in the log. */
    deleteStudent: (id: string) => {
      s.deleteStudentTemplates.run(id);
      s.deleteStudentCaptures.run(id);
      s.deleteStudentEnrolments.run(id);
      s.deleteStudent.run(id);
    },
    getStudent: (id: string): Student | null => {
      const r = s.getStudent.get(id) as StudentRecord | undefined;
      return r ? toStudent(r) : null;
    },
    studentIds: (): string[] => s.studentIds.all() as string[],
    listStudents: (q: string): Student[] => (s.listStudents.all({ q }) as StudentRecord[]).map(toStudent),
    upsertClass: (v: ClassRow) =>
      void s.upsertClass.run({
        id: v.id,
        name: v.name,
        code: v.code ?? null,
        arrivalMinutes: v.arrivalMinutes ?? null,
      }),
    deleteClass: (id: string) => void s.deleteClass.run(id),
    getClass: (id: string): ClassRow | null => {
      const r = s.getClass.get(id) as
        { id: string; name: string; code: string | null; arrival_minutes: number | null } | undefined;
      return r
        ? {
            id: r.id,
            name: r.name,
            ...(r.code !== null ? { code: r.code } : {}),
            ...(r.arrival_minutes !== null ? { arrivalMinutes: r.arrival_minutes } : {}),
          }
        : null;
    },
    upsertEnrolment: (v: Enrolment) => void s.upsertEnrolment.run(v),
    deleteEnrolment: (id: string) => void s.deleteEnrolment.run(id),
    isEnrolled: (classId: string, studentId: string) => s.isEnrolled.get(classId, studentId) !== undefined,
    upsertRoom: (v: Room) => void s.upsertRoom.run(v),
    deleteRoom: (id: string) => void s.deleteRoom.run(id),
    getRoom: (id: string): Room | null => (s.getRoom.get(id) as Room | undefined) ?? null,
    upsertSchedule: (v: Schedule) =>
      void s.upsertSchedule.run({
        id: v.id,
        classId: v.classId,
        roomId: v.roomId,
        weekday: v.weekday,
        date: v.date,
        startTime: v.startTime,
        endTime: v.endTime,
        graceMinutes: v.graceMinutes,
        versions: v.versions ? JSON.stringify(v.versions) : null,
      }),
    deleteSchedule: (id: string) => void s.deleteSchedule.run(id),
    schedulesForRoom: (roomId: string): Schedule[] =>
      (s.schedulesForRoom.all(roomId) as ScheduleRecord[]).map(toSchedule),
    /** Every schedule: with versions (and moved sessions) a schedule may meet in another room on some dates. */
    allSchedules: (): Schedule[] => (s.allSchedules.all() as ScheduleRecord[]).map(toSchedule),
  };
}
export type RosterRepo = ReturnType<typeof createRosterRepo>;
