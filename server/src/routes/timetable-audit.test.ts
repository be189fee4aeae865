// The timetable, the school calendar and who is in which class are in the audit log, each change
// written in its own transaction: a lesson added, changed (the fields before and after, from the
// date it applies) or removed; a term or holiday added or deleted; a student added to or removed
// from a class (one row per student, by id); a roster import as one summary row, and a refused one
// as a refusal with its counts, never the file. A refused change writes nothing, and a change whose
// row cannot be written is undone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, call, seed, type Seeded, type TestApp } from '../../test/app.js';
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

describe.each(dialects)('timetable, calendar and enrolments in the audit log on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;
  let adminId: string;

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database);
    // Monday 7 September, after the seeded 08:30 lesson began: today is history, tomorrow is open.
    t.clock.t = new Date('2026-09-07T08:40:00Z');
    s = await seed(t, database);
    adminId = (await call<{ id: string }>(t.app, s.adminToken, 'GET', '/api/auth/me')).id;
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  const audit = async (query: string) =>
    (await call<Row[]>(t.app, s.adminToken, 'GET', `/api/audit?limit=1000&${query}`)).reverse();
  const rowCount = async () =>
    Number(
      (
        await database.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it('a lesson added, changed and removed: its class, when and where, before and after', async () => {
      const lab = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/rooms', { name: 'Lab 9' });
      const lesson = await call<{ id: string }>(
        t.app,
        s.adminToken,
        'POST',
        `/api/classes/${s.classId}/schedules`,
        { roomId: s.roomId, weekday: 2, startTime: '10:00', endTime: '11:00', graceMinutes: 5 },
      );
      t.clock.advance(1000);
      await call(t.app, s.adminToken, 'PATCH', `/api/schedules/${lesson.id}`, {
        effectiveFrom: '2026-09-15',
        roomId: lab.id,
        startTime: '10:30',
        graceMinutes: 5,
      });
      t.clock.advance(1000);
      // The same again: a new version, but nothing that changed, so no row.
      await call(t.app, s.adminToken, 'PATCH', `/api/schedules/${lesson.id}`, {
        effectiveFrom: '2026-09-15',
        roomId: lab.id,
      });
      t.clock.advance(1000);
      await call(t.app, s.adminToken, 'DELETE', `/api/schedules/${lesson.id}`);

      const rows = await audit(`entityId=${lesson.id}`);
      expect(rows.map((r) => [r.action, r.actorId, r.entity, r.detail])).toEqual([
        [
          'schedule.create',
          adminId,
          'schedule',
          {
            classId: s.classId,
            roomId: s.roomId,
            weekday: 2,
            date: null,
            startTime: '10:00',
            endTime: '11:00',
            graceMinutes: 5,
          },
        ],
        [
          'schedule.update',
          adminId,
          'schedule',
          {
            classId: s.classId,
            effectiveFrom: '2026-09-15',
            before: { roomId: s.roomId, startTime: '10:00' },
            after: { roomId: lab.id, startTime: '10:30' },
          },
        ],
        [
          'schedule.delete',
          adminId,
          'schedule',
          {
            classId: s.classId,
            // Today's lesson has begun: the timetable ends with today.
            lastDate: '2026-09-07',
            roomId: lab.id,
            weekday: 2,
            date: null,
            startTime: '10:30',
            endTime: '11:00',
            graceMinutes: 5,
          },
        ],
      ]);
      // The class and both rooms are named, the rooms inside before and after too.
      expect(rows[1]?.names).toMatchObject({
        [lab.id]: 'Lab 9',
        [s.classId]: expect.stringMatching(/^Maths/),
      });
      expect(Object.keys(rows[1]?.names ?? {})).toContain(s.roomId);
    });

    it('an edit that removes a change planned later says so, even when the fields in force stay the same', async () => {
      const lab = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/rooms', { name: 'Lab 10' });
      const lesson = await call<{ id: string }>(
        t.app,
        s.adminToken,
        'POST',
        `/api/classes/${s.classId}/schedules`,
        { roomId: s.roomId, weekday: 3, startTime: '13:00', endTime: '14:00', graceMinutes: 5 },
      );
      // A change planned for October...
      await call(t.app, s.adminToken, 'PATCH', `/api/schedules/${lesson.id}`, {
        effectiveFrom: '2026-10-05',
        roomId: lab.id,
      });
      t.clock.advance(1000);
      const from = encodeURIComponent(t.clock.now().toISOString());
      // ...gone with an edit from September that re-states the lesson as it is now.
      await call(t.app, s.adminToken, 'PATCH', `/api/schedules/${lesson.id}`, {
        effectiveFrom: '2026-09-21',
        roomId: s.roomId,
      });
      t.clock.advance(1000);
      // Planned again, then replaced by an edit from September that also changes a field.
      await call(t.app, s.adminToken, 'PATCH', `/api/schedules/${lesson.id}`, {
        effectiveFrom: '2026-10-12',
        startTime: '13:15',
      });
      t.clock.advance(1000);
      await call(t.app, s.adminToken, 'PATCH', `/api/schedules/${lesson.id}`, {
        effectiveFrom: '2026-09-28',
        endTime: '14:30',
      });
      const planned = (validFrom: string, roomId: string, startTime: string) => ({
        validFrom,
        roomId,
        weekday: 3,
        date: null,
        startTime,
        endTime: '14:00',
        graceMinutes: 5,
      });
      const rows = await audit(`entityId=${lesson.id}&action=schedule.update&from=${from}`);
      expect(rows.map((r) => r.detail)).toEqual([
        {
          classId: s.classId,
          effectiveFrom: '2026-09-21',
          replaced: [planned('2026-10-05', lab.id, '13:00')],
        },
        {
          classId: s.classId,
          effectiveFrom: '2026-10-12',
          before: { startTime: '13:00' },
          after: { startTime: '13:15' },
        },
        {
          classId: s.classId,
          effectiveFrom: '2026-09-28',
          before: { endTime: '14:00' },
          after: { endTime: '14:30' },
          replaced: [planned('2026-10-12', s.roomId, '13:15')],
        },
      ]);
      // The room of a replaced version is named too.
      expect(rows[0]?.names).toMatchObject({ [lab.id]: 'Lab 10' });
    });

    it('a refused timetable change writes nothing', async () => {
      const before = await rowCount();
      // A date already held.
      await call(
        t.app,
        s.adminToken,
        'PATCH',
        `/api/schedules/${s.scheduleId}`,
        { effectiveFrom: '2026-09-07', startTime: '08:00' },
        [400],
      );
      // End before start.
      await call(
        t.app,
        s.adminToken,
        'PATCH',
        `/api/schedules/${s.scheduleId}`,
        { startTime: '10:00', endTime: '09:00' },
        [400],
      );
      const gone = await call<{ id: string }>(
        t.app,
        s.adminToken,
        'POST',
        `/api/classes/${s.classId}/schedules`,
        {
          roomId: s.roomId,
          weekday: 4,
          startTime: '12:00',
          endTime: '13:00',
          graceMinutes: 5,
        },
      );
      await call(t.app, s.adminToken, 'DELETE', `/api/schedules/${gone.id}`);
      const afterRemoving = await rowCount();
      expect(afterRemoving - before).toBe(2);
      await call(t.app, s.adminToken, 'DELETE', `/api/schedules/${gone.id}`, undefined, [404]);
      expect(await rowCount()).toBe(afterRemoving);
    });

    it('terms and holidays added and deleted, each with its dates; a bad range writes nothing', async () => {
      const term = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/sites/default/terms', {
        name: 'Autumn',
        startDate: '2026-09-01',
        endDate: '2026-12-18',
      });
      const holiday = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/sites/default/closures', {
        name: 'Half term',
        startDate: '2026-10-26',
        endDate: '2026-10-30',
      });
      t.clock.advance(1000);
      await call(t.app, s.adminToken, 'DELETE', `/api/closures/${holiday.id}`);
      await call(t.app, s.adminToken, 'DELETE', `/api/terms/${term.id}`);
      const before = await rowCount();
      await call(
        t.app,
        s.adminToken,
        'POST',
        '/api/sites/default/closures',
        { name: 'Backwards', startDate: '2026-11-02', endDate: '2026-11-01' },
        [400],
      );
      await call(t.app, s.adminToken, 'DELETE', `/api/terms/${term.id}`, undefined, [404]);
      expect(await rowCount()).toBe(before);

      const of = async (id: string) =>
        (await audit(`entityId=${id}`)).map((r) => [r.action, r.entity, r.actorId, r.detail?.name]);
      expect(await of(term.id)).toEqual([
        ['term.create', 'term', adminId, 'Autumn'],
        ['term.delete', 'term', adminId, 'Autumn'],
      ]);
      expect(await of(holiday.id)).toEqual([
        ['closure.create', 'closure', adminId, 'Half term'],
        ['closure.delete', 'closure', adminId, 'Half term'],
      ]);
      const [deleted] = (await audit(`entityId=${holiday.id}&action=closure.delete`)).map((r) => r.detail);
      expect(deleted).toMatchObject({ start_date: '2026-10-26', end_date: '2026-10-30' });
    });

    it('students added to and removed from a class: one row each, on the student, by id', async () => {
      const student = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/students', {
        studentNumber: 'ENROL-1',
        name: 'Edith Enrolled',
        consent: false,
      });
      const enrolled = s.students[0]!;
      t.clock.advance(1000);
      const from = encodeURIComponent(t.clock.now().toISOString());
      // One new, one already in the class: only the new one is written.
      expect(
        await call(t.app, s.adminToken, 'POST', `/api/classes/${s.classId}/enrolments`, {
          studentIds: [student.id, enrolled.id],
        }),
      ).toEqual({ added: 1, alreadyEnrolled: 1 });
      t.clock.advance(1000);
      await call(t.app, s.adminToken, 'DELETE', `/api/classes/${s.classId}/enrolments/${student.id}`);
      t.clock.advance(1000);
      await call(t.app, s.adminToken, 'POST', `/api/classes/${s.classId}/enrolments`, {
        studentIds: [student.id],
        from: '2026-09-14',
      });

      const rows = await audit(`entityId=${student.id}&action=enrolment.`);
      expect(rows.map((r) => [r.action, r.actorId, r.entity, r.detail])).toEqual([
        ['enrolment.add', adminId, 'student', { classId: s.classId }],
        ['enrolment.remove', adminId, 'student', { classId: s.classId, lastDate: '2026-09-07' }],
        // The old enrolment reopened from its first date: the `from` asked for did not apply.
        ['enrolment.add', adminId, 'student', { classId: s.classId, rejoined: true }],
      ]);
      const reopened = await database.db
        .selectFrom('enrolments')
        .select(['valid_from', 'valid_until'])
        .where('class_id', '=', s.classId)
        .where('student_id', '=', student.id)
        .execute();
      expect(reopened).toEqual([{ valid_from: null, valid_until: null }]);
      expect(rows[0]?.names).toMatchObject({ [student.id]: 'Edith Enrolled' });
      // Already in the class (since the seed, which wrote its own row): nothing new.
      expect(await audit(`entityId=${enrolled.id}&action=enrolment.&from=${from}`)).toEqual([]);
      const log = JSON.stringify(
        await database.db
          .selectFrom('audit_log')
          .selectAll()
          .where('action', 'like', 'enrolment.%')
          .execute(),
      );
      expect(log).not.toMatch(/Edith|ENROL-1/);

      // Refused: nothing written.
      const before = await rowCount();
      await call(
        t.app,
        s.adminToken,
        'POST',
        `/api/classes/${s.classId}/enrolments`,
        { studentIds: [enrolled.id, 'no-such-student'] },
        [400],
      );
      await call(
        t.app,
        s.adminToken,
        'DELETE',
        `/api/classes/${s.classId}/enrolments/no-such-student`,
        undefined,
        [404],
      );
      expect(await rowCount()).toBe(before);
    });

    it('a roster import is one summary row; a refused one (422) is a refusal with counts, never the file; a dry run writes nothing', async () => {
      await call(t.app, s.adminToken, 'POST', '/api/classes', {
        name: 'Import 8',
        code: 'IMP-8',
      });
      const send = (csv: string, dryRun = false) =>
        t.app.inject({
          method: 'POST',
          url: `/api/import/roster?dryRun=${dryRun}`,
          headers: { ...bearer(s.adminToken), 'content-type': 'text/csv' },
          payload: csv,
        });
      const header = 'student_number,given_name,family_name,guardian_email,consent,classes\n';
      const good =
        header +
        'IMP-001,Ima,Porter,ima@home.example,yes,IMP-8\nIMP-002,Otto,Porter,otto@home.example,no,IMP-8\n';
      const bad =
        header +
        'IMP-003,Secret,Name,not-an-address,yes,IMP-8\nIMP-004,Other,Secret,x@home.example,perhaps,NO-SUCH-CLASS\n';

      t.clock.advance(1000);
      const from = t.clock.now().toISOString();
      const before = await rowCount();
      expect((await send(bad, true)).statusCode).toBe(200);
      expect((await send(good, true)).statusCode).toBe(200);
      expect(await rowCount()).toBe(before);

      const refused = await send(bad);
      expect(refused.statusCode).toBe(422);
      const problems = (refused.json() as { errors: unknown[] }).errors.length;
      expect(problems).toBe(3);
      t.clock.advance(1000);
      expect((await send(good)).statusCode).toBe(200);

      const rows = await audit(`from=${encodeURIComponent(from)}`);
      expect(rows.map((r) => [r.action, r.actorId, r.entity, r.entityId, r.detail])).toEqual([
        ['roster.import_refused', adminId, 'site', 'default', { rows: 2, problems }],
        ['roster.import', adminId, 'site', 'default', { created: 2, updated: 0, enrolmentsAdded: 2 }],
      ]);
      const log = JSON.stringify(await database.db.selectFrom('audit_log').selectAll().execute());
      expect(log).not.toMatch(/IMP-00|Secret|not-an-address|perhaps|NO-SUCH-CLASS|Porter|home\.example/);
    });

    it('no timetable, calendar or enrolment change without its audit row: when the row cannot be written, the change is undone', async () => {
      const student = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/students', {
        studentNumber: 'GHOST-ENROL',
        name: 'Ghost Enrol',
        consent: false,
      });
      const count = async (table: 'schedules' | 'schedule_versions' | 'enrolments' | 'terms' | 'closures') =>
        (await database.db.selectFrom(table).select('id').execute()).length;
      const tables = ['schedules', 'schedule_versions', 'enrolments', 'terms', 'closures'] as const;
      const countsBefore = await Promise.all(tables.map(count));
      const enrolledBefore = await database.db
        .selectFrom('enrolments')
        .select(['id', 'valid_until'])
        .where('class_id', '=', s.classId)
        .orderBy('id')
        .execute();
      const schedule = await database.db
        .selectFrom('schedules')
        .selectAll()
        .where('id', '=', s.scheduleId)
        .executeTakeFirstOrThrow();
      const seq = async () =>
        (await database.db.selectFrom('change_counter').select('last_seq').executeTakeFirstOrThrow())
          .last_seq;
      const seqBefore = await seq();

      await database.db.schema.alterTable('audit_log').renameTo('audit_log_away').execute();
      try {
        const failing = [500];
        await call(
          t.app,
          s.adminToken,
          'POST',
          `/api/classes/${s.classId}/schedules`,
          { roomId: s.roomId, weekday: 5, startTime: '14:00', endTime: '15:00', graceMinutes: 5 },
          failing,
        );
        await call(
          t.app,
          s.adminToken,
          'PATCH',
          `/api/schedules/${s.scheduleId}`,
          { startTime: '08:00' },
          failing,
        );
        await call(t.app, s.adminToken, 'DELETE', `/api/schedules/${s.scheduleId}`, undefined, failing);
        await call(
          t.app,
          s.adminToken,
          'POST',
          `/api/classes/${s.classId}/enrolments`,
          { studentIds: [student.id] },
          failing,
        );
        await call(
          t.app,
          s.adminToken,
          'DELETE',
          `/api/classes/${s.classId}/enrolments/${s.students[1]!.id}`,
          undefined,
          failing,
        );
        await call(
          t.app,
          s.adminToken,
          'POST',
          '/api/sites/default/terms',
          { name: 'Ghost term', startDate: '2027-01-04', endDate: '2027-03-26' },
          failing,
        );
      } finally {
        await database.db.schema.alterTable('audit_log_away').renameTo('audit_log').execute();
      }
      expect(await Promise.all(tables.map(count))).toEqual(countsBefore);
      expect(
        await database.db
          .selectFrom('enrolments')
          .select(['id', 'valid_until'])
          .where('class_id', '=', s.classId)
          .orderBy('id')
          .execute(),
      ).toEqual(enrolledBefore);
      expect(
        await database.db
          .selectFrom('schedules')
          .selectAll()
          .where('id', '=', s.scheduleId)
          .executeTakeFirstOrThrow(),
      ).toEqual(schedule);
      // Nor did kiosks hear of any of it.
      expect(await seq()).toBe(seqBefore);
    });
  });
});
