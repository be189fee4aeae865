// [console] School-wide reports for admins: attendance by class and by day over a range (the
// class reports added up, with the same rate rule), and today's absentees by class.
import { z } from 'zod';
import { ErrorBody } from '../../../src/contracts/sync.js';
import { addDays, localDateAt } from '../../../src/contracts/site-time.js';
import { resolveSession, sessionReport } from '../repositories/attendance.js';
import { scheduleSpecs } from '../repositories/calendar.js';
import { typed, type RoutePlugin } from '../routes/types.js';
import { toCsv } from './csv.js';
import { Absentees, RangeQuery, SchoolReport } from './schemas.js';
import { attendanceRate, classReport, sessionsOf, zeroCounts, type Counts as CountsT } from './service.js';

const add = (into: CountsT, c: CountsT) => {
  for (const k of Object.keys(into) as (keyof CountsT)[]) into[k] += c[k];
};

const schoolReports: RoutePlugin = async (app) => {
  const r = typed(app);
  const admin = { onRequest: app.requireUser('admin') };
  const security = [{ user: [] }];
  const tags = ['reports'];

  async function defaultSiteToday() {
    const site = await app.ctx.db
      .selectFrom('sites')
      .select('timezone')
      .where('id', '=', 'default')
      .executeTakeFirst();
    return localDateAt(app.ctx.clock.now(), site?.timezone ?? 'UTC');
  }

  r.get(
    '/api/reports/school',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary:
          'Attendance across the school by class and by day (default: the last 30 days at the default site)',
        querystring: RangeQuery,
        response: { 200: SchoolReport, 400: ErrorBody },
      },
    },
    async (request, reply) => {
      const to = request.query.to ?? (await defaultSiteToday());
      const from = request.query.from ?? addDays(to, -30);
      const classes = await app.ctx.db.selectFrom('classes').select(['id', 'name']).orderBy('name').execute();
      const now = app.ctx.clock.now();
      const totals = zeroCounts();
      const byDay = new Map<string, CountsT>();
      const rows = [];
      for (const c of classes) {
        const rep = await classReport(app.ctx.db, c.id, from, to, now);
        add(totals, rep.totals);
        for (const d of rep.days) {
          const day = byDay.get(d.date) ?? zeroCounts();
          add(day, d.counts);
          byDay.set(d.date, day);
        }
        rows.push({
          classId: c.id,
          name: c.name,
          sessions: rep.sessions.length,
          counts: rep.totals,
          attendanceRate: attendanceRate(rep.totals),
        });
      }
      const days = [...byDay]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([date, counts]) => ({ date, counts, attendanceRate: attendanceRate(counts) }));
      const body = { from, to, classes: rows, days, totals, attendanceRate: attendanceRate(totals) };
      if (request.query.format === 'json') return body;
      const csv = toCsv(
        ['class', 'sessions', 'present', 'late', 'absent', 'excused', 'attendance_rate'],
        rows.map((x) => [
          x.name,
          x.sessions,
          x.counts.present,
          x.counts.late,
          x.counts.absent,
          x.counts.excused,
          x.attendanceRate,
        ]),
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="school-${from}-${to}.csv"`)
        .send(csv as never);
    },
  );

  r.get(
    '/api/reports/absentees',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary:
          "A day's absentees by session, for sessions that have started (default: today at each class's site)",
        querystring: z.object({ date: RangeQuery.shape.from }),
        response: { 200: Absentees },
      },
    },
    async (request) => {
      const db = app.ctx.db;
      const now = app.ctx.clock.now();
      const classes = await db
        .selectFrom('classes')
        .innerJoin('sites', 'sites.id', 'classes.site_id')
        .select(['classes.id', 'classes.site_id', 'sites.timezone'])
        .execute();
      const schedules = await scheduleSpecs(db, { classIds: classes.map((c) => c.id) });
      const out: z.infer<typeof Absentees>['sessions'] = [];
      let shownDate = request.query.date ?? null;
      for (const c of classes) {
        const date = request.query.date ?? localDateAt(now, c.timezone);
        shownDate ??= date;
        // The shared occurrence rule (calendar included); a cancelled session has no absentees.
        for (const s of await sessionsOf(
          db,
          c.site_id,
          schedules.filter((x) => x.classId === c.id),
          date,
          date,
          c.timezone,
        )) {
          if (s.cancelled || s.startsAt > now.toISOString()) continue;
          const report = await sessionReport(db, await resolveSession(db, s.sessionId));
          out.push({
            sessionId: s.sessionId,
            class: report.class,
            startTime: report.startTime,
            endTime: report.endTime,
            absent: report.students
              .filter((x) => x.status === 'absent')
              .map((x) => ({ studentId: x.studentId, studentNumber: x.studentNumber, name: x.name })),
          });
        }
      }
      out.sort((a, b) =>
        a.startTime < b.startTime
          ? -1
          : a.startTime > b.startTime
            ? 1
            : a.class.name.localeCompare(b.class.name),
      );
      return { date: shownDate ?? (await defaultSiteToday()), sessions: out };
    },
  );
};
export default schoolReports;
