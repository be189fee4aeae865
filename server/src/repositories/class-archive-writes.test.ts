// Writes to a class's data against an archive of that class. Archived, the class is read-only
// history: every write refuses with 409 `class_archived`, on both databases; on PostgreSQL the
// same holds for a write that read the class while the archive was still uncommitted (it must
// wait for the archive and see it, not land after the kiosks were told the class is gone).
import type { Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, seed, type Seeded, type TestApp } from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';
import { backendPid, waitUntilBlockedBy } from '../../test/lock-waits.js';
import type { DB } from '../db/schema.js';
import { importRoster } from '../import/roster.js';
import { HttpError } from '../errors.js';
import { recordCorrection, resolveSession } from './attendance.js';
import { changeSession, restoreSession } from './calendar.js';
import { archiveClass } from './class-archive.js';
import { lockActiveClass } from './class-lock.js';
import {
  createSchedule,
  deleteSchedule,
  enrolStudents,
  unenrolStudent,
  updateClass,
  updateSchedule,
} from './classes.js';
import { createStudent } from './students.js';

const dialects = await testDialects();
const actor = { kind: 'user' as const, id: null };
const NOW = '2026-09-14T12:00:00.000Z';
/** Sessions of the seeded Monday schedule: held before the archive (at NOW), and due after it. */
const PAST = '2026-09-07';
const FUTURE = '2026-09-21';
/** The fixture cancels this one before the archive, so there is a change to undo. */
const CANCELLED = '2026-09-14';
const session = (s: Seeded, date: string) => `${s.scheduleId}@${date}`;

type Write = (
  db: TestDatabase['db'],
  s: Seeded,
  extra: { studentId: string; code: string },
) => Promise<unknown>;

