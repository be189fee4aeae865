// Absence emails and digests, end to end through a REAL SMTP server started here: planning
// after the session's end + delay, exactly one email per absence across instances, retries
// with backoff when the mail server is down or refuses, and ingest unaffected meanwhile.
import { createServer, type Server, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  buildTestApp,
  presentMark,
  call,
  createUser,
  login,
  pairKiosk,
  seed,
  type TestApp,
} from '../../test/app.js';
import { openTestSqlite, testDialects, type TestDatabase } from '../../test/databases.js';
import { defaultNotificationsConfig, type NotificationsConfig } from './config.js';
import { listJobs } from './jobs.js';
import { TestSmtpServer } from './smtp-test-server.js';

const dialects = await testDialects();

// The seeded schedule: Mondays 08:30–09:15 UTC, 10 minutes' grace; 2026-09-07 is a Monday.
const AT = (hhmm: string) => new Date(`2026-09-07T${hhmm}:00Z`);

function notifyConfig(smtpUrl: string, patch: Partial<NotificationsConfig> = {}): NotificationsConfig {
  return defaultNotificationsConfig({
    smtpUrl,
    delayMinutes: 15,
    digestTime: '18:00',
    tickMs: 0,
    backoffBaseMs: 60_000,
    smtpTimeoutMs: 2_000,
    ...patch,
  });
}

const mark = presentMark;

