// Writes that add to a class or change it, against an archive of that class. Archived, the class
// refuses them all with 409 `class_archived`, on both databases; on PostgreSQL the same holds for
// a write that read the class while the archive was still uncommitted (it must wait for the
// archive and see it, not land after the kiosks were told the class is gone).
import type { Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, seed, type Seeded, type TestApp } from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';
import type { DB } from '../db/schema.js';
import { importRoster } from '../import/roster.js';
import { HttpError } from '../errors.js';
import { archiveClass } from './class-archive.js';
import {
  createSchedule,
  deleteSchedule,
  enrolStudents,
  lockActiveClass,
  updateClass,
  updateSchedule,
} from './classes.js';
import { createStudent } from './students.js';

const dialects = await testDialects();
const actor = { kind: 'user' as const, id: null };
const NOW = '2026-09-14T12:00:00.000Z';
/** Time for the racing write to reach the class row's lock (it waits there until the archive commits). */
const REACH_LOCK_MS = 300;

type Write = (
  db: TestDatabase['db'],
  s: Seeded,
  extra: { studentId: string; code: string },
) => Promise<unknown>;

/** Every write path through the class's own routes that adds to it or edits it or its schedules. */
const CLASS_WRITES: [string, Write][] = [
  ['enrolling a student', (db, s, x) => enrolStudents(db, s.classId, [x.studentId], NOW)],
  ['renaming the class', (db, s) => updateClass(db, s.classId, { name: 'Renamed' }, NOW)],
  [
    'adding a schedule',
    (db, s) =>
      createSchedule(
        db,
        s.classId,
        { roomId: s.roomId, weekday: 2, startTime: '10:00', endTime: '11:00', graceMinutes: 5 },
        NOW,
      ),
  ],
  ['changing a schedule', (db, s) => updateSchedule(db, s.scheduleId, { startTime: '08:00' }, NOW)],
  ['removing a schedule', (db, s) => deleteSchedule(db, s.scheduleId, NOW)],
];

/** The roster import enrols too: it does not match an archived class, but may have just before. */
const IMPORT: [string, Write] = [
  'importing a roster that enrols into the class',
  (db, _s, x) =>
    importRoster(
      db,
      new TextEncoder().encode(
        `student_number,given_name,family_name,consent,classes\nR-${x.code},Ada,Late,yes,${x.code}\n`,
      ),
      { siteId: 'default', dryRun: false, actor, now: NOW },
    ),
];
const WRITES = [...CLASS_WRITES, IMPORT];

async function conflictCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof HttpError) return `${err.statusCode} ${err.code}`;
    throw err;
  }
  return 'no error';
}

/** What an archive must leave as the archive wrote it. */
async function classState(db: TestDatabase['db'], classId: string) {
  const [cls, enrolments, schedules, versions] = await Promise.all([
    db
      .selectFrom('classes')
      .select(['name', 'archived_at'])
      .where('id', '=', classId)
      .executeTakeFirstOrThrow(),
    db.selectFrom('enrolments').select('id').where('class_id', '=', classId).orderBy('id').execute(),
    db
      .selectFrom('schedules')
      .select(['id', 'start_time', 'ended_on'])
      .where('class_id', '=', classId)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('schedule_versions')
      .innerJoin('schedules', 'schedules.id', 'schedule_versions.schedule_id')
      .select(['schedule_versions.id', 'schedule_versions.valid_until'])
      .where('schedules.class_id', '=', classId)
      .orderBy('schedule_versions.id')
      .execute(),
  ]);
  return { cls, enrolments, schedules, versions };
}

