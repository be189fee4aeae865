// Archiving a class instead of deleting it: history, reports and late kiosk pushes stay; no new
// session; kiosks see the same tombstones a deletion sent and get the class back on unarchive.
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
  pullWholeRoster,
} from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';

const dialects = await testDialects();

interface Report {
  sessions: { sessionId: string }[];
  students: { studentId: string; statuses: (string | null)[] }[];
  totals: Record<string, number>;
}
interface ClassBody {
  id: string;
  archivedAt: string | null;
}

const mark = (s: Seeded, studentIndex: number, date: string): AttendanceEvent => ({
  id: randomUUID(),
  kind: 'mark',
  studentId: s.students[studentIndex]?.id ?? 'missing',
  sessionId: `${s.scheduleId}@${date}`,
  status: 'present',
  occurredAt: `${date}T08:31:00Z`,
  modelId: 'fake-model-v1',
});

describe.each(dialects)('class archive on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database);
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  /** A seeded class with marks on its first two Mondays; the clock after the second one. */
  async function classWithHistory() {
    t.clock.t = new Date('2026-09-07T08:00:00Z');
    const s = await seed(t, database);
    const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId);
    t.clock.t = new Date('2026-09-14T12:00:00Z');
    await call(t.app, kiosk.token, 'POST', '/api/sync/attendance', {
      events: [mark(s, 0, '2026-09-07'), mark(s, 1, '2026-09-07'), mark(s, 0, '2026-09-14')],
    });
    const admin = await createUser(database, 'admin');
    const adminToken = await login(t.app, admin.email, admin.password);
    const teacherToken = await login(t.app, s.teacher.email, s.teacher.password);
    /** Moves the clock; access tokens are short-lived, so a fresh admin login at the new time. */
    const at = async (iso: string) => {
      t.clock.t = new Date(iso);
      return login(t.app, admin.email, admin.password);
    };
    return { s, kiosk, adminToken, teacherToken, at };
  }

  const report = async (classId: string, token: string, format?: 'csv') => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/reports/classes/${classId}?from=2026-09-01&to=2026-10-31${format ? `&format=${format}` : ''}`,
      headers: bearer(token),
    });
    expect(res.statusCode).toBe(200);
    return res;
  };

  const pullAll = (token: string, since = '0') => pullWholeRoster(t.app, token, since);

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it('keeps sessions, marks, the class report and CSV; holds no new session', async () => {
      const { s, kiosk, adminToken, teacherToken, at } = await classWithHistory();
      const before = (await report(s.classId, teacherToken)).json() as Report;
      expect(before.sessions.map((x) => x.sessionId)).toEqual([
        `${s.scheduleId}@2026-09-07`,
        `${s.scheduleId}@2026-09-14`,
      ]);

      type Day = { sessions: { sessionId: string; archived: boolean }[] };
      const dayList = () =>
        call<Day>(t.app, teacherToken, 'GET', `/api/sessions?date=2026-09-07&classId=${s.classId}`);
      expect((await dayList()).sessions).toEqual([
        expect.objectContaining({ sessionId: `${s.scheduleId}@2026-09-07`, archived: false }),
      ]);

      const archived = await call<ClassBody>(t.app, adminToken, 'POST', `/api/classes/${s.classId}/archive`);
      expect(archived.archivedAt).toBe('2026-09-14T12:00:00.000Z');
      expect((await report(s.classId, teacherToken)).json()).toEqual(before);
      // The day's list still shows the session, flagged so the console offers no corrections or changes.
      expect((await dayList()).sessions).toEqual([
        expect.objectContaining({ sessionId: `${s.scheduleId}@2026-09-07`, archived: true }),
      ]);
      const csv = (await report(s.classId, teacherToken, 'csv')).body;
      expect(csv).toContain(`${s.students[0]?.studentNumber},Student 0,2,0,0,0`);
      const session = await t.app.inject({
        method: 'GET',
        url: `/api/reports/sessions/${s.scheduleId}@2026-09-07`,
        headers: bearer(teacherToken),
      });
      expect(session.statusCode).toBe(200);
      // The class page still opens (history), for its teacher too.
      expect(
        (await call<ClassBody>(t.app, teacherToken, 'GET', `/api/classes/${s.classId}`)).archivedAt,
      ).not.toBeNull();

      // A kiosk that was offline still delivers a mark of a session held before the archive...
      const late = await call<{ results: { status: string }[] }>(
        t.app,
        kiosk.token,
        'POST',
        '/api/sync/attendance',
        { events: [mark(s, 2, '2026-09-14')] },
      );
      expect(late.results[0]?.status).toBe('accepted');

      // ...but weeks later the class has had no new session.
      const adminLater = await at('2026-10-12T12:00:00Z');
      const later = (await report(s.classId, adminLater)).json() as Report;
      expect(later.sessions.map((x) => x.sessionId)).toEqual(before.sessions.map((x) => x.sessionId));
      const day = await call<{ sessions: { class: { id: string } }[] }>(
        t.app,
        adminLater,
        'GET',
        `/api/sessions?date=2026-10-12&classId=${s.classId}`,
      );
      expect(day.sessions).toEqual([]);
      const refused = await call<{ results: { reason?: string }[] }>(
        t.app,
        kiosk.token,
        'POST',
        '/api/sync/attendance',
        { events: [mark(s, 0, '2026-10-12')] },
      );
      expect(refused.results[0]?.reason).toMatch(/^unknown_session/);
    });

    it('DELETE archives: the class, its schedules and enrolments stay', async () => {
      const { s, adminToken } = await classWithHistory();
      await call(t.app, adminToken, 'DELETE', `/api/classes/${s.classId}`);
      const cls = await call<ClassBody>(t.app, adminToken, 'GET', `/api/classes/${s.classId}`);
      expect(cls.archivedAt).not.toBeNull();
      const schedules = await call<{ id: string; endedOn: string | null }[]>(
        t.app,
        adminToken,
        'GET',
        `/api/classes/${s.classId}/schedules?all=true`,
      );
      expect(schedules).toEqual([expect.objectContaining({ id: s.scheduleId, endedOn: '2026-09-14' })]);
      const enrolments = await call<unknown[]>(
        t.app,
        adminToken,
        'GET',
        `/api/classes/${s.classId}/enrolments`,
      );
      expect(enrolments).toHaveLength(3);
    });

    it('hides archived classes from the lists unless ?archived=true, for teachers too', async () => {
      const { s, adminToken, teacherToken } = await classWithHistory();
      await call(t.app, adminToken, 'POST', `/api/classes/${s.classId}/archive`);
      for (const token of [adminToken, teacherToken]) {
        const active = await call<ClassBody[]>(t.app, token, 'GET', '/api/classes?limit=500');
        expect(active.map((c) => c.id)).not.toContain(s.classId);
        const all = await call<ClassBody[]>(t.app, token, 'GET', '/api/classes?archived=true&limit=500');
        expect(all.find((c) => c.id === s.classId)?.archivedAt).not.toBeNull();
      }
    });

    it('refuses changes to an archived class (409) until it is unarchived', async () => {
      const { s, adminToken } = await classWithHistory();
      await call(t.app, adminToken, 'POST', `/api/classes/${s.classId}/archive`);
      const attempts = [
        ['PATCH', `/api/classes/${s.classId}`, { name: 'Renamed' }],
        ['POST', `/api/classes/${s.classId}/enrolments`, { studentIds: [s.students[0]?.id] }],
        [
          'POST',
          `/api/classes/${s.classId}/schedules`,
          { roomId: s.roomId, weekday: 2, startTime: '10:00', endTime: '11:00', graceMinutes: 5 },
        ],
      ] as const;
      for (const [method, url, payload] of attempts) {
        const res = await t.app.inject({ method, url, payload, headers: bearer(adminToken) });
        expect(res.statusCode, `${method} ${url}`).toBe(409);
        expect(res.json()).toMatchObject({ error: 'class_archived' });
      }
      await call(t.app, adminToken, 'POST', `/api/classes/${s.classId}/unarchive`);
      await call(t.app, adminToken, 'PATCH', `/api/classes/${s.classId}`, { name: 'Renamed' });
    });

    it("refuses removals, session changes and corrections in an archived class's history (409) until unarchived", async () => {
      const { s, adminToken, teacherToken } = await classWithHistory();
      const session = (date: string) => `/api/sessions/${encodeURIComponent(`${s.scheduleId}@${date}`)}`;
      await call(t.app, adminToken, 'POST', `${session('2026-09-14')}/cancel`, {
        reason: 'Before the archive',
      });
      await call(t.app, adminToken, 'POST', `/api/classes/${s.classId}/archive`);
      const correction = {
        kind: 'manual',
        sessionId: `${s.scheduleId}@2026-09-07`,
        studentId: s.students[1]?.id,
        status: 'excused',
        reason: 'Doctor',
      };
      const attempts = [
        [adminToken, 'DELETE', `/api/classes/${s.classId}/enrolments/${s.students[0]?.id}`, undefined],
        // A session held before the archive, and one it would have held after.
        [adminToken, 'POST', `${session('2026-09-07')}/cancel`, {}],
        [adminToken, 'POST', `${session('2026-09-07')}/move`, { startTime: '09:00' }],
        [adminToken, 'POST', `${session('2026-09-21')}/cancel`, {}],
        [adminToken, 'POST', `${session('2026-09-21')}/move`, { toDate: '2026-09-22' }],
        [adminToken, 'DELETE', `${session('2026-09-14')}/change`, undefined],
        // The class's teacher correcting a mark of a session it held.
        [teacherToken, 'POST', '/api/attendance/corrections', correction],
      ] as const;
      for (const [token, method, url, payload] of attempts) {
        const res = await t.app.inject({ method, url, payload, headers: bearer(token) });
        expect(res.statusCode, `${method} ${url}`).toBe(409);
        expect(res.json()).toMatchObject({
          error: 'class_archived',
          message: expect.stringContaining('archived'),
        });
      }
      const enrolments = await call<unknown[]>(
        t.app,
        adminToken,
        'GET',
        `/api/classes/${s.classId}/enrolments`,
      );
      expect(enrolments).toHaveLength(3);

      await call(t.app, adminToken, 'POST', `/api/classes/${s.classId}/unarchive`);
      await call(t.app, adminToken, 'DELETE', `${session('2026-09-14')}/change`);
      await call(t.app, adminToken, 'POST', `${session('2026-09-07')}/cancel`, {});
      await call(t.app, teacherToken, 'POST', '/api/attendance/corrections', correction);
      await call(t.app, adminToken, 'DELETE', `/api/classes/${s.classId}/enrolments/${s.students[0]?.id}`);
    });

    it('still erases a student of an archived class: privacy erasure always works', async () => {
      const { s, adminToken, teacherToken } = await classWithHistory();
      await call(t.app, adminToken, 'POST', `/api/classes/${s.classId}/archive`);
      const erased = await call<{ enrolments: number; attendanceEvents: number }>(
        t.app,
        adminToken,
        'DELETE',
        `/api/students/${s.students[0]?.id}`,
      );
      expect(erased).toMatchObject({ enrolments: 1, attendanceEvents: 2 });
      const after = (await report(s.classId, teacherToken)).json() as Report;
      expect(after.students.map((x) => x.studentId)).not.toContain(s.students[0]?.id);
    });

    it('tombstones the class to kiosks as a deletion did; unarchiving publishes it again', async () => {
      const { s, kiosk, adminToken, at } = await classWithHistory();
      const start = await pullAll(kiosk.token);
      await call(t.app, adminToken, 'POST', `/api/classes/${s.classId}/archive`);
      const archived = await pullAll(kiosk.token, start.cursor);
      expect(archived.changes.map((c) => `${c.entity}:${c.op}`).sort()).toEqual([
        'class:delete',
        'enrolment:delete',
        'enrolment:delete',
        'enrolment:delete',
        'schedule:delete',
      ]);

      // Unarchived two weeks later: it meets again from then on, not on the archived Mondays.
      const adminBack = await at('2026-09-28T07:00:00Z');
      const back = await call<ClassBody>(t.app, adminBack, 'POST', `/api/classes/${s.classId}/unarchive`);
      expect(back.archivedAt).toBeNull();
      const republished = await pullAll(kiosk.token, archived.cursor);
      expect(republished.changes.map((c) => `${c.entity}:${c.op}`)).toEqual([
        'class:upsert',
        'enrolment:upsert',
        'enrolment:upsert',
        'enrolment:upsert',
        'schedule:upsert',
      ]);
      expect(republished.changes[4]).toMatchObject({
        id: s.scheduleId,
        data: {
          versions: [
            { validFrom: null, validUntil: '2026-09-14' },
            { validFrom: '2026-09-28', validUntil: null, weekday: 1, startTime: '08:30' },
          ],
        },
      });
      const adminLater = await at('2026-10-05T12:00:00Z');
      const r = (await report(s.classId, adminLater)).json() as Report;
      expect(r.sessions.map((x) => x.sessionId.split('@')[1])).toEqual([
        '2026-09-07',
        '2026-09-14',
        '2026-09-28',
        '2026-10-05',
      ]);
      const listed = await call<ClassBody[]>(t.app, adminLater, 'GET', '/api/classes?limit=500');
      expect(listed.map((c) => c.id)).toContain(s.classId);
    });

    it('audits archive and unarchive with who did it', async () => {
      const { s, adminToken } = await classWithHistory();
      const me = await call<{ id: string }>(t.app, adminToken, 'GET', '/api/auth/me');
      await call(t.app, adminToken, 'POST', `/api/classes/${s.classId}/archive`);
      t.clock.advance(60_000); // the log is newest first; one instant would leave the order to ids
      await call(t.app, adminToken, 'POST', `/api/classes/${s.classId}/unarchive`);
      const rows = await call<{ action: string; actorId: string | null; entity: string }[]>(
        t.app,
        adminToken,
        'GET',
        `/api/audit?entityId=${s.classId}`,
      );
      expect(rows.map((r) => [r.action, r.entity, r.actorId])).toEqual([
        ['class.unarchive', 'class', me.id],
        ['class.archive', 'class', me.id],
        ['class.create', 'class', expect.any(String)],
      ]);
    });

    it('lets only admins archive or unarchive (403) and answers 404 for an unknown class', async () => {
      const { s, adminToken, teacherToken } = await classWithHistory();
      for (const [method, path] of [
        ['POST', 'archive'],
        ['POST', 'unarchive'],
        ['DELETE', ''],
      ] as const) {
        const url = `/api/classes/${s.classId}${path ? `/${path}` : ''}`;
        const asTeacher = await t.app.inject({ method, url, headers: bearer(teacherToken) });
        expect(asTeacher.statusCode, `${method} ${url}`).toBe(403);
        const unknown = await t.app.inject({
          method,
          url: `/api/classes/no-such-class${path ? `/${path}` : ''}`,
          headers: bearer(adminToken),
        });
        expect(unknown.statusCode, `${method} unknown ${path}`).toBe(404);
      }
      const cls = await call<ClassBody>(t.app, adminToken, 'GET', `/api/classes/${s.classId}`);
      expect(cls.archivedAt).toBeNull();
    });
  });
});
