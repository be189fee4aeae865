// The staff console's server side: the built page at `/` with its strict CSP (and the API
// untouched), the cookie session (httpOnly, SameSite=Strict, CSRF header, rotation, logout,
// password change ending other sessions), the day's sessions, and the live session stream.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  buildTestApp,
  call,
  createUser,
  login,
  multipartBody,
  pairKiosk,
  presentMark,
  seed,
  type Seeded,
  type TestApp,
} from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';
import { CONSOLE_CSP } from './static.js';

const dialects = await testDialects();

function sessionCookie(res: { headers: Record<string, unknown> }): string | undefined {
  const raw = res.headers['set-cookie'];
  const line = Array.isArray(raw) ? String(raw[0]) : typeof raw === 'string' ? raw : undefined;
  return line;
}
const cookieValue = (setCookie: string | undefined) =>
  /^rollcall_session=([^;]*)/.exec(setCookie ?? '')?.[1] ?? '';

describe('console static files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rollcall-console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers / with the console under a strict CSP and leaves /api and /docs alone', async () => {
    const [dialect] = dialects;
    if (!dialect?.available) return;
    const database = await dialect.open();
    const t = await buildTestApp(database, { consoleDir: dir });
    try {
      const page = await t.app.inject({ url: '/' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.body).toContain('<div id="root">');
      expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(CONSOLE_CSP).not.toMatch(/unsafe-(inline|eval)/);
      expect(page.headers['cache-control']).toBe('no-cache');
      const asset = await t.app.inject({ url: '/assets/app-1234.js' });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['cache-control']).toMatch(/immutable/);
      const health = await t.app.inject({ url: '/health' });
      expect(health.json()).toMatchObject({ status: 'ok' });
      const unknownApi = await t.app.inject({ url: '/api/nope' });
      expect(unknownApi.statusCode).toBe(404);
      expect(unknownApi.json()).toMatchObject({ error: 'not_found' });
      const unauth = await t.app.inject({ url: '/api/students' });
      expect(unauth.statusCode).toBe(401);
      expect(unauth.headers['content-security-policy']).not.toBe(CONSOLE_CSP);
    } finally {
      await t.app.close();
      await database.close();
    }
  });

  it('says how to build the console when it is missing', async () => {
    const [dialect] = dialects;
    if (!dialect?.available) return;
    const database = await dialect.open();
    const t = await buildTestApp(database, { consoleDir: join(dir, 'missing') });
    try {
      const page = await t.app.inject({ url: '/' });
      expect(page.statusCode).toBe(503);
      expect(page.body).toContain('npm run build:console');
    } finally {
      await t.app.close();
      await database.close();
    }
  });
});

