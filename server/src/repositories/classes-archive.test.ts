// The archive at the repository level: what archiving and unarchiving write, on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, seed, type TestApp } from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';
import { occurrenceOf } from '../../../src/contracts/occurrences.js';
import { SiteClock } from '../../../src/contracts/site-time.js';
import { loadCalendar, scheduleSpecs } from './calendar.js';
import { archiveClass, unarchiveClass } from './class-archive.js';
import { createSchedule, deleteSchedule, listClasses, updateSchedule } from './classes.js';

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
        .where('action', '!=', 'class.create')
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
        .where('action', '=', 'class.archive')
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
        actor,
        '2026-09-14T12:00:00.000Z',
      );
      await deleteSchedule(db, removed.id, actor, '2026-09-14T12:00:00.000Z');
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

    /** The schedule's versions, oldest first: dates and the start time each sets. */
    const timetable = async (scheduleId: string) =>
      (
        await database.db
          .selectFrom('schedule_versions')
          .select(['id', 'valid_from', 'valid_until', 'start_time', 'created_at'])
          .where('schedule_id', '=', scheduleId)
          .execute()
      ).sort((a, b) => (a.valid_from ?? '').localeCompare(b.valid_from ?? ''));

    /** The dates of `dates` on which the schedule holds a session (the site is on UTC). */
    async function sessionDates(siteId: string, scheduleId: string, dates: readonly string[]) {
      const [spec] = await scheduleSpecs(database.db, { scheduleIds: [scheduleId] });
      const calendar = await loadCalendar(database.db, siteId);
      const clock = new SiteClock('UTC');
      return dates.filter((d) => spec !== undefined && occurrenceOf(spec, calendar, d, clock) !== null);
    }

    it('a timetable change planned after the archive date comes back on its own date, and the archived Mondays stay empty', async () => {
      const s = await seed(t, database);
      const db = database.db;
      // From 5 October the Monday lesson starts at 09:00; entered before the archive.
      await updateSchedule(
        db,
        s.scheduleId,
        { effectiveFrom: '2026-10-05', startTime: '09:00' },
        actor,
        '2026-09-10T12:00:00.000Z',
      );
      await archiveClass(db, s.classId, actor, '2026-09-14T12:00:00.000Z');
      // Unarchived on Tuesday 29 September: Mondays 21 and 28 were archived days.
      await unarchiveClass(db, s.classId, actor, '2026-09-29T07:00:00.000Z');
      expect((await timetable(s.scheduleId)).map((v) => [v.valid_from, v.valid_until, v.start_time])).toEqual(
        [
          [null, '2026-09-14', '08:30'],
          ['2026-09-29', '2026-10-04', '08:30'],
          ['2026-10-05', null, '09:00'],
        ],
      );
      expect(
        await sessionDates('default', s.scheduleId, [
          '2026-09-14',
          '2026-09-21',
          '2026-09-28',
          '2026-10-05',
          '2026-10-12',
        ]),
      ).toEqual(['2026-09-14', '2026-10-05', '2026-10-12']);
    });

    it('an archive undone before any session was missed restores every version, planned ones included', async () => {
      const s = await seed(t, database);
      const db = database.db;
      await updateSchedule(
        db,
        s.scheduleId,
        { effectiveFrom: '2026-10-05', startTime: '09:00' },
        actor,
        '2026-09-10T12:00:00.000Z',
      );
      await updateSchedule(
        db,
        s.scheduleId,
        { effectiveFrom: '2026-11-02', startTime: '08:00' },
        actor,
        '2026-09-10T12:00:00.000Z',
      );
      const before = await timetable(s.scheduleId);
      await archiveClass(db, s.classId, actor, '2026-09-14T12:00:00.000Z');
      expect((await timetable(s.scheduleId)).map((v) => v.valid_until)).toEqual(['2026-09-14']);
      await unarchiveClass(db, s.classId, actor, '2026-09-14T12:05:00.000Z');
      expect(await timetable(s.scheduleId)).toEqual(before);
    });

    it('a lesson that began while the class was archived is not brought back (nobody was told to come)', async () => {
      const s = await seed(t, database);
      const db = database.db;
      // Archived on Monday the 14th before its 08:30 lesson, unarchived after it began.
      await archiveClass(db, s.classId, actor, '2026-09-14T06:00:00.000Z');
      await unarchiveClass(db, s.classId, actor, '2026-09-14T08:45:00.000Z');
      expect(await sessionDates('default', s.scheduleId, ['2026-09-07', '2026-09-14', '2026-09-21'])).toEqual(
        ['2026-09-07', '2026-09-21'],
      );
    });

    it('a schedule archived before its versions were kept reopens from its latest fields', async () => {
      const s = await seed(t, database);
      const db = database.db;
      await archiveClass(db, s.classId, actor, '2026-09-14T12:00:00.000Z');
      // What an archive made before migration 012 left: no record of the versions it closed.
      await db
        .updateTable('schedules')
        .set({ archived_versions: null })
        .where('id', '=', s.scheduleId)
        .execute();
      await unarchiveClass(db, s.classId, actor, '2026-09-29T07:00:00.000Z');
      expect((await timetable(s.scheduleId)).map((v) => [v.valid_from, v.valid_until, v.start_time])).toEqual(
        [
          [null, '2026-09-14', '08:30'],
          ['2026-09-29', null, '08:30'],
        ],
      );
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