/** Every write path through the class's own routes that adds to it or edits it or its schedules. */
const CLASS_WRITES: [string, Write][] = [
  ['enrolling a student', (db, s, x) => enrolStudents(db, s.classId, [x.studentId], actor, NOW)],
  ['renaming the class', (db, s) => updateClass(db, s.classId, { name: 'Renamed' }, actor, NOW)],
  [
    'adding a schedule',
    (db, s) =>
      createSchedule(
        db,
        s.classId,
        { roomId: s.roomId, weekday: 2, startTime: '10:00', endTime: '11:00', graceMinutes: 5 },
        actor,
        NOW,
      ),
  ],
  ['changing a schedule', (db, s) => updateSchedule(db, s.scheduleId, { startTime: '08:00' }, actor, NOW)],
  ['removing a schedule', (db, s) => deleteSchedule(db, s.scheduleId, actor, NOW)],
  ['removing a student', (db, s) => unenrolStudent(db, s.classId, s.students[0]?.id ?? '', actor, NOW)],
  [
    'cancelling a session held before the archive',
    (db, s) => changeSession(db, session(s, PAST), { kind: 'cancelled', reason: 'Flood' }, actor, NOW),
  ],
  [
    'cancelling a session due after the archive',
    (db, s) => changeSession(db, session(s, FUTURE), { kind: 'cancelled', reason: 'Trip' }, actor, NOW),
  ],
  [
    'moving a session held before the archive',
    (db, s) => changeSession(db, session(s, PAST), { kind: 'moved', startTime: '09:00' }, actor, NOW),
  ],
  [
    'moving a session due after the archive',
    (db, s) => changeSession(db, session(s, FUTURE), { kind: 'moved', toDate: '2026-09-22' }, actor, NOW),
  ],
  ['undoing a cancellation', (db, s) => restoreSession(db, session(s, CANCELLED), actor, NOW)],
  [
    "correcting a student's mark",
    async (db, s) =>
      recordCorrection(
        db,
        // As the route does: the session is resolved first, the correction written after.
        await resolveSession(db, session(s, PAST)),
        {
          kind: 'manual',
          sessionId: session(s, PAST),
          studentId: s.students[0]?.id ?? '',
          status: 'excused',
          reason: 'Doctor',
        },
        { ...actor, label: 'teacher@school.example' },
        NOW,
      ),
  ],
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
async function classState(db: TestDatabase['db'], s: Seeded) {
  const classId = s.classId;
  const [cls, enrolments, schedules, versions, sessionChanges, events] = await Promise.all([
    db
      .selectFrom('classes')
      .select(['name', 'archived_at'])
      .where('id', '=', classId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('enrolments')
      .select(['id', 'valid_until'])
      .where('class_id', '=', classId)
      .orderBy('id')
      .execute(),
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
    db
      .selectFrom('session_changes')
      .select(['id', 'date', 'kind', 'to_date', 'start_time'])
      .where('schedule_id', '=', s.scheduleId)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('attendance_events')
      .select('id')
      .where('session_id', 'like', `${s.scheduleId}@%`)
      .orderBy('id')
      .execute(),
  ]);
  return { cls, enrolments, schedules, versions, sessionChanges, events };
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

  /** A seeded class with a code and a cancelled session, and a student of its site not yet in it. */
  async function fixture() {
    const s = await seed(t, database);
    const code = `ARCH${++n}${dialect.name}`;
    await updateClass(database.db, s.classId, { code }, actor, NOW);
    await changeSession(database.db, session(s, CANCELLED), { kind: 'cancelled', reason: null }, actor, NOW);
    const student = await createStudent(
      database.db,
      { siteId: 'default', studentNumber: `X-${code}`, name: 'New Student', consent: true },
      actor,
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
        const before = await classState(database.db, s);
        expect(await conflictCode(write(database.db, s, extra))).toBe('409 class_archived');
        expect(await classState(database.db, s)).toEqual(before);
      },
    );

    it('a roster import after the archive does not match the class and writes nothing', async () => {
      const { s, extra } = await fixture();
      await archiveClass(database.db, s.classId, actor, NOW);
      const before = await classState(database.db, s);
      const report = (await IMPORT[1](database.db, s, extra)) as Awaited<ReturnType<typeof importRoster>>;
      expect(report.ok).toBe(false);
      expect(report.errors.map((e) => e.column)).toEqual(['classes']);
      expect(await classState(database.db, s)).toEqual(before);
    });

    // SQLite runs one write transaction at a time, so this interleaving needs PostgreSQL.
    describe.skipIf(dialect.name !== 'postgres')('racing an archive not yet committed', () => {
      /**
       * `write` started while an archive of the class has claimed its row and not committed: its
       * answer once the archive commits, and the class as it stood while the write waited.
       */
      async function raceAnArchive(s: Seeded, write: () => Promise<unknown>) {
        let commitArchive!: () => void;
        const held = new Promise<void>((resolve) => (commitArchive = resolve));
        let claimed!: (pid: number) => void;
        const archiving = new Promise<number>((resolve) => (claimed = resolve));
        // The archive's first write (archiveClass's claim of the row), its transaction kept open.
        const archive = database.db.transaction().execute(async (trx: Transaction<DB>) => {
          await trx
            .updateTable('classes')
            .set({ archived_at: NOW })
            .where('id', '=', s.classId)
            .where('archived_at', 'is', null)
            .execute();
          claimed(await backendPid(trx));
          await held;
        });
        const holder = await archiving;
        const racing = conflictCode(write());
        let before: Awaited<ReturnType<typeof classState>>;
        try {
          await waitUntilBlockedBy(database.db, holder, { racing });
          before = await classState(database.db, s);
        } finally {
          commitArchive();
          await archive;
        }
        return { answer: await racing, before };
      }

      it.each(WRITES)('%s waits for the archive and gets 409 class_archived', async (_name, write) => {
        const { s, extra } = await fixture();
        const { answer, before } = await raceAnArchive(s, () => write(database.db, s, extra));
        expect(answer).toBe('409 class_archived');
        const after = await classState(database.db, s);
        expect({ ...after, cls: after.cls.name }).toEqual({ ...before, cls: before.cls.name });
      });

      it('a roster import refused so is audited as every refused import is: counts and the code, never the file', async () => {
        const { s, extra } = await fixture();
        const refusals = () =>
          database.db
            .selectFrom('audit_log')
            .select(['entity', 'entity_id', 'detail'])
            .where('action', '=', 'roster.import_refused')
            .execute();
        const earlier = (await refusals()).length;
        const { answer } = await raceAnArchive(s, () => IMPORT[1](database.db, s, extra));
        expect(answer).toBe('409 class_archived');
        const rows = (await refusals()).slice(earlier);
        expect(rows.map((r) => [r.entity, r.entity_id, JSON.parse(r.detail ?? '{}') as unknown])).toEqual([
          ['site', 'default', { rows: 1, refusal: 'class_archived' }],
        ]);
        expect(JSON.stringify(rows)).not.toContain(`R-${extra.code}`);
      });

      it('an enrolment that got the lock first is there when the archive reads what to tombstone', async () => {
        const { s, extra } = await fixture();
        let commitEnrol!: () => void;
        const held = new Promise<void>((resolve) => (commitEnrol = resolve));
        let enrolled!: (pid: number) => void;
        const written = new Promise<number>((resolve) => (enrolled = resolve));
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
          enrolled(await backendPid(trx));
          await held;
        });
        const holder = await written;
        const archive = archiveClass(database.db, s.classId, actor, NOW);
        try {
          await waitUntilBlockedBy(database.db, holder, { racing: archive });
        } finally {
          commitEnrol();
          await enrol;
        }
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