describe.each(dialects)('console session and live sessions on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;
  let url: string;
  let app: FastifyInstance;
  const csrf = { 'x-rollcall-console': '1' };

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database, { consoleDir: null });
    app = t.app;
    s = await seed(t, database, { students: 3 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
  });
  afterAll(async () => {
    if (!dialect.available) return;
    await app.close();
    await database.close();
  });

  it.skipIf(!dialect.available)(
    'signs in with an httpOnly SameSite=Strict cookie, refreshes by rotation, and logs out',
    async () => {
      const user = await createUser(database, 'teacher');
      const noHeader = await app.inject({
        method: 'POST',
        url: '/api/auth/session',
        payload: { email: user.email, password: user.password },
      });
      expect(noHeader.statusCode).toBe(403);
      expect(noHeader.json()).toMatchObject({ error: 'csrf_header_missing' });

      const bad = await app.inject({
        method: 'POST',
        url: '/api/auth/session',
        headers: csrf,
        payload: { email: user.email, password: 'wrong password!' },
      });
      expect(bad.statusCode).toBe(401);
      const invalid = await app.inject({
        method: 'POST',
        url: '/api/auth/session',
        headers: csrf,
        payload: { email: 'not-an-email', password: 'x' },
      });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json().issues[0].path).toBe('email');

      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/session',
        headers: csrf,
        payload: { email: user.email, password: user.password },
      });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.refreshToken).toBeUndefined();
      expect(body.user).toMatchObject({ email: user.email, role: 'teacher' });
      const setCookie = sessionCookie(res);
      expect(setCookie).toMatch(/HttpOnly/);
      expect(setCookie).toMatch(/SameSite=Strict/);
      expect(setCookie).toMatch(/Path=\/api\/auth\/session/);
      const first = cookieValue(setCookie);
      expect(first.length).toBeGreaterThan(20);
      await call(app, body.accessToken, 'GET', '/api/auth/me');

      // Refresh needs the header too (a cross-site form cannot add it).
      const refreshNoHeader = await app.inject({
        method: 'POST',
        url: '/api/auth/session/refresh',
        headers: { cookie: `rollcall_session=${first}` },
      });
      expect(refreshNoHeader.statusCode).toBe(403);
      const refreshed = await app.inject({
        method: 'POST',
        url: '/api/auth/session/refresh',
        headers: { ...csrf, cookie: `rollcall_session=${first}` },
      });
      expect(refreshed.statusCode).toBe(200);
      const second = cookieValue(sessionCookie(refreshed));
      expect(second).not.toBe(first);
      // The old cookie is single-use: replaying it revokes the family.
      const replay = await app.inject({
        method: 'POST',
        url: '/api/auth/session/refresh',
        headers: { ...csrf, cookie: `rollcall_session=${first}` },
      });
      expect(replay.statusCode).toBe(401);
      expect(sessionCookie(replay)).toMatch(/Max-Age=0/);

      const again = await app.inject({
        method: 'POST',
        url: '/api/auth/session',
        headers: csrf,
        payload: { email: user.email, password: user.password },
      });
      const third = cookieValue(sessionCookie(again));
      const out = await app.inject({
        method: 'POST',
        url: '/api/auth/session/logout',
        headers: { ...csrf, cookie: `rollcall_session=${third}` },
      });
      expect(out.statusCode).toBe(200);
      expect(sessionCookie(out)).toMatch(/Max-Age=0/);
      const after = await app.inject({
        method: 'POST',
        url: '/api/auth/session/refresh',
        headers: { ...csrf, cookie: `rollcall_session=${third}` },
      });
      expect(after.statusCode).toBe(401);
      const none = await app.inject({ method: 'POST', url: '/api/auth/session/refresh', headers: csrf });
      expect(none.json()).toMatchObject({ error: 'no_session' });
    },
  );

  it.skipIf(!dialect.available)(
    'a password change from the console ends every other session and keeps this one',
    async () => {
      const user = await createUser(database, 'teacher');
      const other = await login(app, user.email, user.password);
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/session',
        headers: csrf,
        payload: { email: user.email, password: user.password },
      });
      const { accessToken } = res.json();
      const short = await app.inject({
        method: 'POST',
        url: '/api/auth/session/password',
        headers: { ...csrf, ...bearer(accessToken) },
        payload: { currentPassword: user.password, newPassword: 'short' },
      });
      expect(short.statusCode).toBe(400);
      expect(short.json().issues[0]).toMatchObject({ path: 'newPassword' });
      const changed = await app.inject({
        method: 'POST',
        url: '/api/auth/session/password',
        headers: { ...csrf, ...bearer(accessToken) },
        payload: { currentPassword: user.password, newPassword: 'a much longer password' },
      });
      expect(changed.statusCode).toBe(200);
      const fresh = changed.json().accessToken as string;
      const cookie = cookieValue(sessionCookie(changed));
      expect((await app.inject({ url: '/api/auth/me', headers: bearer(other) })).json()).toMatchObject({
        error: 'session_revoked',
      });
      expect((await app.inject({ url: '/api/auth/me', headers: bearer(accessToken) })).statusCode).toBe(401);
      expect((await app.inject({ url: '/api/auth/me', headers: bearer(fresh) })).statusCode).toBe(200);
      expect(
        (
          await app.inject({
            method: 'POST',
            url: '/api/auth/session/refresh',
            headers: { ...csrf, cookie: `rollcall_session=${cookie}` },
          })
        ).statusCode,
      ).toBe(200);
    },
  );

  it.skipIf(!dialect.available)(
    "lists the day's sessions of the teacher's classes only, in the site's zone",
    async () => {
      const mine = await call<{
        date: string | null;
        total: number;
        sessions: { sessionId: string; date: string; state: string; room: { name: string } }[];
      }>(app, s.teacherToken, 'GET', '/api/sessions');
      expect(mine.total).toBe(1);
      // The day listed is named, so the console's day picker can show it.
      expect(mine.date).toBe(mine.sessions[0]?.date);
      expect(mine.sessions[0]).toMatchObject({ sessionId: s.sessionId, state: 'upcoming', timezone: 'UTC' });
      const stranger = await createUser(database, 'teacher');
      const theirs = await call<{ total: number }>(
        app,
        await login(app, stranger.email, stranger.password),
        'GET',
        '/api/sessions',
      );
      // A teacher with no class still learns which day it is at the school (the day picker shows
      // it) and that they have no class (the page says so instead of "no lessons today").
      expect(theirs).toEqual({
        date: s.date,
        total: 0,
        sessions: [],
        hasClasses: false,
        nextDate: null,
        closures: [],
        outsideTerms: false,
      });
      const tuesday = await call<{ date: string | null; total: number }>(
        app,
        s.adminToken,
        'GET',
        '/api/sessions?date=2026-09-08',
      );
      // An empty day points to the next one with a lesson (the Mondays' schedule: the 14th).
      expect(tuesday).toMatchObject({
        date: '2026-09-08',
        total: 0,
        hasClasses: true,
        nextDate: '2026-09-14',
      });
      // A day with lessons needs no pointer.
      expect(await call(app, s.teacherToken, 'GET', `/api/sessions?date=${s.date}`)).toMatchObject({
        total: 1,
        nextDate: null,
      });
      const bad = await app.inject({ url: '/api/sessions?date=7/9/2026', headers: bearer(s.adminToken) });
      expect(bad.statusCode).toBe(400);
    },
  );

  it.skipIf(!dialect.available)(
    "says which of the day's sessions are cancelled or moved, with the reason",
    async () => {
      type Day = {
        nextDate: string | null;
        sessions: {
          sessionId: string;
          cancelled: boolean;
          moved: boolean;
          note: string | null;
          startTime: string;
        }[];
      };
      const next = `${s.scheduleId}@2026-09-14`;
      const day = (date: string) => call<Day>(app, s.adminToken, 'GET', `/api/sessions?date=${date}`);
      expect((await day('2026-09-14')).sessions[0]).toMatchObject({
        cancelled: false,
        moved: false,
        note: null,
      });
      await call(app, s.adminToken, 'POST', `/api/sessions/${encodeURIComponent(next)}/cancel`, {
        reason: 'Trip',
      });
      expect((await day('2026-09-14')).sessions[0]).toMatchObject({
        sessionId: next,
        cancelled: true,
        moved: false,
        note: 'Trip',
      });
      // A cancelled lesson is not one to point to: the next day with a lesson is the Monday after.
      expect(await day('2026-09-08')).toMatchObject({ total: 0, nextDate: '2026-09-21' });
      await call(app, s.adminToken, 'DELETE', `/api/sessions/${encodeURIComponent(next)}/change`);
      // A move onto a day off is refused with the field it is about, for the console's form.
      await call(app, s.adminToken, 'POST', '/api/sites/default/closures', {
        name: 'Inset day',
        startDate: '2026-09-16',
        endDate: '2026-09-16',
      });
      const refused = await app.inject({
        method: 'POST',
        url: `/api/sessions/${encodeURIComponent(next)}/move`,
        headers: bearer(s.adminToken),
        payload: { toDate: '2026-09-16' },
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toMatchObject({ error: 'day_off', issues: [{ path: 'toDate' }] });
      await call(app, s.adminToken, 'POST', `/api/sessions/${encodeURIComponent(next)}/move`, {
        toDate: '2026-09-15',
        startTime: '10:00',
        endTime: '10:45',
        reason: 'Exam in the room',
      });
      expect((await day('2026-09-14')).sessions).toEqual([]);
      expect((await day('2026-09-15')).sessions[0]).toMatchObject({
        sessionId: next,
        cancelled: false,
        moved: true,
        startTime: '10:00',
        note: 'Exam in the room',
      });
      await call(app, s.adminToken, 'DELETE', `/api/sessions/${encodeURIComponent(next)}/change`);
      expect((await day('2026-09-14')).sessions[0]).toMatchObject({ moved: false, cancelled: false });
    },
  );

  it.skipIf(!dialect.available)(
    'says why a day has no lesson: its holidays and closures, or a day outside the terms',
    async () => {
      type Day = {
        total: number;
        closures: { name: string; startDate: string; endDate: string }[];
        outsideTerms: boolean;
      };
      const day = (date: string) => call<Day>(app, s.teacherToken, 'GET', `/api/sessions?date=${date}`);
      // A Monday with its lesson: nothing to explain.
      expect(await day('2026-09-28')).toMatchObject({ total: 1, closures: [], outsideTerms: false });
      const closure = await call<{ id: string }>(app, s.adminToken, 'POST', '/api/sites/default/closures', {
        name: 'Autumn half-term',
        startDate: '2026-09-26',
        endDate: '2026-10-04',
      });
      const term = await call<{ id: string }>(app, s.adminToken, 'POST', '/api/sites/default/terms', {
        name: 'Autumn',
        startDate: '2026-09-01',
        endDate: '2026-12-18',
      });
      try {
        expect(await day('2026-09-28')).toEqual({
          date: '2026-09-28',
          total: 0,
          sessions: [],
          hasClasses: true,
          nextDate: expect.any(String),
          closures: [{ name: 'Autumn half-term', startDate: '2026-09-26', endDate: '2026-10-04' }],
          outsideTerms: false,
        });
        expect(await day('2027-01-04')).toMatchObject({ total: 0, closures: [], outsideTerms: true });
      } finally {
        await call(app, s.adminToken, 'DELETE', `/api/closures/${closure.id}`, undefined, [200, 204]);
        await call(app, s.adminToken, 'DELETE', `/api/terms/${term.id}`, undefined, [200, 204]);
      }
      expect(await day('2026-09-28')).toMatchObject({ total: 1 });
    },
  );

  it.skipIf(!dialect.available)(
    'streams the session report and pushes a kiosk upload and a correction at once',
    async () => {
      const stranger = await createUser(database, 'teacher');
      const strangerToken = await login(app, stranger.email, stranger.password);
      const forbidden = await fetch(`${url}/api/sessions/${encodeURIComponent(s.sessionId)}/live`, {
        headers: bearer(strangerToken),
      });
      expect(forbidden.status).toBe(403);
      await forbidden.body?.cancel();

      const ac = new AbortController();
      const res = await fetch(`${url}/api/sessions/${encodeURIComponent(s.sessionId)}/live`, {
        headers: bearer(s.teacherToken),
        signal: ac.signal,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      const nextReport = async (): Promise<{
        students: {
          studentId: string;
          status: string;
          decidedBy: string;
          similarity: number | null;
          actor: string | null;
          eventId: string | null;
        }[];
      }> => {
        for (;;) {
          const m = /event: report\ndata: (.*)\n\n/.exec(buffer);
          if (m) {
            buffer = buffer.slice((m.index ?? 0) + m[0].length);
            return JSON.parse(m[1] ?? '{}');
          }
          const { value, done } = await reader.read();
          if (done) throw new Error('stream ended');
          buffer += value;
        }
      };
      const initial = await nextReport();
      expect(initial.students.map((x) => x.decidedBy)).toEqual(['none', 'none', 'none']);

      const kiosk = await pairKiosk(app, s.adminToken, s.roomId);
      const mark = { ...presentMark(s, 0), scores: { similarity: 0.81, margin: 0.2, votes: 3, window: 5 } };
      const started = Date.now();
      await call(app, kiosk.token, 'POST', '/api/sync/attendance', {
        events: [mark],
        health: { appVersion: '0.1.0', queueDepth: 0 },
      });
      const afterMark = await nextReport();
      // Pushed by the in-process feed, well before the 2 s database poll.
      expect(Date.now() - started).toBeLessThan(1500);
      expect(afterMark.students.find((x) => x.studentId === s.students[0]?.id)).toMatchObject({
        status: 'present',
        decidedBy: 'mark',
        similarity: 0.81,
      });

      await call(app, s.teacherToken, 'POST', '/api/attendance/corrections', {
        kind: 'manual',
        sessionId: s.sessionId,
        studentId: s.students[1]?.id,
        status: 'excused',
        reason: 'doctor',
      });
      const afterCorrection = await nextReport();
      const excused = afterCorrection.students.find((x) => x.studentId === s.students[1]?.id);
      // The console shows who corrected by name; the event keeps the email it was recorded with.
      const teacher = await database.db
        .selectFrom('users')
        .select('name')
        .where('id', '=', s.teacher.id)
        .executeTakeFirstOrThrow();
      expect(excused).toMatchObject({
        status: 'excused',
        decidedBy: 'manual',
        actor: s.teacher.email,
        actorName: teacher.name,
      });
      expect(teacher.name).not.toBe(s.teacher.email);
      expect(excused?.eventId).toBeTruthy();
      ac.abort();
    },
  );

  it.skipIf(!dialect.available)(
    'filters students by consent, enrolment and re-enrolment, on the server',
    async () => {
      const mk = (n: string, consent: boolean) =>
        call<{ id: string }>(app, s.adminToken, 'POST', '/api/students', {
          siteId: 'default',
          studentNumber: `F-${n}`,
          name: `Filter ${n}`,
          consent,
        });
      const withFace = await mk('a', true);
      const noFace = await mk('b', true);
      const noConsent = await mk('c', false);
      const body = multipartBody([{ filename: 'face.jpg', bytes: Buffer.from('a face of student a') }]);
      const up = await app.inject({
        method: 'POST',
        url: `/api/students/${withFace.id}/photos`,
        headers: { ...bearer(s.adminToken), ...body.headers },
        payload: body.payload,
      });
      expect(up.statusCode).toBe(200);
      const refused = await app.inject({
        method: 'POST',
        url: `/api/students/${noConsent.id}/photos`,
        headers: { ...bearer(s.adminToken), ...body.headers },
        payload: body.payload,
      });
      expect(refused.statusCode).toBe(409);
      const ids = async (query: string) =>
        (await call<{ id: string }[]>(app, s.adminToken, 'GET', `/api/students?q=Filter&${query}`))
          .map((x) => x.id)
          .sort();
      expect(await ids('consent=no')).toEqual([noConsent.id]);
      expect(await ids('consent=yes')).toEqual([withFace.id, noFace.id].sort());
      expect(await ids('enrolled=yes')).toEqual([withFace.id]);
      expect(await ids('enrolled=no')).toEqual([noFace.id, noConsent.id].sort());
      expect(await ids('withTemplatesButNotFor=fake-model-v1')).toEqual([]);
      expect(await ids('withTemplatesButNotFor=some-newer-model')).toEqual([withFace.id]);
      const bad = await app.inject({ url: '/api/students?consent=maybe', headers: bearer(s.adminToken) });
      expect(bad.statusCode).toBe(400);
      const model = await call<{ modelId: string }>(app, s.teacherToken, 'GET', '/api/face-models/current');
      expect(model.modelId.length).toBeGreaterThan(0);
    },
  );

  it.skipIf(!dialect.available)(
    'school reports: by class and day with the class rule, absentees of started sessions; audit filters',
    async () => {
      // Monday 2026-09-07 09:00: the seeded 08:30 session has started; student 0 came, 1 excused.
      t.clock.t = new Date('2026-09-07T09:00:00Z');
      try {
        // Tokens made at 08:00 have expired by 09:00: fresh ones.
        const admin = await createUser(database, 'admin');
        const adminToken = await login(app, admin.email, admin.password);
        const otherTeacher = await createUser(database, 'teacher');
        const teacherToken = await login(app, otherTeacher.email, otherTeacher.password);
        const kiosk = await pairKiosk(app, adminToken, s.roomId, 'Report door');
        await call(app, kiosk.token, 'POST', '/api/sync/attendance', {
          events: [presentMark(s, 0)],
          health: { appVersion: '0.1.0', queueDepth: 0 },
        });
        await call(app, adminToken, 'POST', '/api/attendance/corrections', {
          kind: 'manual',
          sessionId: s.sessionId,
          studentId: s.students[1]?.id,
          status: 'excused',
          reason: 'ill',
        });
        const school = await call<{
          classes: { classId: string; counts: Record<string, number>; attendanceRate: number | null }[];
          days: { date: string }[];
          totals: Record<string, number>;
        }>(app, adminToken, 'GET', '/api/reports/school?from=2026-09-07&to=2026-09-07');
        const mine = school.classes.find((c) => c.classId === s.classId);
        expect(mine?.counts).toMatchObject({ present: 1, excused: 1 });
        const cls = await call<{ totals: Record<string, number> }>(
          app,
          adminToken,
          'GET',
          `/api/reports/classes/${s.classId}?from=2026-09-07&to=2026-09-07`,
        );
        expect(mine?.counts).toEqual(cls.totals);
        expect(school.days.map((d) => d.date)).toEqual(['2026-09-07']);
        const csv = await app.inject({
          url: '/api/reports/school?from=2026-09-07&to=2026-09-07&format=csv',
          headers: bearer(adminToken),
        });
        expect(csv.body.split('\r\n')[0]).toBe('class,sessions,present,late,absent,excused,attendance_rate');
        const absent = await call<{ sessions: { sessionId: string; absent: { studentId: string }[] }[] }>(
          app,
          adminToken,
          'GET',
          '/api/reports/absentees',
        );
        const session = absent.sessions.find((x) => x.sessionId === s.sessionId);
        expect(session?.absent.map((a) => a.studentId)).toEqual([s.students[2]?.id]);
        expect(
          (await app.inject({ url: '/api/reports/school', headers: bearer(teacherToken) })).statusCode,
        ).toBe(403);

        const corrections = await call<{ action: string; actorId: string }[]>(
          app,
          adminToken,
          'GET',
          '/api/audit?action=attendance.',
        );
        expect(corrections.length).toBeGreaterThan(0);
        expect(corrections.every((r) => r.action.startsWith('attendance.'))).toBe(true);
        const page2 = await call<unknown[]>(app, adminToken, 'GET', '/api/audit?limit=1&offset=1');
        const page1 = await call<{ id: string }[]>(app, adminToken, 'GET', '/api/audit?limit=2');
        expect(page2).toEqual([page1[1]]);
        expect(await call<unknown[]>(app, adminToken, 'GET', '/api/audit?from=2030-01-01T00:00:00Z')).toEqual(
          [],
        );
      } finally {
        t.clock.t = new Date('2026-09-07T08:00:00Z');
      }
    },
  );

  it.skipIf(!dialect.available)('ends the stream when the session is revoked', async () => {
    const user = await createUser(database, 'admin');
    const token = await login(app, user.email, user.password);
    const res = await fetch(`${url}/api/sessions/${encodeURIComponent(s.sessionId)}/live`, {
      headers: bearer(token),
    });
    const text = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    await call(app, s.adminToken, 'PATCH', `/api/users/${user.id}`, { disabled: true });
    let all = '';
    const deadline = Date.now() + 6000;
    while (Date.now() < deadline) {
      const { value, done } = await text.read();
      if (done) break;
      all += value;
    }
    expect(all).toMatch(/event: end\ndata: \{"reason":"session_revoked"\}/);
  });
});
