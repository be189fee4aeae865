// The school year on the server, end to end through the API: holidays and terms (no session,
// no absence email through a REAL SMTP server, no report row), a session cancelled after marks
// (marks kept, report says cancelled), roster feed 2 carrying the calendar (feed 1 untouched),
// and timetable/enrolment edits that leave past reports byte-identical.
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  buildTestApp,
  call as callAs,
  createUser,
  login,
  pairKiosk,
  presentMark,
  seed,
} from '../test/app.js';
import { testDialects, type TestDatabase } from '../test/databases.js';
import { defaultNotificationsConfig } from './notifications/config.js';
import { TestSmtpServer } from './notifications/smtp-test-server.js';

const dialects = await testDialects();
// The seeded schedule: Mondays 08:30–09:15 at a UTC site; 2026-09-07, -14, -21, -28 are Mondays.
const AT = (date: string, hhmm: string) => new Date(`${date}T${hhmm}:00Z`);

describe.each(dialects)('school year on $name', (dialect) => {
  let smtp: TestSmtpServer;
  const opened: { app: FastifyInstance; database: TestDatabase }[] = [];
  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
  });
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      await o.app.close();
      await o.database.cleanup();
    }
    smtp.received.length = 0;
  });
  afterAll(async () => {
    await smtp?.down();
  });

  async function start(students = 3) {
    const database = await dialect.open();
    const notifications = defaultNotificationsConfig({
      smtpUrl: smtp.url,
      delayMinutes: 15,
      digestTime: null,
      tickMs: 0,
      smtpTimeoutMs: 2_000,
    });
    const t = await buildTestApp(database, { config: { notifications }, processMetrics: false });
    opened.push({ app: t.app, database });
    const seeded = await seed(t, database, { students });
    // Access tokens live 15 minutes and these tests move the clock by weeks: log in when used.
    const admin = await createUser(database, 'admin');
    const s = {
      ...seeded,
      get adminToken() {
        return tokenNow;
      },
    };
    let tokenNow = seeded.adminToken;
    const fresh = async () => (tokenNow = await login(t.app, admin.email, admin.password));
    const get = async (url: string) => t.app.inject({ method: 'GET', url, headers: bearer(await fresh()) });
    const call = async <T = unknown>(
      app: FastifyInstance,
      token: string | null,
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
      url: string,
      payload?: unknown,
    ) =>
      callAs<T>(
        app,
        token === seeded.adminToken || token === tokenNow ? await fresh() : token,
        method,
        url,
        payload,
      );
    const inject = async (method: 'POST' | 'PATCH', url: string, payload: object) =>
      t.app.inject({ method, url, headers: bearer(await fresh()), payload });
    return { database, t, s, get, call, inject };
  }

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it('a holiday has no session: zero absence emails (real SMTP), no report column, 404 for its id; a school day still emails', async () => {
      const { t, s, get, call } = await start();
      await call(t.app, s.adminToken, 'POST', '/api/sites/default/terms', {
        name: 'Autumn',
        startDate: '2026-09-01',
        endDate: '2026-12-18',
      });
      await call(t.app, s.adminToken, 'POST', '/api/sites/default/closures', {
        name: 'Founders day',
        startDate: '2026-09-14',
        endDate: '2026-09-14',
      });

      t.clock.t = AT('2026-09-14', '09:31'); // the holiday, after the end + delay
      expect(await t.app.notifications.tick()).toMatchObject({ planned: 0, sent: 0 });
      expect(smtp.received).toHaveLength(0);
      expect((await get(`/api/sessions/${s.scheduleId}@2026-09-14/attendance`)).statusCode).toBe(404);

      // The same rules on a school day plan and send one email per absent student.
      t.clock.t = AT('2026-09-21', '09:31');
      expect(await t.app.notifications.tick()).toMatchObject({ planned: 1, sent: 3 });
      expect(smtp.received).toHaveLength(3);

      const report = (
        await get(`/api/reports/classes/${s.classId}?from=2026-09-01&to=2026-09-30`)
      ).json() as { sessions: { date: string }[] };
      expect(report.sessions.map((x) => x.date)).toEqual(['2026-09-07', '2026-09-21']);
      // Outside the term: nothing either.
      t.clock.t = AT('2026-12-21', '09:31');
      expect(await t.app.notifications.tick()).toMatchObject({ planned: 0 });
      expect(smtp.received).toHaveLength(3);
    });

    it('roster feed 2 brings the calendar to kiosks; a feed-1 kiosk never sees the record and keeps syncing', async () => {
      const { t, s, call } = await start(1);
      const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId);
      await call(t.app, s.adminToken, 'POST', '/api/sites/default/closures', {
        name: 'Snow',
        startDate: '2026-09-08',
        endDate: '2026-09-09',
      });
      await call(t.app, s.adminToken, 'POST', `/api/sessions/${s.sessionId}/cancel`, { reason: 'trip' });
      const pull = async (feed?: number) =>
        (
          await t.app.inject({
            method: 'GET',
            url: `/api/sync/roster?since=0${feed ? `&feed=${feed}` : ''}`,
            headers: bearer(kiosk.token),
          })
        ).json() as {
          changes: { entity: string; data?: unknown }[];
          cursor: string;
        };
      const v1 = await pull();
      const v2 = await pull(2);
      expect(v1.cursor).toBe(v2.cursor);
      expect(v1.changes.some((c) => c.entity === 'calendar')).toBe(false);
      expect(v2.changes.filter((c) => c.entity === 'calendar')).toEqual([
        expect.objectContaining({
          data: {
            siteId: 'default',
            version: 2,
            terms: [],
            closures: [
              expect.objectContaining({ name: 'Snow', startDate: '2026-09-08', endDate: '2026-09-09' }),
            ],
            changes: [
              expect.objectContaining({
                scheduleId: s.scheduleId,
                date: '2026-09-07',
                kind: 'cancelled',
                reason: 'trip',
              }),
            ],
          },
        }),
      ]);
      // Schedules carry their versions (feed 2); the top-level fields stay what feed 1 reads.
      const schedule = v2.changes.find((c) => c.entity === 'schedule')?.data as {
        startTime: string;
        versions: unknown[];
      };
      expect(schedule).toMatchObject({
        startTime: '08:30',
        versions: [{ validFrom: null, validUntil: null, startTime: '08:30' }],
      });
    });

    it('a session cancelled after marks keeps them; its reports say cancelled; nobody is emailed absent', async () => {
      const { t, s, get, database, call } = await start();
      const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId);
      t.clock.t = AT('2026-09-07', '08:40');
      await call(t.app, kiosk.token, 'POST', '/api/sync/attendance', { events: [presentMark(s, 0)] });
      await call(t.app, s.adminToken, 'POST', `/api/sessions/${s.sessionId}/cancel`, {
        reason: 'fire drill',
      });
      const session = (await get(`/api/sessions/${s.sessionId}/attendance`)).json() as {
        cancelled: boolean;
        students: { status: string; decidedBy: string }[];
      };
      expect(session.cancelled).toBe(true);
      expect(session.students[0]).toMatchObject({ status: 'present', decidedBy: 'mark' });
      const csv = (await get(`/api/reports/sessions/${s.sessionId}?format=csv`)).body;
      expect(
        csv
          .split('\n')
          .slice(1, 3)
          .map((l) => l.split(',')[7]),
      ).toEqual(['present', 'cancelled']);
      t.clock.t = AT('2026-09-07', '10:00');
      const report = (
        await get(`/api/reports/classes/${s.classId}?from=2026-09-07&to=2026-09-07`)
      ).json() as {
        sessions: { cancelled: boolean }[];
        students: { statuses: (string | null)[] }[];
        totals: Record<string, number>;
      };
      expect(report.sessions).toEqual([expect.objectContaining({ cancelled: true })]);
      expect(report.students.map((x) => x.statuses)).toEqual([['present'], [null], [null]]);
      expect(report.totals).toEqual({ present: 0, late: 0, absent: 0, excused: 0 });
      expect(await t.app.notifications.tick()).toMatchObject({ planned: 0, sent: 0 });
      expect(smtp.received).toHaveLength(0);
      const events = await database.db
        .selectFrom('attendance_events')
        .select(['kind', 'status'])
        .where('session_id', '=', s.sessionId)
        .execute();
      expect(events).toEqual([{ kind: 'mark', status: 'present' }]);
      // Undoing the cancellation brings the session back as it was.
      await call(t.app, s.adminToken, 'DELETE', `/api/sessions/${s.sessionId}/change`);
      expect(
        ((await get(`/api/sessions/${s.sessionId}/attendance`)).json() as { cancelled: boolean }).cancelled,
      ).toBe(false);
    });

    it('a moved session keeps its id and is held at its new date, time and room', async () => {
      const { t, s, get, call, inject } = await start(1);
      const room = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/rooms', {
        name: 'Hall',
        siteId: 'default',
      });
      const id = `${s.scheduleId}@2026-09-14`;
      await call(t.app, s.adminToken, 'POST', `/api/sessions/${id}/move`, {
        toDate: '2026-09-15',
        startTime: '13:00',
        endTime: '14:00',
        roomId: room.id,
      });
      const moved = (await get(`/api/sessions/${id}/attendance`)).json() as {
        date: string;
        startTime: string;
        roomId: string;
      };
      expect(moved).toMatchObject({ date: '2026-09-15', startTime: '13:00', roomId: room.id });
      t.clock.t = AT('2026-09-16', '08:00');
      const report = (
        await get(`/api/reports/classes/${s.classId}?from=2026-09-14&to=2026-09-15`)
      ).json() as { sessions: { sessionId: string; date: string }[] };
      expect(report.sessions.map((x) => [x.sessionId, x.date])).toEqual([[id, '2026-09-15']]);
      const bad = await inject('POST', `/api/sessions/${s.scheduleId}@2026-09-08/cancel`, {});
      expect(bad.statusCode).toBe(404); // a Tuesday: no such session
    });

    it("timetable edits, a student leaving and a schedule removed leave last month's report byte-identical", async () => {
      const { t, s, get, call, inject } = await start();
      const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId);
      // September: marks on three Mondays.
      for (const [date, who] of [
        ['2026-09-07', 0],
        ['2026-09-14', 1],
        ['2026-09-21', 0],
        ['2026-09-28', 2],
      ] as const) {
        t.clock.t = AT(date, '08:40');
        await call(t.app, kiosk.token, 'POST', '/api/sync/attendance', {
          events: [
            { ...presentMark(s, who), sessionId: `${s.scheduleId}@${date}`, occurredAt: `${date}T08:31:00Z` },
          ],
        });
      }
      t.clock.t = AT('2026-10-05', '08:00'); // a Monday, before its session
      const urls = [
        `/api/reports/classes/${s.classId}?from=2026-09-01&to=2026-09-30`,
        `/api/reports/classes/${s.classId}?from=2026-09-01&to=2026-09-30&format=csv`,
        `/api/reports/students/${s.students[0]?.id}?from=2026-09-01&to=2026-09-30`,
        `/api/reports/sessions/${s.scheduleId}@2026-09-14?format=csv`,
        `/api/sessions/${s.scheduleId}@2026-09-21/attendance`,
      ];
      const snapshot = async () => Promise.all(urls.map(async (u) => (await get(u)).body));
      const before = await snapshot();
      expect(JSON.parse(before[0] ?? '{}')).toMatchObject({
        sessions: [{}, {}, {}, {}],
        totals: { present: 4, absent: 8 },
      });

      // Tuesdays 13:00 in another room from today on: Mondays before today keep their session.
      const room = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/rooms', {
        name: 'Lab',
        siteId: 'default',
      });
      const edited = await call<{
        versions: { validFrom: string | null; validUntil: string | null; weekday: number }[];
      }>(t.app, s.adminToken, 'PATCH', `/api/schedules/${s.scheduleId}`, {
        weekday: 2,
        startTime: '13:00',
        endTime: '14:00',
        roomId: room.id,
      });
      expect(edited.versions.map((v) => [v.validFrom, v.validUntil, v.weekday])).toEqual([
        [null, '2026-10-04', 1],
        ['2026-10-05', null, 2],
      ]);
      expect((await get(`/api/sessions/${s.scheduleId}@2026-10-05/attendance`)).statusCode).toBe(404);
      expect((await get(`/api/sessions/${s.scheduleId}@2026-10-06/attendance`)).json()).toMatchObject({
        startTime: '13:00',
        roomId: room.id,
      });
      // Editing the past is refused.
      const past = await inject('PATCH', `/api/schedules/${s.scheduleId}`, {
        effectiveFrom: '2026-09-01',
        startTime: '07:00',
      });
      expect(past.statusCode).toBe(400);
      // A student leaves; another joins from 2026-10-06 on.
      await call(t.app, s.adminToken, 'DELETE', `/api/classes/${s.classId}/enrolments/${s.students[1]?.id}`);
      const extra = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/students', {
        siteId: 'default',
        studentNumber: 'S-new',
        name: 'Newcomer',
        consent: true,
      });
      await call(t.app, s.adminToken, 'POST', `/api/classes/${s.classId}/enrolments`, {
        studentIds: [extra.id],
        from: '2026-10-06',
      });
      const after = await snapshot();
      after.forEach((body, i) => expect(body, urls[i]).toBe(before[i]));

      // October's report has the new timetable and lists.
      t.clock.t = AT('2026-10-07', '08:00');
      const oct = (await get(`/api/reports/classes/${s.classId}?from=2026-10-01&to=2026-10-31`)).json() as {
        sessions: { date: string; startTime: string }[];
        students: { name: string; statuses: (string | null)[] }[];
      };
      expect(oct.sessions.map((x) => `${x.date} ${x.startTime}`)).toEqual(['2026-10-06 13:00']);
      // Student 1 left on 2026-10-05: listed (enrolled part of October) but on no session's list.
      expect(oct.students.map((x) => [x.name, x.statuses])).toEqual([
        ['Newcomer', ['absent']],
        ['Student 0', ['absent']],
        ['Student 1', [null]],
        ['Student 2', ['absent']],
      ]);
      // Removing the schedule ends it; its past sessions stay.
      await call(t.app, s.adminToken, 'DELETE', `/api/schedules/${s.scheduleId}`);
      expect(await snapshot()).toEqual(before);
      expect(((await get(`/api/classes/${s.classId}/schedules`)).json() as unknown[]).length).toBe(0);
      expect(
        ((await get(`/api/classes/${s.classId}/schedules?all=true`)).json() as { endedOn: string }[])[0]
          ?.endedOn,
      ).toBe('2026-10-06');
    });
  });
});
