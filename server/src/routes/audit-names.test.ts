// The audit page names who and what each entry is about (the console words them), looked up
// when the page is read: a page costs one query per kind of record, and an erased student stays
// nameless because the log never held the name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, call, pairKiosk, seed, type TestApp } from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';
import { writeAudit } from '../repositories/audit.js';

const dialects = await testDialects();

interface Row {
  action: string;
  actorId: string | null;
  entityId: string | null;
  detail: Record<string, unknown> | null;
  names: Record<string, string>;
}

describe.each(dialects)('audit names on $name', (dialect) => {
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

  it.skipIf(!dialect.available)(
    'names the actor, the kiosk, the student and the lesson of each entry',
    async () => {
      t.clock.t = new Date('2026-09-07T08:40:00Z');
      const s = await seed(t, database);
      const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId, 'Reported name');
      await call(t.app, s.adminToken, 'PATCH', `/api/devices/${kiosk.deviceId}`, { name: 'Front door' });
      const [kept, erased] = [s.students[0]!, s.students[1]!];
      await call(t.app, s.teacherToken, 'POST', '/api/attendance/corrections', {
        kind: 'manual',
        sessionId: s.sessionId,
        studentId: kept.id,
        status: 'excused',
        reason: 'dentist',
      });
      await call(t.app, s.adminToken, 'DELETE', `/api/students/${erased.id}`);

      const rows = await call<Row[]>(t.app, s.adminToken, 'GET', '/api/audit?limit=50');
      const one = (action: string) => rows.find((r) => r.action === action)!;

      const rename = one('device.rename');
      expect(rename.names[rename.actorId!]).toMatch(/^admin /);
      expect(rename.names[rename.entityId!]).toBe('Front door');

      // A kiosk acting on its own is named like a person.
      const pair = one('device.pair');
      expect(pair.names[pair.actorId!]).toBe('Front door');

      const correction = one('attendance.manual');
      expect(correction.names).toMatchObject({
        [s.teacher.id]: expect.stringMatching(/^teacher /),
        [kept.id]: 'Student 0',
        [s.sessionId]: expect.stringMatching(/^Maths /),
      });
      // The event's own id names nothing: only ids with a record of a known kind are looked up.
      expect(Object.keys(correction.names)).toHaveLength(3);

      const erasure = one('student.erase');
      expect(erasure.entityId).toBe(erased.id);
      expect(erasure.names[erased.id]).toBeUndefined();
    },
  );
  it.skipIf(!dialect.available)(
    'filters by instant whatever offset the bounds are written in (from inclusive, to exclusive)',
    async () => {
      t.clock.t = new Date('2031-03-02T12:00:00Z');
      const s = await seed(t, database);
      for (const [at, entityId] of [
        ['2031-03-02T07:59:59.999Z', 'before'],
        ['2031-03-02T08:00:00.000Z', 'at-nine-in-paris'],
        ['2031-03-02T08:30:00.000Z', 'half-past'],
        ['2031-03-02T09:00:00.000Z', 'at-ten-in-paris'],
      ] as const)
        await writeAudit(
          database.db,
          { actor: { kind: 'system', id: null }, action: 'test.instant', entity: 'room', entityId },
          at,
        );
      const listed = async (from: string, to: string) =>
        (
          await call<Row[]>(
            t.app,
            s.adminToken,
            'GET',
            `/api/audit?action=test.instant&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
          )
        )
          .map((r) => r.entityId)
          .sort();
      const expected = ['at-nine-in-paris', 'half-past'];
      // The same hour three ways: in UTC with and without milliseconds, and in Paris time.
      expect(await listed('2031-03-02T08:00:00.000Z', '2031-03-02T09:00:00.000Z')).toEqual(expected);
      expect(await listed('2031-03-02T08:00:00Z', '2031-03-02T09:00:00Z')).toEqual(expected);
      expect(await listed('2031-03-02T09:00:00+01:00', '2031-03-02T10:00:00+01:00')).toEqual(expected);
    },
  );
});
