// Report routes: per session, per class over a date range, per student; JSON by default,
// CSV with ?format=csv. Teachers see only their own classes (403 otherwise); admins all.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorBody } from '../../../src/contracts/sync.js';
import { forbidden } from '../errors.js';
import { userOf } from '../plugins/auth.js';
import { resolveSession, sessionReport } from '../repositories/attendance.js';
import { getClass } from '../repositories/classes.js';
import { getSite } from '../repositories/rooms.js';
import { getStudent } from '../repositories/students.js';
import type { RoutePlugin } from '../routes/types.js';
import { typed } from '../routes/types.js';
import { SessionParams, SessionReport } from '../schemas/attendance.js';
import { IdParams } from '../schemas/common.js';
import { safeFilename, toCsv } from './csv.js';
import { addDays, localDateAt } from '../../../src/contracts/site-time.js';
import { ClassReport, FormatQuery, RangeQuery, StudentReport } from './schemas.js';
import { assertRange, classReport, studentReport } from './service.js';

const DEFAULT_RANGE_DAYS = 30;

function sendCsv(reply: FastifyReply, filename: string, csv: string) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${safeFilename(filename)}.csv"`)
    .send(csv as never);
}

const reports: RoutePlugin = async (app) => {
  const r = typed(app);
  const anyUser = { onRequest: app.requireUser() };
  const security = [{ user: [] }];
  const tags = ['reports'];
  const csvNote =
    "Add `?format=csv` for a CSV file (RFC 4180; text cells that look like formulas are prefixed with ').";

  function assertOwnClass(request: FastifyRequest, teacherId: string | null) {
    const user = userOf(request);
    if (user.role !== 'admin' && teacherId !== user.id) throw forbidden('Not your class');
  }

  async function range(siteId: string, q: { from?: string | undefined; to?: string | undefined }) {
    if (q.from !== undefined && q.to !== undefined) {
      assertRange(q.from, q.to);
      return { from: q.from, to: q.to };
    }
    const site = await getSite(app.ctx.db, siteId);
    const to = q.to ?? localDateAt(app.ctx.clock.now(), site.timezone);
    const from = q.from ?? addDays(to, -DEFAULT_RANGE_DAYS);
    assertRange(from, to);
    return { from, to };
  }

  r.get(
    '/api/reports/sessions/:sessionId',
    {
      ...anyUser,
      schema: {
        tags,
        security,
        summary: 'Attendance of one session: every enrolled student with present/late/absent/excused',
        description: csvNote,
        params: SessionParams,
        querystring: FormatQuery,
        response: { 200: SessionReport, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const session = await resolveSession(app.ctx.db, request.params.sessionId);
      assertOwnClass(request, session.cls.teacher_id);
      const report = await sessionReport(app.ctx.db, session);
      if (request.query.format === 'json') return report;
      const csv = toCsv(
        [
          'session_id',
          'date',
          'class',
          'start',
          'end',
          'student_number',
          'name',
          'status',
          'marked_at',
          'decided_by',
        ],
        // A cancelled session: students without a mark were not absent, the session was.
        report.students.map((s) => [
          report.sessionId,
          report.date,
          report.class.name,
          report.startTime,
          report.endTime,
          s.studentNumber,
          s.name,
          report.cancelled && s.decidedBy === 'none' ? 'cancelled' : s.status,
          s.markedAt,
          s.decidedBy,
        ]),
      );
      return sendCsv(reply, `${report.class.name}-${report.date}-${report.startTime}`, csv);
    },
  );

  r.get(
    '/api/reports/classes/:id',
    {
      ...anyUser,
      schema: {
        tags,
        security,
        summary:
          'Attendance of a class over a date range (default: the last 30 days): per session and per student',
        description: `Sessions that have not started yet are left out. ${csvNote} The CSV has one row per student and one column per session.`,
        params: IdParams,
        querystring: RangeQuery,
        response: { 200: ClassReport, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const cls = await getClass(app.ctx.db, request.params.id);
      assertOwnClass(request, cls.teacher_id);
      const { from, to } = await range(cls.site_id, request.query);
      const report = await classReport(app.ctx.db, cls.id, from, to, app.ctx.clock.now());
      if (request.query.format === 'json') return report;
      const csv = toCsv(
        [
          'student_number',
          'name',
          'present',
          'late',
          'absent',
          'excused',
          'attendance_rate',
          ...report.sessions.map((s) => `${s.date} ${s.startTime}${s.cancelled ? ' (cancelled)' : ''}`),
        ],
        report.students.map((s) => [
          s.studentNumber,
          s.name,
          s.counts.present,
          s.counts.late,
          s.counts.absent,
          s.counts.excused,
          s.attendanceRate,
          ...s.statuses,
        ]),
      );
      return sendCsv(reply, `${cls.name}-${from}-${to}`, csv);
    },
  );

  r.get(
    '/api/reports/students/:id',
    {
      ...anyUser,
      schema: {
        tags,
        security,
        summary: "A student's attendance over a date range (default: the last 30 days), across their classes",
        description: `Teachers see only the rows of their own classes, and 403 for a student in none of them. ${csvNote}`,
        params: IdParams,
        querystring: RangeQuery,
        response: { 200: StudentReport, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      const student = await getStudent(app.ctx.db, request.params.id);
      let only: Set<string> | undefined;
      if (user.role !== 'admin') {
        const own = await app.ctx.db
          .selectFrom('enrolments')
          .innerJoin('classes', 'classes.id', 'enrolments.class_id')
          .select('classes.id')
          .where('enrolments.student_id', '=', student.id)
          .where('classes.teacher_id', '=', user.id)
          .execute();
        if (own.length === 0) throw forbidden('This student is in none of your classes');
        only = new Set(own.map((c) => c.id));
      }
      const { from, to } = await range(student.site_id, request.query);
      const report = await studentReport(app.ctx.db, student.id, from, to, app.ctx.clock.now(), only);
      if (request.query.format === 'json') return report;
      const csv = toCsv(
        [
          'student_number',
          'name',
          'session_id',
          'date',
          'start',
          'end',
          'class',
          'status',
          'marked_at',
          'decided_by',
          'reason',
        ],
        report.sessions.map((s) => [
          report.student.studentNumber,
          report.student.name,
          s.sessionId,
          s.date,
          s.startTime,
          s.endTime,
          s.class.name,
          s.status,
          s.markedAt,
          s.decidedBy,
          s.reason,
        ]),
      );
      return sendCsv(reply, `${student.student_number}-${from}-${to}`, csv);
    },
  );
};

export default reports;
