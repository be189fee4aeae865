// Adding, changing and deleting the school's records is in the audit log, written in the same
// transaction as the change (no change without its row, no row without its change): students
// (ids and which fields changed, never a name: the log outlives an erasure), classes, rooms and
// sites (their names, which are the school's). An attendance correction says the student's status
// before and after it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, call, seed, type Seeded, type TestApp } from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';

const dialects = await testDialects();

interface Row {
  actorKind: string;
  actorId: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  detail: Record<string, unknown> | null;
  names: Record<string, string>;
}

describe.each(dialects)('record changes in the audit log on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;
  let adminId: string;

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database);
    t.clock.t = new Date('2026-09-07T08:40:00Z');
    s = await seed(t, database);
    adminId = (await call<{ id: string }>(t.app, s.adminToken, 'GET', '/api/auth/me')).id;
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  const audit = (query: string) => call<Row[]>(t.app, s.adminToken, 'GET', `/api/audit?limit=100&${query}`);

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it('a student added and edited: which fields changed and consent before and after, never a name, number or address', async () => {
      const student = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/students', {
        studentNumber: 'AUD-1',
        name: 'George Bush',
        guardianEmail: 'parent@home.example',
        consent: true,
      });
      t.clock.advance(1000);
      await call(t.app, s.adminToken, 'PATCH', `/api/students/${student.id}`, {
        name: 'George W. Bush',
        studentNumber: 'AUD-2',
      });
      t.clock.advance(1000);
      await call(t.app, s.adminToken, 'PATCH', `/api/students/${student.id}`, { consent: false });
      t.clock.advance(1000);
      await call(t.app, s.adminToken, 'PATCH', `/api/students/${student.id}`, { name: 'George W. Bush' });

      const rows = (await audit(`entityId=${student.id}`)).reverse();
      expect(rows.map((r) => [r.action, r.actorId, r.detail])).toEqual([
        ['student.create', adminId, { siteId: 'default', consent: true }],
        ['student.update', adminId, { changed: ['name', 'studentNumber'] }],
        [
          'student.update',
          adminId,
          { changed: ['consent', 'consentAt'], consent: { from: true, to: false } },
        ],
        // The unchanged save wrote nothing.
      ]);
      expect(rows[0]?.names[student.id]).toBe('George W. Bush');
      const log = JSON.stringify(await database.db.selectFrom('audit_log').selectAll().execute());
      expect(log).not.toMatch(/George|AUD-|parent@home/);
    });

    it('a class added and changed: its name, code and teacher before and after', async () => {
      const cls = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/classes', {
        name: 'Maths 9A',
        code: 'M9A',
        teacherId: s.teacher.id,
      });
      t.clock.advance(1000);
      await call(t.app, s.adminToken, 'PATCH', `/api/classes/${cls.id}`, {
        name: 'Maths 9B',
        teacherId: null,
        arrivalMinutes: 15,
      });
      t.clock.advance(1000);
      await call(t.app, s.adminToken, 'PATCH', `/api/classes/${cls.id}`, { name: 'Maths 9B' });
      const rows = (await audit(`entityId=${cls.id}`)).reverse();
      expect(rows.map((r) => [r.action, r.detail])).toEqual([
        [
          'class.create',
          { siteId: 'default', name: 'Maths 9A', code: 'M9A', teacherId: s.teacher.id, arrivalMinutes: null },
        ],
        [
          'class.update',
          {
            before: { name: 'Maths 9A', teacherId: s.teacher.id, arrivalMinutes: null },
            after: { name: 'Maths 9B', teacherId: null, arrivalMinutes: 15 },
          },
        ],
      ]);
      // The teacher it had is named, inside `before`.
      expect(rows[1]?.names[s.teacher.id]).toMatch(/^teacher /);
    });

    it('a site and a room added, the room deleted: the log keeps the room’s name', async () => {
      const site = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/sites', {
        name: 'North campus',
        timezone: 'Europe/London',
      });
      const room = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/rooms', {
        siteId: site.id,
        name: 'Lab 2',
      });
      t.clock.advance(1000);
      await call(t.app, s.adminToken, 'DELETE', `/api/rooms/${room.id}`);
      expect((await audit(`entityId=${site.id}`)).map((r) => [r.action, r.detail])).toEqual([
        ['site.create', { name: 'North campus', timezone: 'Europe/London', arrivalMinutes: 10 }],
      ]);
      const rooms = (await audit(`entityId=${room.id}`)).reverse();
      expect(rooms.map((r) => [r.action, r.entity, r.detail])).toEqual([
        ['room.create', 'room', { name: 'Lab 2', siteId: site.id }],
        ['room.delete', 'room', { name: 'Lab 2', siteId: site.id }],
      ]);
      expect(rooms[1]?.names).toMatchObject({ [site.id]: 'North campus' });
      // A room still in use is refused and nothing is written.
      await call(t.app, s.adminToken, 'DELETE', `/api/rooms/${s.roomId}`, undefined, [409]);
      expect(await audit(`entityId=${s.roomId}&action=room.delete`)).toEqual([]);
    });

    it('an attendance correction says the status before and after', async () => {
      const student = s.students[2]!;
      const correct = (status: string) =>
        call<{ id: string }>(t.app, s.teacherToken, 'POST', '/api/attendance/corrections', {
          kind: 'manual',
          sessionId: s.sessionId,
          studentId: student.id,
          status,
          reason: 'note from home',
        });
      await correct('present');
      t.clock.advance(1000);
      const excused = await correct('excused');
      t.clock.advance(1000);
      await call(t.app, s.teacherToken, 'POST', '/api/attendance/corrections', {
        kind: 'undo',
        sessionId: s.sessionId,
        studentId: student.id,
        refId: excused.id,
        reason: 'wrong child',
      });
      const rows = (await audit('action=attendance.'))
        .filter((r) => r.detail?.studentId === student.id)
        .reverse();
      expect(rows.map((r) => [r.action, r.detail?.from, r.detail?.to])).toEqual([
        ['attendance.manual', 'absent', 'present'],
        ['attendance.manual', 'present', 'excused'],
        ['attendance.undo', 'excused', 'present'],
      ]);
      expect(JSON.stringify(rows)).not.toContain('note from home');
    });

    it('erasing a student blanks the statuses their corrections left in the log, and only theirs', async () => {
      const enrolled = async (studentNumber: string) => {
        const student = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/students', {
          studentNumber,
          name: studentNumber,
          consent: false,
        });
        await call(t.app, s.adminToken, 'POST', `/api/classes/${s.classId}/enrolments`, {
          studentIds: [student.id],
        });
        return student;
      };
      const [erased, kept] = [await enrolled('ERASE-1'), await enrolled('KEEP-1')];
      const correct = (studentId: string, status: string) =>
        call<{ id: string }>(t.app, s.teacherToken, 'POST', '/api/attendance/corrections', {
          kind: 'manual',
          sessionId: s.sessionId,
          studentId,
          status,
          reason: 'seen',
        });
      t.clock.advance(1000);
      const excused = await correct(erased.id, 'excused');
      await correct(kept.id, 'late');
      t.clock.advance(1000);
      await call(t.app, s.teacherToken, 'POST', '/api/attendance/corrections', {
        kind: 'undo',
        sessionId: s.sessionId,
        studentId: erased.id,
        refId: excused.id,
        reason: 'wrong child',
      });
      await call(t.app, s.adminToken, 'DELETE', `/api/students/${erased.id}`);

      const about = async (studentId: string) =>
        (await audit('action=attendance.'))
          .filter((r) => r.detail?.studentId === studentId)
          .reverse()
          .map((r) => [r.action, r.actorId, r.detail]);
      // That a correction was made, by whom and in which lesson stays; the statuses go.
      expect(await about(erased.id)).toEqual([
        ['attendance.manual', s.teacher.id, { sessionId: s.sessionId, studentId: erased.id }],
        ['attendance.undo', s.teacher.id, { sessionId: s.sessionId, studentId: erased.id }],
      ]);
      expect(await about(kept.id)).toEqual([
        [
          'attendance.manual',
          s.teacher.id,
          { sessionId: s.sessionId, studentId: kept.id, from: 'absent', to: 'late' },
        ],
      ]);
      const stored = await database.db
        .selectFrom('audit_log')
        .select('detail')
        .where('detail', 'like', `%${erased.id}%`)
        .execute();
      expect(stored).toHaveLength(2); // the two corrections
      expect(JSON.stringify(stored)).not.toMatch(/absent|excused|present|late/);
    });

    it('no change without its audit row: when the row cannot be written, the change is undone', async () => {
      const student = s.students[0]!;
      const roomsBefore = await database.db.selectFrom('rooms').select('id').execute();
      const classesBefore = await database.db.selectFrom('classes').select('id').execute();
      const eventsBefore = await database.db.selectFrom('attendance_events').select('id').execute();
      await database.db.schema.alterTable('audit_log').renameTo('audit_log_away').execute();
      try {
        const failing = [500];
        await call(t.app, s.adminToken, 'POST', '/api/rooms', { name: 'Ghost room' }, failing);
        await call(t.app, s.adminToken, 'POST', '/api/classes', { name: 'Ghost class' }, failing);
        await call(t.app, s.adminToken, 'POST', '/api/sites', { name: 'Ghost', timezone: 'UTC' }, failing);
        await call(t.app, s.adminToken, 'PATCH', `/api/students/${student.id}`, { name: 'Ghost' }, failing);
        await call(t.app, s.adminToken, 'PATCH', `/api/classes/${s.classId}`, { name: 'Ghost' }, failing);
        await call(
          t.app,
          s.teacherToken,
          'POST',
          '/api/attendance/corrections',
          { kind: 'manual', sessionId: s.sessionId, studentId: student.id, status: 'late', reason: 'x' },
          failing,
        );
        await call(
          t.app,
          s.adminToken,
          'POST',
          '/api/students',
          { studentNumber: 'GHOST', name: 'Ghost', consent: false },
          failing,
        );
      } finally {
        await database.db.schema.alterTable('audit_log_away').renameTo('audit_log').execute();
      }
      expect(await database.db.selectFrom('rooms').select('id').execute()).toHaveLength(roomsBefore.length);
      expect(await database.db.selectFrom('classes').select('id').execute()).toHaveLength(
        classesBefore.length,
      );
      expect(await database.db.selectFrom('attendance_events').select('id').execute()).toHaveLength(
        eventsBefore.length,
      );
      expect(
        await database.db.selectFrom('sites').select('id').where('name', '=', 'Ghost').execute(),
      ).toHaveLength(0);
      expect(
        await database.db.selectFrom('students').select('id').where('name', '=', 'Ghost').execute(),
      ).toHaveLength(0);
      expect(
        await database.db.selectFrom('classes').select('id').where('name', '=', 'Ghost').execute(),
      ).toHaveLength(0);
      // Nor did kiosks hear of any of it.
      expect(
        await database.db.selectFrom('changes').select('seq').where('data', 'like', '%Ghost%').execute(),
      ).toHaveLength(0);
    });
  });
});