describe.each(dialects)('writes to an archived class on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let n = 0;

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database);
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  /** A seeded class with a code, and a student of its site not yet in it. */
  async function fixture() {
    const s = await seed(t, database);
    const code = `ARCH${++n}${dialect.name}`;
    await updateClass(database.db, s.classId, { code }, NOW);
    const student = await createStudent(
      database.db,
      { siteId: 'default', studentNumber: `X-${code}`, name: 'New Student', consent: true },
      NOW,
    );
    return { s, extra: { studentId: student.id, code } };
  }

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it.each(CLASS_WRITES)(
      '%s after the archive: 409 class_archived, nothing written',
      async (_name, write) => {
        const { s, extra } = await fixture();
        await archiveClass(database.db, s.classId, actor, NOW);
        const before = await classState(database.db, s.classId);
        expect(await conflictCode(write(database.db, s, extra))).toBe('409 class_archived');
        expect(await classState(database.db, s.classId)).toEqual(before);
      },
    );

    it('a roster import after the archive does not match the class and writes nothing', async () => {
      const { s, extra } = await fixture();
      await archiveClass(database.db, s.classId, actor, NOW);
      const before = await classState(database.db, s.classId);
      const report = (await IMPORT[1](database.db, s, extra)) as Awaited<ReturnType<typeof importRoster>>;
      expect(report.ok).toBe(false);
      expect(report.errors.map((e) => e.column)).toEqual(['classes']);
      expect(await classState(database.db, s.classId)).toEqual(before);
    });

    // SQLite runs one write transaction at a time, so this interleaving needs PostgreSQL.
    describe.skipIf(dialect.name !== 'postgres')('racing an archive not yet committed', () => {
      it.each(WRITES)('%s waits for the archive and gets 409 class_archived', async (_name, write) => {
        const { s, extra } = await fixture();
        let commitArchive!: () => void;
        const held = new Promise<void>((resolve) => (commitArchive = resolve));
        let claimed!: () => void;
        const archiving = new Promise<void>((resolve) => (claimed = resolve));
        // The archive's first write (archiveClass's claim of the row), its transaction kept open.
        const archive = database.db.transaction().execute(async (trx: Transaction<DB>) => {
          await trx
            .updateTable('classes')
            .set({ archived_at: NOW })
            .where('id', '=', s.classId)
            .where('archived_at', 'is', null)
            .execute();
          claimed();
          await held;
        });
        await archiving;
        const racing = conflictCode(write(database.db, s, extra));
        await new Promise((resolve) => setTimeout(resolve, REACH_LOCK_MS));
        const before = await classState(database.db, s.classId);
        commitArchive();
        await archive;
        expect(await racing).toBe('409 class_archived');
        const after = await classState(database.db, s.classId);
        expect({ ...after, cls: after.cls.name }).toEqual({ ...before, cls: before.cls.name });
      });

      it('an enrolment that got the lock first is there when the archive reads what to tombstone', async () => {
        const { s, extra } = await fixture();
        let commitEnrol!: () => void;
        const held = new Promise<void>((resolve) => (commitEnrol = resolve));
        let enrolled!: () => void;
        const written = new Promise<void>((resolve) => (enrolled = resolve));
        const enrol = database.db.transaction().execute(async (trx) => {
          await lockActiveClass(trx, s.classId);
          await trx
            .insertInto('enrolments')
            .values({
              id: `race-${extra.code}`,
              class_id: s.classId,
              student_id: extra.studentId,
              created_at: NOW,
              valid_from: null,
              valid_until: null,
            })
            .execute();
          enrolled();
          await held;
        });
        await written;
        const archive = archiveClass(database.db, s.classId, actor, NOW);
        await new Promise((resolve) => setTimeout(resolve, REACH_LOCK_MS));
        commitEnrol();
        await enrol;
        await archive;
        const tomb = await database.db
          .selectFrom('changes')
          .select('op')
          .where('entity', '=', 'enrolment')
          .where('entity_id', '=', `race-${extra.code}`)
          .executeTakeFirst();
        // Tombstoned with the class's other open enrolments: no kiosk keeps it.
        expect(tomb).toEqual({ op: 'delete' });
      });
    });
  });
});