describe.each(dialects)('notifications on $name', (dialect) => {
  let smtp: TestSmtpServer;
  const opened: { app: FastifyInstance; database?: TestDatabase }[] = [];

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
  });
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      await o.app.close();
      await o.database?.cleanup();
    }
    smtp.received.length = 0;
    smtp.rejectWith = null;
    await smtp.up();
  });
  afterAll(async () => {
    await smtp?.down();
  });

  async function start(patch: Partial<NotificationsConfig> = {}, students = 4) {
    const database = await dialect.open();
    const t = await buildTestApp(database, {
      config: { notifications: notifyConfig(smtp.url, patch), metricsOpen: true },
      processMetrics: false,
    });
    opened.push({ app: t.app, database });
    const s = await seed(t, database, { students });
    return { database, t, s };
  }

  it.skipIf(!dialect.available)(
    'emails each absence once, after the end + delay, to the guardian (or the student without one); then the digest',
    async () => {
      const { database, t, s } = await start();
      const [s0, s1, s2, s3] = s.students;
      // s3 has no guardian on file: the email goes to the student.
      await call(t.app, s.adminToken, 'PATCH', `/api/students/${s3?.id}`, {
        guardianEmail: null,
        email: 'kid3@school.example',
      });
      const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId);
      await call(t.app, s.teacherToken, 'POST', '/api/attendance/corrections', {
        kind: 'manual',
        sessionId: s.sessionId,
        studentId: s2?.id,
        status: 'excused',
        reason: 'dentist',
      });

      t.clock.t = AT('09:20'); // ended at 09:15, delay 15 min: not yet
      // The kiosk pushes its 08:31 mark after the session (it syncs when it can).
      await call(t.app, kiosk.token, 'POST', '/api/sync/attendance', { events: [mark(s, 0)] });
      expect(await t.app.notifications.tick()).toMatchObject({ planned: 0, sent: 0 });
      expect(smtp.received).toHaveLength(0);

      t.clock.t = AT('09:31');
      expect(await t.app.notifications.tick()).toMatchObject({
        planned: 1,
        done: 1,
        sent: 2,
        retried: 0,
        deferred: 0,
      });
      const byRcpt = new Map(smtp.received.map((m) => [m.to.join(','), m]));
      expect([...byRcpt.keys()].sort()).toEqual(['guardian1@home.example', 'kid3@school.example']);
      const toGuardian = byRcpt.get('guardian1@home.example');
      expect(toGuardian?.subject).toMatch(/^Absence: Student 1 – Maths \d+, 2026-09-07$/);
      expect(toGuardian?.text).toContain(
        `Student 1 (student number ${s1?.studentNumber}) was recorded absent from Maths`,
      );
      expect(toGuardian?.text).toContain('2026-09-07, 08:30–09:15');
      expect(toGuardian?.headers.get('x-rollcall-notification')).toBe(
        `absence:${s.sessionId}:${s1?.id}:guardian`,
      );
      expect(byRcpt.get('kid3@school.example')?.text).toMatch(/^Hello Student 3,/);
      expect(s0).toBeDefined();

      // Nothing new on later ticks, from this instance or another one on the same database.
      const second = await buildTestApp(database, {
        config: { notifications: notifyConfig(smtp.url) },
        processMetrics: false,
      });
      opened.push({ app: second.app });
      second.clock.t = AT('09:40');
      t.clock.t = AT('09:40');
      await Promise.all([t.app.notifications.tick(), second.app.notifications.tick()]);
      expect(smtp.received).toHaveLength(2);

      // The teacher's digest after 18:00 local.
      t.clock.t = AT('18:01');
      expect(await t.app.notifications.tick()).toMatchObject({ planned: 1, sent: 1 });
      const digest = smtp.received[2];
      expect(digest?.to).toEqual([s.teacher.email]);
      expect(digest?.subject).toBe('Attendance 2026-09-07: 1 session, 2 absences');
      expect(digest?.text).toMatch(/Maths \d+ 08:30–09:15: 1 present, 0 late, 2 absent, 1 excused/);
      expect(digest?.text).toContain(
        `Absent: Student 1 (${s1?.studentNumber}), Student 3 (${s3?.studentNumber})`,
      );
      expect(await t.app.notifications.tick()).toMatchObject({ planned: 0, sent: 0 });

      const admin = await createUser(database, 'admin');
      const token = await login(t.app, admin.email, admin.password);
      const list = (
        await t.app.inject({ method: 'GET', url: '/api/notifications', headers: bearer(token) })
      ).json() as { counts: Record<string, number>; jobs: unknown[] };
      expect(list.counts).toMatchObject({ sent: 3, done: 1, pending: 0, failed: 0 });
      const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toContain('rollcall_notification_jobs{status="sent"} 3');
      expect(metrics).toContain('rollcall_notification_jobs{status="failed"} 0');
      expect(
        (
          await t.app.inject({
            method: 'GET',
            url: '/api/notifications',
            headers: bearer(await login(t.app, s.teacher.email, s.teacher.password)),
          })
        ).statusCode,
      ).toBe(403);
    },
  );

  it.skipIf(!dialect.available)(
    'waits for an offline kiosk of the room to sync before emailing, and gives up rather than send false absences',
    async () => {
      const { t, s, database } = await start({ kioskWaitMinutes: 120, kioskRecheckMinutes: 5 }, 3);
      const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId, 'Door B');
      // The kiosk marked students 0 and 1 at 08:31 but has been offline since before the session.
      const offlineMarks = [mark(s, 0), mark(s, 1)];
      t.clock.t = AT('09:31');
      expect(await t.app.notifications.tick()).toMatchObject({ planned: 1, deferred: 1, sent: 0 });
      let [job] = await listJobs(database.db, { kind: 'session_closed', limit: 1 });
      expect(job).toMatchObject({
        status: 'pending',
        attempts: 0,
        lastError: 'waiting for kiosk(s) Door B to sync',
        runAt: AT('09:36').toISOString(),
      });
      t.clock.t = AT('09:33');
      expect(await t.app.notifications.tick()).toMatchObject({ deferred: 0, sent: 0 }); // not due again yet

      // Back online at 09:50: its marks arrive; only student 2 was really absent.
      t.clock.t = AT('09:50');
      await call(t.app, kiosk.token, 'POST', '/api/sync/attendance', { events: offlineMarks });
      expect(await t.app.notifications.tick()).toMatchObject({ done: 1, sent: 1, deferred: 0 });
      expect(smtp.received.map((m) => m.to[0])).toEqual(['guardian2@home.example']);

      // Next Monday the kiosk stays silent: after 120 min the session's absence emails are dropped.
      const next = (hhmm: string) => new Date(`2026-09-14T${hhmm}:00Z`);
      t.clock.t = next('09:31');
      expect(await t.app.notifications.tick()).toMatchObject({ deferred: 1 });
      t.clock.t = next('11:16');
      expect(await t.app.notifications.tick()).toMatchObject({ skipped: 1, sent: 0 });
      [job] = await listJobs(database.db, { kind: 'session_closed', status: 'skipped', limit: 1 });
      expect(job?.lastError).toBe(
        'kiosk(s) Door B did not sync within 120 min of the end: absence emails not sent',
      );
      expect(smtp.received).toHaveLength(1);
    },
  );

  it.skipIf(!dialect.available)(
    'sends nothing for a session that ended before its schedule was created, nor to a student enrolled after it',
    async () => {
      const database = await dialect.open();
      const t = await buildTestApp(database, {
        config: { notifications: notifyConfig(smtp.url) },
        processMetrics: false,
      });
      opened.push({ app: t.app, database });
      t.clock.t = AT('10:00'); // the admin sets the class up after the Monday 08:30–09:15 session
      const s = await seed(t, database, { students: 2 });
      expect(await t.app.notifications.tick()).toMatchObject({ planned: 0, sent: 0 });

      // The next Monday: one student joins the class at 09:20, after that session ended.
      t.clock.t = new Date('2026-09-14T09:20:00Z');
      const admin = await createUser(database, 'admin');
      const token = await login(t.app, admin.email, admin.password);
      const late = await call<{ id: string }>(t.app, token, 'POST', '/api/students', {
        siteId: 'default',
        studentNumber: 'LATE-1',
        name: 'Late Joiner',
        guardianEmail: 'late@home.example',
        consent: true,
      });
      await call(t.app, token, 'POST', `/api/classes/${s.classId}/enrolments`, { studentIds: [late.id] });
      t.clock.t = new Date('2026-09-14T09:31:00Z');
      expect(await t.app.notifications.tick()).toMatchObject({ planned: 1, sent: 2 });
      expect(smtp.received.map((m) => m.to[0]).sort()).toEqual([
        'guardian0@home.example',
        'guardian1@home.example',
      ]);
    },
  );

  it.skipIf(!dialect.available)('skips an absence corrected after planning but before sending', async () => {
    const { t, s, database } = await start({}, 2);
    smtp.rejectWith = 'greylisted, try later';
    t.clock.t = AT('09:31');
    expect(await t.app.notifications.tick()).toMatchObject({ done: 1, retried: 2 });
    // The teacher excuses student 0 before the retry; only student 1's email goes out.
    const teacherToken = await login(t.app, s.teacher.email, s.teacher.password);
    await call(t.app, teacherToken, 'POST', '/api/attendance/corrections', {
      kind: 'manual',
      sessionId: s.sessionId,
      studentId: s.students[0]?.id,
      status: 'excused',
      reason: 'note from home',
    });
    smtp.rejectWith = null;
    t.clock.t = AT('10:31');
    expect(await t.app.notifications.tick()).toMatchObject({ sent: 1, skipped: 1 });
    expect(smtp.received.map((m) => m.to[0])).toEqual(['guardian1@home.example']);
    const skipped = await listJobs(database.db, { status: 'skipped', limit: 10 });
    expect(skipped[0]?.lastError).toBe('status is now excused');
  });

  it.skipIf(!dialect.available)(
    'sends every email exactly once when two instances tick at the same time',
    async () => {
      const { database, t } = await start({}, 12);
      const other = await buildTestApp(database, {
        config: { notifications: notifyConfig(smtp.url) },
        processMetrics: false,
      });
      opened.push({ app: other.app });
      t.clock.t = AT('09:31');
      other.clock.t = AT('09:31');
      const [a, b] = await Promise.all([t.app.notifications.tick(), other.app.notifications.tick()]);
      expect((a.sent ?? 0) + (b.sent ?? 0)).toBe(12);
      expect(smtp.received).toHaveLength(12);
      expect(new Set(smtp.received.map((m) => m.headers.get('x-rollcall-notification'))).size).toBe(12);
    },
  );

  it.skipIf(!dialect.available)(
    'retries with backoff while the SMTP server is down or refusing, and delivers when it is back',
    async () => {
      const { t, database } = await start({ maxAttempts: 5 }, 1);
      await smtp.down();
      t.clock.t = AT('09:31');
      expect(await t.app.notifications.tick()).toMatchObject({ done: 1, sent: 0, retried: 1 });
      let [job] = await listJobs(database.db, { kind: 'absence_email', limit: 1 });
      expect(job).toMatchObject({ status: 'pending', attempts: 1 });
      expect(job?.lastError).toMatch(/ECONNREFUSED|connect/i);
      // First retry 30–60 s later (base 60 s, jitter half to full): not before.
      const retryAt = Date.parse(job?.runAt ?? '');
      expect(retryAt - AT('09:31').getTime()).toBeGreaterThanOrEqual(30_000);
      expect(retryAt - AT('09:31').getTime()).toBeLessThanOrEqual(60_000);
      expect(await t.app.notifications.tick()).toMatchObject({ sent: 0, retried: 0 });

      // Back, but refusing recipients (451): still a retry, with a longer backoff.
      await smtp.up();
      smtp.rejectWith = 'mailbox busy';
      t.clock.t = new Date(retryAt + 1);
      expect(await t.app.notifications.tick()).toMatchObject({ sent: 0, retried: 1 });
      [job] = await listJobs(database.db, { kind: 'absence_email', limit: 1 });
      expect(job).toMatchObject({ status: 'pending', attempts: 2 });
      expect(job?.lastError).toMatch(/451|mailbox busy/);
      expect(Date.parse(job?.runAt ?? '') - (retryAt + 1)).toBeGreaterThanOrEqual(60_000);

      smtp.rejectWith = null;
      t.clock.t = new Date(Date.parse(job?.runAt ?? '') + 1);
      expect(await t.app.notifications.tick()).toMatchObject({ sent: 1 });
      expect(smtp.received).toHaveLength(1);
      [job] = await listJobs(database.db, { kind: 'absence_email', limit: 1 });
      expect(job).toMatchObject({ status: 'sent', attempts: 3 });
    },
  );

  it.skipIf(!dialect.available)('gives up after maxAttempts and says why', async () => {
    const { t, database } = await start({ maxAttempts: 2, backoffBaseMs: 1000 }, 1);
    await smtp.down();
    t.clock.t = AT('09:31');
    await t.app.notifications.tick();
    t.clock.advance(5 * 60_000);
    expect(await t.app.notifications.tick()).toMatchObject({ failed: 1 });
    const [job] = await listJobs(database.db, { kind: 'absence_email', limit: 1 });
    expect(job).toMatchObject({ status: 'failed', attempts: 2 });
    t.clock.advance(60 * 60_000);
    expect(await t.app.notifications.tick()).toMatchObject({ sent: 0, failed: 0, retried: 0 });
  });
});

