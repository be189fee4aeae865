// The archive at the repository level: what archiving and unarchiving write, on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, seed, type TestApp } from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';
import { archiveClass, createSchedule, deleteSchedule, listClasses, unarchiveClass } from './classes.js';

const dialects = await testDialects();
const actor = { kind: 'user' as const, id: null };

describe.each(dialects)('class archive repository on $name', (dialect) => {
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

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it('archiving twice changes nothing the second time', async () => {
      const s = await seed(t, database);
      const db = database.db;
      const first = await archiveClass(db, s.classId, actor, '2026-09-14T12:00:00.000Z');
      const changesAfterFirst = await db.selectFrom('changes').select(['entity_id', 'seq']).execute();
      const again = await archiveClass(db, s.classId, actor, '2026-09-15T12:00:00.000Z');
      expect(again.archivedAt).toBe(first.archivedAt);
      expect(await db.selectFrom('changes').select(['entity_id', 'seq']).execute()).toEqual(
        changesAfterFirst,
      );
      const audits = await db
        .selectFrom('audit_log')
        .select('action')
        .where('entity_id', '=', s.classId)
        .execute();
      expect(audits).toEqual([{ action: 'class.archive' }]);
      expect((await listClasses(db, {})).map((c) => c.id)).not.toContain(s.classId);
      expect((await listClasses(db, { withArchived: true })).map((c) => c.id)).toContain(s.classId);
    });

    it('two admins archiving at once: one archive, one audit row, one set of tombstones', async () => {
      const s = await seed(t, database);
      const db = database.db;
      const before = Number(
        (await db.selectFrom('change_counter').select('last_seq').executeTakeFirstOrThrow()).last_seq,
      );
      const [a, b] = await Promise.all([
        archiveClass(db, s.classId, actor, '2026-09-14T12:00:00.000Z'),
        archiveClass(db, s.classId, actor, '2026-09-14T12:00:01.000Z'),
      ]);
      expect(a.archivedAt).toBe(b.archivedAt);
      const audits = await db
        .selectFrom('audit_log')
        .select('id')
        .where('entity_id', '=', s.classId)
        .execute();
      expect(audits).toHaveLength(1);
      const after = Number(
        (await db.selectFrom('change_counter').select('last_seq').executeTakeFirstOrThrow()).last_seq,
      );
      // The class, its three open enrolments and its schedule.
      expect(after - before).toBe(5);
    });

    it('unarchiving reopens only the schedules archiving ended, from the day it happens', async () => {
      const s = await seed(t, database);
      const db = database.db;
      const removed = await createSchedule(
        db,
        s.classId,
        { roomId: s.roomId, weekday: 3, startTime: '10:00', endTime: '11:00', graceMinutes: 5 },
        '2026-09-14T12:00:00.000Z',
      );
      await deleteSchedule(db, removed.id, '2026-09-14T12:00:00.000Z');
      // The Monday lesson started at 08:30: the 14th is history, the schedule ends with it.
      await archiveClass(db, s.classId, actor, '2026-09-14T12:00:00.000Z');
      await unarchiveClass(db, s.classId, actor, '2026-09-21T07:00:00.000Z');
      const schedules = await db
        .selectFrom('schedules')
        .select(['id', 'ended_on', 'archived_with_class'])
        .where('class_id', '=', s.classId)
        .execute();
      expect(new Map(schedules.map((x) => [x.id, [x.ended_on, x.archived_with_class]]))).toEqual(
        new Map([
          [s.scheduleId, [null, 0]],
          [removed.id, ['2026-09-14', 0]],
        ]),
      );
      const versions = await db
        .selectFrom('schedule_versions')
        .select(['valid_from', 'valid_until'])
        .where('schedule_id', '=', s.scheduleId)
        .orderBy('created_at')
        .execute();
      expect(versions).toEqual([
        { valid_from: null, valid_until: '2026-09-14' },
        { valid_from: '2026-09-21', valid_until: null },
      ]);
      expect((await listClasses(db, {})).map((c) => c.id)).toContain(s.classId);
    });

    it('an archive undone before any session was missed leaves the timetable as it was', async () => {
      const s = await seed(t, database);
      const db = database.db;
      const versions = () =>
        db
          .selectFrom('schedule_versions')
          .select(['valid_from', 'valid_until'])
          .where('schedule_id', '=', s.scheduleId)
          .execute();
      const before = await versions();
      await archiveClass(db, s.classId, actor, '2026-09-14T12:00:00.000Z');
      await unarchiveClass(db, s.classId, actor, '2026-09-14T12:05:00.000Z');
      expect(await versions()).toEqual(before);
    });
  });
});
