// The session report names the students the door saw who are not on the class list, so the
// teacher can have the list fixed instead of reading a silent report.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, call, pairKiosk, seed, type Seeded, type TestApp } from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';

const dialects = await testDialects();

describe.each(dialects)('students seen but not on the list, on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database);
    t.clock.t = new Date('2026-09-07T09:00:00Z'); // during the seeded session, 08:30-09:15
    s = await seed(t, database, { students: 1 });
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it('lists them for the teacher with name, number, visits and the last one, latest first', async () => {
      const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId);
      const newStudent = (studentNumber: string, name: string) =>
        call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/students', {
          siteId: 'default',
          studentNumber,
          name,
          consent: true,
        });
      const joined = await newStudent('N-1', 'Joined Late');
      const visitor = await newStudent('N-2', 'Just Visiting');
      const seen = (studentId: string, time: string) => ({
        id: randomUUID(),
        kind: 'exception',
        studentId,
        sessionId: s.sessionId,
        status: null,
        occurredAt: `${s.date}T${time}:00Z`,
      });
      const pushed = await call<{ results: { status: string }[] }>(
        t.app,
        kiosk.token,
        'POST',
        '/api/sync/attendance',
        {
          events: [
            // Seen by two doors of the room (each kiosk writes one per student and session).
            seen(joined.id, '08:31'),
            seen(joined.id, '08:52'),
            seen(visitor.id, '08:40'),
            { ...seen(s.students[0]?.id ?? '', '08:32'), kind: 'mark', status: 'present' },
          ],
        },
      );
      expect(pushed.results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);

      const report = await call<{ notEnrolled: unknown[]; students: { studentId: string }[] }>(
        t.app,
        s.teacherToken,
        'GET',
        `/api/sessions/${encodeURIComponent(s.sessionId)}/attendance`,
      );
      expect(report.students.map((r) => r.studentId)).toEqual([s.students[0]?.id]);
      expect(report.notEnrolled).toEqual([
        {
          studentId: joined.id,
          studentNumber: 'N-1',
          name: 'Joined Late',
          eventsCount: 2,
          lastSeenAt: `${s.date}T08:52:00.000Z`,
        },
        {
          studentId: visitor.id,
          studentNumber: 'N-2',
          name: 'Just Visiting',
          eventsCount: 1,
          lastSeenAt: `${s.date}T08:40:00.000Z`,
        },
      ]);
    });
  });
});