/** A "mail server" that accepts connections and never says hello; closed by the cleanups. Returns its port and its open sockets. */
async function startTarpit(
  cleanups: (() => Promise<void>)[],
): Promise<{ port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const tarpit: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => tarpit.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        sockets.forEach((sk) => sk.destroy());
        tarpit.close(() => resolve());
      }),
  );
  return { port: (tarpit.address() as { port: number }).port, sockets };
}

describe('notifications and ingest', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('keeps ingesting while the mail server hangs', async () => {
    const { port } = await startTarpit(cleanups);
    const database: TestDatabase = await openTestSqlite();
    const t: TestApp = await buildTestApp(database, {
      config: { notifications: notifyConfig(`smtp://127.0.0.1:${port}`, { smtpTimeoutMs: 1500 }) },
      processMetrics: false,
    });
    cleanups.push(() => database.cleanup());
    cleanups.push(() => t.app.close());
    const s = await seed(t, database, { students: 3 });
    const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId);
    t.clock.t = AT('09:20');
    await call(t.app, kiosk.token, 'POST', '/api/sync/attendance', { events: [mark(s, 0)] });

    t.clock.t = AT('09:31');
    const round = t.app.notifications.tick();
    // While the round waits on the dead SMTP server, pushes are answered at once.
    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/sync/attendance',
        headers: bearer(kiosk.token),
        payload: { events: [mark(s, i % 3)] },
      });
      expect(res.statusCode).toBe(200);
    }
    expect(Date.now() - started).toBeLessThan(1000);
    const result = await round;
    expect(result.retried).toBeGreaterThan(0);
    expect(result.sent).toBe(0);
  });

  it('on close, finishes the email in hand and hands the other claimed jobs back at once', async () => {
    const { port, sockets } = await startTarpit(cleanups);
    const database = await openTestSqlite();
    cleanups.push(() => database.cleanup());
    const t = await buildTestApp(database, {
      config: { notifications: notifyConfig(`smtp://127.0.0.1:${port}`, { smtpTimeoutMs: 1500 }) },
      processMetrics: false,
    });
    await seed(t, database, { students: 3 });
    t.clock.t = AT('09:31');
    const round = t.app.notifications.tick();
    // Wait until the first email is in hand (its SMTP connection hangs on the tarpit).
    const deadline = Date.now() + 10_000;
    while (sockets.size === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(sockets.size).toBe(1);
    await t.app.close();
    expect(await round).toMatchObject({ retried: 1, sent: 0 });
    const jobs = await listJobs(database.db, { kind: 'absence_email', limit: 10 });
    expect(jobs.map((j) => j.status)).toEqual(['pending', 'pending', 'pending']);
    expect(jobs.map((j) => j.attempts).sort()).toEqual([0, 0, 1]);
    expect(jobs.filter((j) => j.lastError === 'released at shutdown')).toHaveLength(2);
  });

  it('ticks on its own timer once the app is ready, and stops on close', async () => {
    const smtp = await TestSmtpServer.start();
    cleanups.push(() => smtp.down());
    const database = await openTestSqlite();
    cleanups.push(() => database.cleanup());
    const t = await buildTestApp(database, {
      config: { notifications: notifyConfig(smtp.url, { tickMs: 50 }) },
      processMetrics: false,
    });
    const s = await seed(t, database, { students: 1 });
    expect(s.students).toHaveLength(1);
    t.clock.t = AT('09:31');
    const deadline = Date.now() + 10_000;
    while (smtp.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(smtp.received).toHaveLength(1);
    await t.app.close();
    // After close no round runs: a new absence would never be planned.
    t.clock.t = new Date('2026-09-14T09:31:00Z');
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.received).toHaveLength(1);
  });
});
