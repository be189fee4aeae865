import { z } from 'zod';
import { AttendanceStatus, LocalDate } from '../../../src/contracts/sync.js';
import { isRealDate } from '../../../src/contracts/site-time.js';

const RealDate = LocalDate.refine(isRealDate, 'not a calendar date');

export const ReportFormat = z.enum(['json', 'csv']).default('json');

/** Range defaults (to = today at the site, from = 30 days earlier) are applied by the route. */
export const RangeQuery = z.object({
  from: RealDate.optional(),
  to: RealDate.optional(),
  format: ReportFormat,
});
export const FormatQuery = z.object({ format: ReportFormat });

export const Counts = z.object({
  present: z.number().int(),
  late: z.number().int(),
  absent: z.number().int(),
  excused: z.number().int(),
});

export const ClassReport = z.object({
  class: z.object({
    id: z.string(),
    name: z.string(),
    code: z.string().nullable(),
    teacherId: z.string().nullable(),
  }),
  from: z.string(),
  to: z.string(),
  timezone: z.string(),
  /** `cancelled`: listed with the marks taken before the cancellation; nobody is absent from it. */
  sessions: z.array(
    z.object({
      sessionId: z.string(),
      date: z.string(),
      startTime: z.string(),
      endTime: z.string(),
      roomId: z.string(),
      cancelled: z.boolean(),
      counts: Counts,
    }),
  ),
  students: z.array(
    z.object({
      studentId: z.string(),
      studentNumber: z.string(),
      name: z.string(),
      counts: Counts,
      /** (present + late) / (present + late + absent); null when no session was held. */
      attendanceRate: z.number().nullable(),
      /** One status per entry of `sessions`, in the same order; null when not on that session's list (or no mark in a cancelled one, or not seen yet in one still running). */
      statuses: z.array(AttendanceStatus.nullable()),
    }),
  ),
  /** Per date (oldest first): that day's sessions added up and its rate, same rule as the students'. */
  days: z.array(z.object({ date: z.string(), counts: Counts, attendanceRate: z.number().nullable() })),
  totals: Counts,
});

export const StudentReport = z.object({
  student: z.object({ id: z.string(), studentNumber: z.string(), name: z.string() }),
  from: z.string(),
  to: z.string(),
  timezone: z.string(),
  sessions: z.array(
    z.object({
      sessionId: z.string(),
      date: z.string(),
      startTime: z.string(),
      endTime: z.string(),
      class: z.object({ id: z.string(), name: z.string() }),
      status: AttendanceStatus,
      markedAt: z.string().nullable(),
      decidedBy: z.enum(['mark', 'manual', 'none']),
      reason: z.string().nullable(),
    }),
  ),
  counts: Counts,
  attendanceRate: z.number().nullable(),
});

// [console] school-wide reports (reports/school.ts)
export const SchoolReport = z.object({
  from: z.string(),
  to: z.string(),
  classes: z.array(
    z.object({
      classId: z.string(),
      name: z.string(),
      sessions: z.number().int(),
      counts: Counts,
      attendanceRate: z.number().nullable(),
    }),
  ),
  days: z.array(z.object({ date: z.string(), counts: Counts, attendanceRate: z.number().nullable() })),
  totals: Counts,
  attendanceRate: z.number().nullable(),
});
export const Absentees = z.object({
  date: z.string(),
  sessions: z.array(
    z.object({
      sessionId: z.string(),
      class: z.object({ id: z.string(), name: z.string() }),
      startTime: z.string(),
      endTime: z.string(),
      absent: z.array(z.object({ studentId: z.string(), studentNumber: z.string(), name: z.string() })),
    }),
  ),
});
