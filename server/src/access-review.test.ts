// Security reviews' server findings (docs/security.md, 13, 14, 16 and 21), each as a test that
// failed before its fix: a kiosk's pushed correction could carry a staff member's email and be
// shown under that person's name, a teacher could filter the student lists by another teacher's
// class, each sign-in route had its own password-guessing budget, and a teacher's calendar showed
// every class's cancelled sessions with their reasons.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  buildTestApp,
  call,
  createUser,
  pairKiosk,
  seed,
  type Seeded,
  type TestApp,
} from '../test/app.js';
import { testDialects, type TestDatabase } from '../test/databases.js';

const sqlite = (await testDialects()).find((d) => d.name === 'sqlite');
if (!sqlite) throw new Error('no sqlite dialect');

interface ReportRow {
  studentId: string;
  decidedBy: string;
  actor: string | null;
  actorName: string | null;
}

describe('who a correction is attributed to (finding 13)', () => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;
  beforeAll(async () => {
    database = await sqlite.open();
    t = await buildTestApp(database);
    s = await seed(t, database, { students: 2 });
  });
  afterAll(async () => {
    await t.app.close();
    await database.cleanup();
  });

  const report = async () =>
    call<{ students: ReportRow[] }>(
      t.app,
      s.teacherToken,
      'GET',
      `/api/sessions/${encodeURIComponent(s.sessionId)}/attendance`,
    );

  it("a kiosk's pushed correction naming a staff email is shown as the kiosk's, not under that person's name", async () => {
    const head = await createUser(database, 'admin');
    const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId, 'Front door');
    const studentId = s.students[0]?.id ?? '';
    await call(t.app, kiosk.token, 'POST', '/api/sync/attendance', {
      events: [
        {
          id: randomUUID(),
          kind: 'manual',
          studentId,
          sessionId: s.sessionId,
          status: 'excused',
          occurredAt: `${s.date}T08:40:00Z`,
          actor: head.email,
          reason: 'approved by the head',
        },
      ],
    });
    const row = (await report()).students.find((r) => r.studentId === studentId);
    expect(row?.decidedBy).toBe('manual');
    expect(row?.actorName).not.toBe(head.name);
    expect(row?.actor).not.toBe(head.email);
    expect(row).toMatchObject({ actor: `device:${kiosk.deviceId}`, actorName: 'Front door (kiosk)' });
  });

  it('a correction made on the server still names its user (email and current name)', async () => {
    const studentId = s.students[1]?.id ?? '';
    await call(t.app, s.teacherToken, 'POST', '/api/attendance/corrections', {
      kind: 'manual',
      sessionId: s.sessionId,
      studentId,
      status: 'late',
      reason: 'bus',
    });
    const row = (await report()).students.find((r) => r.studentId === studentId);
    const teacher = await database.db
      .selectFrom('users')
      .select('name')
      .where('id', '=', s.teacher.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ actor: s.teacher.email, actorName: teacher.name });
  });
});

