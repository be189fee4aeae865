import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttendanceEvent } from '../../../src/contracts/sync.js';
import {
  bearer,
  buildTestApp,
  call,
  createUser,
  login,
  pairKiosk,
  seed,
  type Seeded,
  type TestApp,
} from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';

const dialects = await testDialects();

const mark = (
  s: Seeded,
  student: number,
  date: string,
  status: 'present' | 'late',
  time = '08:31',
): AttendanceEvent => ({
  id: randomUUID(),
  kind: 'mark',
  studentId: s.students[student]?.id ?? 'x',
  sessionId: `${s.scheduleId}@${date}`,
  status,
  occurredAt: `${date}T${time}:00Z`,
});

describe.each(dialects)('reports on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;
  let otherTeacherToken: string;
  let adminToken: string;
  let teacherToken: string;

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database);
    s = await seed(t, database);
    const other = await createUser(database, 'teacher');
    // A name that needs quoting and would be a formula in a spreadsheet.
    await call(t.app, s.adminToken, 'PATCH', `/api/students/${s.students[2]?.id}`, {
      name: '=O"Brien, Seán',
    });
    const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId);
    // Mondays 2026-09-07, -14, -21 are held; -28 is in the future at the report's "now".
    const events = [
      mark(s, 0, '2026-09-07', 'present'),
      mark(s, 0, '2026-09-14', 'late', '08:45'),
      mark(s, 1, '2026-09-07', 'present'),
      mark(s, 1, '2026-09-07', 'late', '08:50'),
    ];
    // Pushed once they have happened: a kiosk cannot report a session that has not begun.
    const seeded = t.clock.t;
    t.clock.t = new Date('2026-09-14T12:00:00Z');
    await call(t.app, kiosk.token, 'POST', '/api/sync/attendance', { events });
    t.clock.t = seeded;
    await call(t.app, s.teacherToken, 'POST', '/api/attendance/corrections', {
      kind: 'manual',
      sessionId: `${s.scheduleId}@2026-09-14`,
      studentId: s.students[2]?.id,
      status: 'excused',
      reason: 'doctor',
    });
    t.clock.t = new Date('2026-09-21T12:00:00Z');
    // Access tokens are short-lived: log in again at the new time.
    const admin = await createUser(database, 'admin');
    adminToken = await login(t.app, admin.email, admin.password);
    teacherToken = await login(t.app, s.teacher.email, s.teacher.password);
    otherTeacherToken = await login(t.app, other.email, other.password);
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  const get = (url: string, token: string) => t.app.inject({ method: 'GET', url, headers: bearer(token) });

  it.skipIf(!dialect.available)(
    'reports a class over a range: held sessions only, one derived status per student and session',
    async () => {
      const res = await get(`/api/reports/classes/${s.classId}?from=2026-09-01&to=2026-09-30`, teacherToken);
      expect(res.statusCode).toBe(200);
      const r = res.json() as {
        sessions: { sessionId: string; counts: Record<string, number> }[];
        students: {
          studentId: string;
          counts: Record<string, number>;
          attendanceRate: number | null;
          statuses: string[];
        }[];
        totals: Record<string, number>;
      };
      expect(r.sessions.map((x) => x.sessionId)).toEqual(
        ['2026-09-07', '2026-09-14', '2026-09-21'].map((d) => `${s.scheduleId}@${d}`),
      );
      const [a, b, c] = r.students;
      // Student 1's later "late" re-recognition does not override the first "present" mark.
      expect(a?.statuses).toEqual(['present', 'late', 'absent']);
      expect(b?.statuses).toEqual(['present', 'absent', 'absent']);
      expect(c?.statuses).toEqual(['absent', 'excused', 'absent']);
      expect(a?.counts).toEqual({ present: 1, late: 1, absent: 1, excused: 0 });
      expect(a?.attendanceRate).toBe(0.667);
      expect(c?.attendanceRate).toBe(0);
      expect(r.sessions[0]?.counts).toEqual({ present: 2, late: 0, absent: 1, excused: 0 });
      expect(r.totals).toEqual({ present: 2, late: 1, absent: 5, excused: 1 });
    },
  );

  it.skipIf(!dialect.available)(
    'exports the class report as CSV, one column per session, quoted and formula-safe',
    async () => {
      const res = await get(
        `/api/reports/classes/${s.classId}?from=2026-09-01&to=2026-09-30&format=csv`,
        adminToken,
      );
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="[A-Za-z0-9._-]+\.csv"$/);
      const lines = res.body.split('\r\n');
      expect(lines[0]).toBe(
        'student_number,name,present,late,absent,excused,attendance_rate,2026-09-07 08:30,2026-09-14 08:30,2026-09-21 08:30',
      );
      expect(lines[1]).toBe(`${s.students[0]?.studentNumber},Student 0,1,1,1,0,0.667,present,late,absent`);
      expect(lines[3]).toBe(
        `${s.students[2]?.studentNumber},"'=O""Brien, Seán",0,0,2,1,0,absent,excused,absent`,
      );
      expect(lines).toHaveLength(5); // header, 3 students, trailing CRLF
    },
  );

  it.skipIf(!dialect.available)('reports one session as JSON and CSV', async () => {
    const sessionId = `${s.scheduleId}@2026-09-14`;
    const json = (
      await get(`/api/reports/sessions/${encodeURIComponent(sessionId)}`, teacherToken)
    ).json() as { students: { status: string; decidedBy: string }[] };
    expect(json.students.map((x) => [x.status, x.decidedBy])).toEqual([
      ['late', 'mark'],
      ['absent', 'none'],
      ['excused', 'manual'],
    ]);
    const csv = await get(`/api/reports/sessions/${encodeURIComponent(sessionId)}?format=csv`, teacherToken);
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('session_id,date,class,start,end,student_number,name,status,marked_at,decided_by');
    expect(lines[1]).toMatch(
      new RegExp(
        `^${sessionId},2026-09-14,Maths \\d+,08:30,09:15,${s.students[0]?.studentNumber},Student 0,late,2026-09-14T08:45:00.000Z,mark$`,
      ),
    );
    expect(lines).toHaveLength(4);
  });

  it.skipIf(!dialect.available)('reports a student across their classes, as JSON and CSV', async () => {
    const res = await get(
      `/api/reports/students/${s.students[0]?.id}?from=2026-09-01&to=2026-09-30`,
      teacherToken,
    );
    expect(res.statusCode).toBe(200);
    const r = res.json() as {
      sessions: { status: string; class: { id: string } }[];
      counts: Record<string, number>;
      attendanceRate: number;
    };
    expect(r.sessions.map((x) => x.status)).toEqual(['present', 'late', 'absent']);
    expect(r.sessions.every((x) => x.class.id === s.classId)).toBe(true);
    expect(r.counts).toEqual({ present: 1, late: 1, absent: 1, excused: 0 });
    const csv = await get(
      `/api/reports/students/${s.students[0]?.id}?from=2026-09-01&to=2026-09-30&format=csv`,
      adminToken,
    );
    expect(csv.body.split('\r\n')[0]).toBe(
      'student_number,name,session_id,date,start,end,class,status,marked_at,decided_by,reason',
    );
    expect(csv.body.trimEnd().split('\r\n')).toHaveLength(4);
  });

  it.skipIf(!dialect.available)(
    "gives a student's report the site's time zone and each correction's reason (a teacher's student page reads them)",
    async () => {
      const r = (
        await get(`/api/reports/students/${s.students[2]?.id}?from=2026-09-01&to=2026-09-30`, teacherToken)
      ).json() as { timezone: string; sessions: { status: string; reason: string | null }[] };
      expect(r.timezone).toBe('UTC');
      expect(r.sessions.map((x) => [x.status, x.reason])).toEqual([
        ['absent', null],
        ['excused', 'doctor'],
        ['absent', null],
      ]);
      const first = (
        await get(`/api/reports/students/${s.students[0]?.id}?from=2026-09-01&to=2026-09-30`, teacherToken)
      ).json() as { sessions: { decidedBy: string; reason: string | null }[] };
      expect(first.sessions.map((x) => x.reason)).toEqual([null, null, null]);
      const csv = await get(
        `/api/reports/students/${s.students[2]?.id}?from=2026-09-01&to=2026-09-30&format=csv`,
        teacherToken,
      );
      expect(csv.body.split('\r\n')[2]).toMatch(/,excused,[^,]+,manual,doctor$/);
    },
  );

  it.skipIf(!dialect.available)('defaults the range to the last 30 days at the site', async () => {
    const r = (await get(`/api/reports/classes/${s.classId}`, adminToken)).json() as {
      from: string;
      to: string;
      sessions: { sessionId: string }[];
    };
    expect(r).toMatchObject({ from: '2026-08-22', to: '2026-09-21' });
    // Mondays 08-24 and 08-31 came before the schedule was created (09-07 08:00): not sessions.
    expect(r.sessions.map((x) => x.sessionId.split('@')[1])).toEqual([
      '2026-09-07',
      '2026-09-14',
      '2026-09-21',
    ]);
  });

  it.skipIf(!dialect.available)(
    'gives a student enrolled later no status for the sessions before (not an absence)',
    async () => {
      const late = await call<{ id: string; studentNumber: string }>(
        t.app,
        adminToken,
        'POST',
        '/api/students',
        {
          siteId: 'default',
          studentNumber: `LATE-${randomUUID().slice(0, 6)}`,
          name: 'Late Joiner',
          consent: true,
        },
      );
      // Enrolled on 2026-09-21 at 12:00, after that day's session.
      await call(t.app, adminToken, 'POST', `/api/classes/${s.classId}/enrolments`, {
        studentIds: [late.id],
      });
      t.clock.t = new Date('2026-09-28T12:00:00Z');
      const admin = await createUser(database, 'admin');
      const token = await login(t.app, admin.email, admin.password);
      const r = (
        await get(`/api/reports/classes/${s.classId}?from=2026-09-01&to=2026-09-30`, token)
      ).json() as {
        sessions: unknown[];
        students: { studentId: string; statuses: (string | null)[]; counts: Record<string, number> }[];
      };
      expect(r.sessions).toHaveLength(4);
      const row = r.students.find((x) => x.studentId === late.id);
      expect(row?.statuses).toEqual([null, null, null, 'absent']);
      expect(row?.counts).toEqual({ present: 0, late: 0, absent: 1, excused: 0 });
      const own = (
        await get(`/api/reports/students/${late.id}?from=2026-09-01&to=2026-09-30`, token)
      ).json() as { sessions: { date: string }[] };
      expect(own.sessions.map((x) => x.date)).toEqual(['2026-09-28']);
      const csv = (
        await get(`/api/reports/classes/${s.classId}?from=2026-09-01&to=2026-09-30&format=csv`, token)
      ).body;
      expect(csv).toContain(`${late.studentNumber},Late Joiner,0,0,1,0,0,,,,absent\r\n`);
      t.clock.t = new Date('2026-09-21T12:00:00Z');
      await call(t.app, adminToken, 'DELETE', `/api/classes/${s.classId}/enrolments/${late.id}`);
    },
  );

  it.skipIf(!dialect.available)(
    'counts nobody absent from a session still running: not seen yet is not an absence',
    async () => {
      // 2026-09-21 08:45 UTC: that Monday's 08:30–09:15 session has started, not ended.
      t.clock.t = new Date('2026-09-21T08:45:00Z');
      try {
        const admin = await createUser(database, 'admin');
        const token = await login(t.app, admin.email, admin.password);
        const r = (
          await get(`/api/reports/classes/${s.classId}?from=2026-09-01&to=2026-09-30`, token)
        ).json() as {
          sessions: { counts: Record<string, number> }[];
          students: { studentId: string; statuses: (string | null)[]; attendanceRate: number | null }[];
        };
        expect(r.sessions).toHaveLength(3);
        const first = r.students.find((x) => x.studentId === s.students[0]?.id);
        expect(first?.statuses).toEqual(['present', 'late', null]);
        expect(first?.attendanceRate).toBe(1);
        expect(r.sessions[2]?.counts).toEqual({ present: 0, late: 0, absent: 0, excused: 0 });
        const own = (
          await get(`/api/reports/students/${s.students[0]?.id}?from=2026-09-01&to=2026-09-30`, token)
        ).json() as { sessions: { date: string }[]; counts: Record<string, number> };
        expect(own.sessions.map((x) => x.date)).toEqual(['2026-09-07', '2026-09-14']);
        expect(own.counts.absent).toBe(0);
      } finally {
        t.clock.t = new Date('2026-09-21T12:00:00Z');
      }
    },
  );

  it.skipIf(!dialect.available)(
    'keeps teachers to their own classes (403) and needs a login (401)',
    async () => {
      expect((await get(`/api/reports/classes/${s.classId}`, otherTeacherToken)).statusCode).toBe(403);
      expect((await get(`/api/reports/sessions/${s.sessionId}`, otherTeacherToken)).statusCode).toBe(403);
      expect((await get(`/api/reports/students/${s.students[0]?.id}`, otherTeacherToken)).statusCode).toBe(
        403,
      );
      expect(
        (await get(`/api/reports/sessions/${s.sessionId}?format=csv`, otherTeacherToken)).statusCode,
      ).toBe(403);
      expect(
        (await t.app.inject({ method: 'GET', url: `/api/reports/classes/${s.classId}` })).statusCode,
      ).toBe(401);
    },
  );

  it.skipIf(!dialect.available)(
    'rejects bad ranges and formats with 400 and unknown ids with 404',
    async () => {
      const bad = async (query: string) => {
        const res = await get(`/api/reports/classes/${s.classId}?${query}`, adminToken);
        expect(res.statusCode, query).toBe(400);
        return res.json() as { error: string; issues?: { path: string }[] };
      };
      const reversed = await bad('from=2026-09-30&to=2026-09-01');
      expect(reversed.error).toBe('bad_range');
      expect(reversed.issues?.[0]?.path).toBe('to'); // shown beside the form's "To"
      expect((await bad('from=2024-01-01&to=2026-09-01')).error).toBe('range_too_long');
      expect((await bad('from=2026-02-30&to=2026-03-01')).issues?.[0]?.path).toBe('from');
      expect((await bad('format=xlsx')).issues?.[0]?.path).toBe('format');
      expect((await get(`/api/reports/classes/${randomUUID()}`, adminToken)).statusCode).toBe(404);
      expect((await get(`/api/reports/students/${randomUUID()}`, adminToken)).statusCode).toBe(404);
      expect((await get(`/api/reports/sessions/${s.scheduleId}@2026-09-08`, adminToken)).statusCode).toBe(
        404,
      );
    },
  );
});
