// A device's event times are its word, but not beyond its clock's allowance: a manual mark dated
// in the future cannot outrank the corrections teachers make after it, and a mark for a session
// that has not begun is refused (docs/security.md, finding 23).
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
    t = await buildTestApp(database);
    // During the seeded session (a Monday, 08:30-09:15 UTC).
    t.clock.t = new Date('2026-09-07T08:40:00Z');
    s = await seed(t, database, { students: 4 });
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

    it('a time in the past is kept as sent (an offline kiosk delivers late), and so is a clock a little ahead', async () => {
      await push(student(1), `${s.date}T08:35:00+00:00`);
      expect(await row(student(1))).toMatchObject({ markedAt: `${s.date}T08:35:00.000Z` });
      const ahead = isoIn(3 * 60_000);
      await push(student(2), ahead, s.sessionId, 'mark');
      expect(await row(student(2))).toMatchObject({ status: 'present', markedAt: ahead });
    });

    it('a mark for a session that has not begun is refused, unless the calendar moved it to today', async () => {
      const nextWeek = `${s.scheduleId}@2026-09-14`;
      const refused = await push(student(3), isoIn(0), nextWeek, 'mark');
      expect(refused.results[0]).toMatchObject({
        status: 'rejected',
        reason: 'unknown_session: the session has not begun yet',
      });
      expect(await row(student(3), nextWeek)).toMatchObject({ markedAt: null });

      await call(t.app, s.adminToken, 'POST', `/api/sessions/${encodeURIComponent(nextWeek)}/move`, {
        toDate: s.date,
        startTime: '10:00',
        endTime: '10:45',
      });
      const accepted = await push(student(3), isoIn(0), nextWeek, 'mark');
      expect(accepted.results[0]?.status).toBe('accepted');
    });
  });
});