describe("a teacher's views stay inside their classes: student filters (finding 14), the calendar (finding 21)", () => {
  let database: TestDatabase;
  let t: TestApp;
  let mine: Seeded;
  let theirs: Seeded;
  let shared: string;
  beforeAll(async () => {
    database = await sqlite.open();
    t = await buildTestApp(database);
    mine = await seed(t, database, { students: 1 });
    theirs = await seed(t, database, { students: 1 });
    // A student of both classes: the other teacher's class list must not be readable through them.
    shared = mine.students[0]?.id ?? '';
    await call(t.app, theirs.adminToken, 'POST', `/api/classes/${theirs.classId}/enrolments`, {
      studentIds: [shared],
    });
  });
  afterAll(async () => {
    await t.app.close();
    await database.cleanup();
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: bearer(mine.teacherToken) });

  it("GET /api/students?classId=<another teacher's class> is 403, not the students both classes share", async () => {
    const res = await get(`/api/students?classId=${theirs.classId}`);
    expect(res.statusCode).toBe(403);
  });

  it("the template coverage of another teacher's class is 403 too", async () => {
    const res = await get(
      `/api/students/template-coverage?modelId=faceplugin%2Fv1&classId=${theirs.classId}`,
    );
    expect(res.statusCode).toBe(403);
  });

  it('their own class filters as before, and an unknown class is 404', async () => {
    const own = await get(`/api/students?classId=${mine.classId}`);
    expect(own.statusCode).toBe(200);
    expect((own.json() as { id: string }[]).map((x) => x.id)).toEqual([shared]);
    const coverage = await get(
      `/api/students/template-coverage?modelId=faceplugin%2Fv1&classId=${mine.classId}`,
    );
    expect(coverage.statusCode).toBe(200);
    expect((await get(`/api/students?classId=${randomUUID()}`)).statusCode).toBe(404);
    // Admins filter by any class.
    const admin = await t.app.inject({
      method: 'GET',
      url: `/api/students?classId=${theirs.classId}`,
      headers: bearer(mine.adminToken),
    });
    expect(admin.statusCode).toBe(200);
  });

  it("shows the school's terms and closures but only the changed sessions of the teacher's own classes", async () => {
    await call(t.app, mine.adminToken, 'POST', '/api/sites/default/closures', {
      name: 'Autumn break',
      startDate: '2026-10-26',
      endDate: '2026-10-30',
    });
    await call(t.app, mine.adminToken, 'POST', `/api/sessions/${mine.sessionId}/cancel`, { reason: 'trip' });
    await call(t.app, mine.adminToken, 'POST', `/api/sessions/${theirs.sessionId}/cancel`, {
      reason: 'teacher on sick leave',
    });
    type Cal = { closures: { name: string }[]; changes: { scheduleId: string; reason?: string | null }[] };
    const asTeacher = await call<Cal>(t.app, mine.teacherToken, 'GET', '/api/sites/default/calendar');
    expect(asTeacher.closures.map((c) => c.name)).toContain('Autumn break');
    expect(asTeacher.changes).toEqual([
      expect.objectContaining({ scheduleId: mine.scheduleId, reason: 'trip' }),
    ]);
    const asAdmin = await call<Cal>(t.app, mine.adminToken, 'GET', '/api/sites/default/calendar');
    expect(asAdmin.changes.map((c) => c.scheduleId).sort()).toEqual(
      [mine.scheduleId, theirs.scheduleId].sort(),
    );
  });
});

describe('one password-guessing budget per client, whichever route checks the password (finding 16)', () => {
  let database: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    database = await sqlite.open();
    t = await buildTestApp(database, { config: { loginRateLimitPerMinute: 3 } });
  });
  afterAll(async () => {
    await t.app.close();
    await database.cleanup();
  });

  const guess = (url: string, email: string, remoteAddress: string) =>
    t.app.inject({
      method: 'POST',
      url,
      remoteAddress,
      headers: { 'x-rollcall-console': '1' },
      payload: { email, password: 'a wrong guess!' },
    });

  it('the console sign-in is refused once the API login has spent the limit, and the other way round', async () => {
    const user = await createUser(database, 'teacher');
    const first = [];
    for (let i = 0; i < 3; i++)
      first.push((await guess('/api/auth/login', user.email, '192.0.2.10')).statusCode);
    expect(first).toEqual([401, 401, 401]);
    expect((await guess('/api/auth/session', user.email, '192.0.2.10')).statusCode).toBe(429);

    for (let i = 0; i < 3; i++) await guess('/api/auth/session', user.email, '192.0.2.11');
    expect((await guess('/api/auth/login', user.email, '192.0.2.11')).statusCode).toBe(429);
  });

  it("changing one's password shares a budget across the API and the console too", async () => {
    const user = await createUser(database, 'teacher');
    const token = (
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: '192.0.2.20',
          payload: { email: user.email, password: user.password },
        })
      ).json() as { accessToken: string }
    ).accessToken;
    const change = (url: string) =>
      t.app.inject({
        method: 'POST',
        url,
        remoteAddress: '192.0.2.21',
        headers: { ...bearer(token), 'x-rollcall-console': '1' },
        payload: { currentPassword: 'a wrong guess!', newPassword: 'a brand new passphrase' },
      });
    for (let i = 0; i < 3; i++) expect((await change('/api/auth/password')).statusCode).toBe(403);
    expect((await change('/api/auth/session/password')).statusCode).toBe(429);
  });
});
