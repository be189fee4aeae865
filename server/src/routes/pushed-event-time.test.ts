// A device's event times are its word, but not beyond its clock's allowance: a manual mark dated
// in the future cannot outrank the corrections teachers make after it, and a mark for a session
// whose door has not opened (a later day, or later the same day) is refused (docs/security.md,
// finding 23).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIOSK_CLOCK_ALLOWANCE_MS } from '../repositories/attendance.js';
import { buildTestApp, call, pairKiosk, seed, type Seeded, type TestApp } from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';

const dialects = await testDialects();

interface Row {
  studentId: string;
  status: string;
  decidedBy: string;
  markedAt: string | null;
}

describe.each(dialects)('pushed event times on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;
  let kiosk: { token: string };

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    // The clock moves hours ahead; the seeded access tokens must outlive it.
    t = await buildTestApp(database, { config: { accessTokenTtlSeconds: 3 * 24 * 3600 } });
    // During the seeded session (a Monday, 08:30-09:15 UTC).
    t.clock.t = new Date('2026-09-07T08:40:00Z');
    s = await seed(t, database, { students: 5 });
    kiosk = await pairKiosk(t.app, s.adminToken, s.roomId);
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  const row = async (studentId: string, sessionId = s.sessionId) => {
    const report = await call<{ students: Row[] }>(
      t.app,
      s.teacherToken,
      'GET',
      `/api/sessions/${encodeURIComponent(sessionId)}/attendance`,
    );
    return report.students.find((r) => r.studentId === studentId);
  };

  const push = (studentId: string, occurredAt: string, sessionId = s.sessionId, kind = 'manual') =>
    call<{ results: { status: string; reason?: string }[] }>(
      t.app,
      kiosk.token,
      'POST',
      '/api/sync/attendance',
      {
        events: [
          {
            id: randomUUID(),
            kind,
            studentId,
            sessionId,
            status: 'present',
            occurredAt,
            ...(kind === 'manual' ? { reason: 'at the desk' } : {}),
          },
        ],
      },
    );

  const student = (i: number) => s.students[i]?.id ?? '';
  const isoIn = (ms: number) => new Date(t.clock.t.getTime() + ms).toISOString();

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it("a manual mark dated next year is held to the clock allowance: a teacher's correction after it wins", async () => {
      const arrival = t.clock.t.getTime();
      const pushed = await push(student(0), '2027-09-07T08:40:00Z');
      expect(pushed.results[0]?.status).toBe('accepted');
      expect(await row(student(0))).toMatchObject({
        status: 'present',
        markedAt: new Date(arrival + KIOSK_CLOCK_ALLOWANCE_MS).toISOString(),
      });

      t.clock.advance(KIOSK_CLOCK_ALLOWANCE_MS + 60_000);
      await call(t.app, s.teacherToken, 'POST', '/api/attendance/corrections', {
        kind: 'manual',
        sessionId: s.sessionId,
        studentId: student(0),
        status: 'absent',
        reason: 'not in the room',
      });
      expect(await row(student(0))).toMatchObject({ status: 'absent', decidedBy: 'manual' });
    });

    it('a kiosk whose clock runs an hour ahead keeps the order of its own events: its later correction decides', async () => {
      const manual = (id: string, status: string, minutesAhead: number) => ({
        id,
        kind: 'manual',
        studentId: student(4),
        sessionId: s.sessionId,
        status,
        occurredAt: isoIn(minutesAhead * 60_000),
        reason: 'at the desk',
      });
      // Ids that sort against the order of the times: a tie broken by id would pick "present".
      await call(t.app, kiosk.token, 'POST', '/api/sync/attendance', {
        events: [
          manual('ffffffff-ffff-4fff-8fff-ffffffffffff', 'present', 60),
          manual('00000000-0000-4000-8000-000000000001', 'absent', 61),
        ],
      });
      expect(await row(student(4))).toMatchObject({ status: 'absent', decidedBy: 'manual' });
      // A second push a second later, still an hour ahead: it comes after both.
      t.clock.advance(1_000);
      await call(t.app, kiosk.token, 'POST', '/api/sync/attendance', {
        events: [manual('00000000-0000-4000-8000-000000000002', 'excused', 62)],
      });
      expect(await row(student(4))).toMatchObject({ status: 'excused' });
    });

    it('a time in the past is kept as sent (an offline kiosk delivers late), and so is a clock a little ahead', async () => {
      await push(student(1), `${s.date}T08:35:00+00:00`);
      expect(await row(student(1))).toMatchObject({ markedAt: `${s.date}T08:35:00.000Z` });
      const ahead = isoIn(3 * 60_000);
      await push(student(2), ahead, s.sessionId, 'mark');
      expect(await row(student(2))).toMatchObject({ status: 'present', markedAt: ahead });
    });

    it("judges 'not begun' by the site's own clock: Monday's 08:30 lesson has begun at 08:15 in Tonga, not at 02:00 in Honolulu", async () => {
      const seeded = t.clock.t;
      const pushAt = async (timezone: string, utc: string) => {
        t.clock.t = new Date(utc);
        const site = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/sites', {
          name: `Campus in ${timezone}`,
          timezone,
        });
        const there = await seed(t, database, { siteId: site.id, students: 1 });
        const door = await pairKiosk(t.app, there.adminToken, there.roomId);
        const pushed = await call<{ results: { status: string; reason?: string }[] }>(
          t.app,
          door.token,
          'POST',
          '/api/sync/attendance',
          {
            events: [
              {
                id: randomUUID(),
                kind: 'mark',
                studentId: there.students[0]?.id,
                sessionId: there.sessionId, // Monday 2026-09-07, 08:30 local; arrivals from 08:20
                status: 'present',
                occurredAt: utc,
              },
            ],
          },
        );
        return pushed.results[0];
      };
      try {
        // 08:15 on Monday in Tonga (UTC+13), 19:15 on Sunday in UTC: the door opens within the
        // clock allowance (judged in UTC, it would be a day early).
        expect(await pushAt('Pacific/Tongatapu', '2026-09-06T19:15:00Z')).toMatchObject({
          status: 'accepted',
        });
        // 02:00 on Monday in Honolulu (UTC-10), 12:00 in UTC: hours before the door opens (judged
        // in UTC, or by date alone, it would have begun).
        expect(await pushAt('Pacific/Honolulu', '2026-09-07T12:00:00Z')).toMatchObject({
          status: 'rejected',
          reason: 'unknown_session: the session has not begun yet',
        });
      } finally {
        t.clock.t = seeded;
      }
    });

    it('a mark for a lesson later the same day is refused until its arrival window is about to open', async () => {
      const seeded = t.clock.t; // 08:40, during the seeded 08:30 lesson
      const afternoon = await call<{ id: string }>(
        t.app,
        s.adminToken,
        'POST',
        `/api/classes/${s.classId}/schedules`,
        { roomId: s.roomId, weekday: 1, startTime: '14:00', endTime: '14:45', graceMinutes: 10 },
      );
      const later = `${afternoon.id}@${s.date}`;
      const pushAt = async (hhmm: string) => {
        t.clock.t = new Date(`${s.date}T${hhmm}:00Z`);
        return (await push(student(4), isoIn(0), later, 'mark')).results[0];
      };
      const notBegun = { status: 'rejected', reason: 'unknown_session: the session has not begun yet' };
      try {
        expect(await pushAt('08:40')).toMatchObject(notBegun);
        // Arrivals count from 13:50 (the site's ten minutes); a kiosk clock may run ten minutes fast.
        expect(await pushAt('13:39')).toMatchObject(notBegun);
        // The class's own, wider window opens its door earlier.
        await call(t.app, s.adminToken, 'PATCH', `/api/classes/${s.classId}`, { arrivalMinutes: 30 });
        expect(await pushAt('13:21')).toMatchObject({ status: 'accepted' });
      } finally {
        await call(t.app, s.adminToken, 'PATCH', `/api/classes/${s.classId}`, { arrivalMinutes: null });
        t.clock.t = seeded;
      }
    });

    it('a mark for a session that has not begun is refused, unless the calendar moved it to now', async () => {
      const seeded = t.clock.t; // 08:40
      const nextWeek = `${s.scheduleId}@2026-09-14`;
      const notBegun = { status: 'rejected', reason: 'unknown_session: the session has not begun yet' };
      const refused = await push(student(3), isoIn(0), nextWeek, 'mark');
      expect(refused.results[0]).toMatchObject(notBegun);
      expect(await row(student(3), nextWeek)).toMatchObject({ markedAt: null });

      await call(t.app, s.adminToken, 'POST', `/api/sessions/${encodeURIComponent(nextWeek)}/move`, {
        toDate: s.date,
        startTime: '10:00',
        endTime: '10:45',
      });
      try {
        // Moved to today at 10:00: its door opens at 09:50, not at its old 08:20.
        expect((await push(student(3), isoIn(0), nextWeek, 'mark')).results[0]).toMatchObject(notBegun);
        t.clock.t = new Date(`${s.date}T09:45:00Z`);
        const accepted = await push(student(3), isoIn(0), nextWeek, 'mark');
        expect(accepted.results[0]?.status).toBe('accepted');
      } finally {
        t.clock.t = seeded;
      }
    });
  });
});
