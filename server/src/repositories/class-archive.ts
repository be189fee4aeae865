// Archiving a class instead of deleting it, and undoing that (docs/server.md, "Archived
// classes"): what the archive ends, what it keeps to restore (migration 012), and the restore.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ScheduleVersion } from '../../../src/contracts/occurrences.js';
import { SiteClock, addDays } from '../../../src/contracts/site-time.js';
import type { ClassTable, DB, ScheduleTable, ScheduleVersionTable } from '../db/schema.js';
import type { Class } from '../schemas/people.js';
import { writeAudit, type Actor } from './audit.js';
import { appendChanges, type ChangeInput } from './changes.js';
import { firstEditableDate, loadCalendar, scheduleSpecs } from './calendar.js';
import {
  classDates,
  endSchedule,
  getClass,
  rosterClass,
  rosterEnrolment,
  rosterSchedule,
  toClass,
  toVersion,
  versionsOf,
} from './classes.js';
import type { Executor } from './executor.js';
import { getSite } from './rooms.js';

/**
 * Archives a class instead of deleting it: every mark, session and report stays. Its open
 * schedules end before the first session not yet started (as removing each would), so it
 * produces no new session; kiosks get the same tombstones a deletion sent. Archiving an
 * archived class changes nothing.
 */
export async function archiveClass(db: Kysely<DB>, id: string, actor: Actor, now: string): Promise<Class> {
  return db.transaction().execute(async (trx) => {
    const cls = await getClass(trx, id);
    if (cls.archived_at !== null) return toClass(cls);
    // Conditional, so of two admins archiving at once only one ends schedules and audits: the
    // other waits on the row lock, then matches nothing.
    const claimed = await trx
      .updateTable('classes')
      .set({ archived_at: now })
      .where('id', '=', id)
      .where('archived_at', 'is', null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) return toClass(await getClass(trx, id));
    const { firstOpen } = await classDates(trx, cls, now);
    const last = addDays(firstOpen, -1);
    const schedules = await trx
      .selectFrom('schedules')
      .select(['id', 'ended_on'])
      .where('class_id', '=', id)
      .execute();
    const running = schedules.filter((sch) => sch.ended_on === null).map((sch) => sch.id);
    for (const scheduleId of running) {
      // What ending it closes (the version in force, versions planned after `last`) is kept,
      // so unarchiving can restore exactly that.
      const before = await versionsOf(trx, scheduleId);
      await endSchedule(trx, scheduleId, last);
      await trx
        .updateTable('schedules')
        .set({ archived_with_class: 1, archived_versions: JSON.stringify(before.map(storedVersion)) })
        .where('id', '=', scheduleId)
        .execute();
    }
    // Closed enrolments were already tombstoned when they closed; open ones stay open here
    // (unarchiving republishes them) but kiosks drop them now.
    const enrolments = await trx
      .selectFrom('enrolments')
      .select('id')
      .where('class_id', '=', id)
      .where('valid_until', 'is', null)
      .execute();
    const tomb = (entity: ChangeInput['entity'], entityId: string): ChangeInput => ({
      siteId: cls.site_id,
      entity,
      entityId,
      data: null,
    });
    await appendChanges(
      trx,
      [
        ...enrolments.map((e) => tomb('enrolment', e.id)),
        ...schedules.map((sch) => tomb('schedule', sch.id)),
        tomb('class', id),
      ],
      now,
    );
    await writeAudit(
      trx,
      {
        actor,
        action: 'class.archive',
        entity: 'class',
        entityId: id,
        detail: { name: cls.name, lastSessionDate: last, schedulesEnded: running.length },
      },
      now,
    );
    return toClass({ ...cls, archived_at: now });
  });
}

/**
 * Makes an archived class active again: the schedules archiving ended get back, from the first
 * date not yet started, the versions the archive closed (planned ones on their own dates; the
 * archived days stay without sessions), and kiosks get the class, its open enrolments and those
 * schedules again.
 */
export async function unarchiveClass(db: Kysely<DB>, id: string, actor: Actor, now: string): Promise<Class> {
  return db.transaction().execute(async (trx) => {
    const cls = await getClass(trx, id);
    if (cls.archived_at === null) return toClass(cls);
    const claimed = await trx
      .updateTable('classes')
      .set({ archived_at: null })
      .where('id', '=', id)
      .where('archived_at', 'is not', null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) return toClass(await getClass(trx, id));
    const paused = await trx
      .selectFrom('schedules')
      .selectAll()
      .where('class_id', '=', id)
      .where('archived_with_class', '=', 1)
      .execute();
    const firstOpen = await firstOpenAsIfActive(trx, cls, paused, now);
    // A one-off lesson whose date went by while archived has nothing left to reopen.
    const reopened = paused.filter((sch) => sch.date === null || sch.date >= firstOpen);
    for (const sch of reopened) {
      if (sch.archived_versions === null) await reopenFromLatest(trx, sch, firstOpen, now);
      else await restoreVersions(trx, sch, parseStoredVersions(sch.archived_versions), firstOpen, now);
      await trx.updateTable('schedules').set({ ended_on: null }).where('id', '=', sch.id).execute();
    }
    await trx
      .updateTable('schedules')
      .set({ archived_with_class: 0, archived_versions: null })
      .where('class_id', '=', id)
      .where('archived_with_class', '=', 1)
      .execute();
    const enrolments = await trx
      .selectFrom('enrolments')
      .select(['id', 'class_id', 'student_id'])
      .where('class_id', '=', id)
      .where('valid_until', 'is', null)
      .execute();
    const active: ClassTable = { ...cls, archived_at: null };
    const schedules: ChangeInput[] = [];
    for (const sch of reopened)
      schedules.push({
        siteId: cls.site_id,
        entity: 'schedule',
        entityId: sch.id,
        data: rosterSchedule({ ...sch, ended_on: null }, await versionsOf(trx, sch.id)),
      });
    // The class first: a kiosk applies the page in order.
    await appendChanges(
      trx,
      [
        { siteId: cls.site_id, entity: 'class', entityId: id, data: rosterClass(active) },
        ...enrolments.map((e) => ({
          siteId: cls.site_id,
          entity: 'enrolment' as const,
          entityId: e.id,
          data: rosterEnrolment(e),
        })),
        ...schedules,
      ],
      now,
    );
    await writeAudit(
      trx,
      {
        actor,
        action: 'class.unarchive',
        entity: 'class',
        entityId: id,
        detail: { name: cls.name, archivedAt: cls.archived_at, schedulesReopened: reopened.length },
      },
      now,
    );
    return toClass(active);
  });
}

/** A schedule version as archiving keeps it (schedules.archived_versions, migration 012). */
interface StoredVersion extends ScheduleVersion {
  id: string;
  createdAt: string;
}

const storedVersion = (v: ScheduleVersionTable): StoredVersion => ({
  id: v.id,
  ...toVersion(v),
  createdAt: v.created_at,
});

const parseStoredVersions = (json: string): StoredVersion[] => JSON.parse(json) as StoredVersion[];

/**
 * The first date not yet started, judged on the timetable as it was before the archive: a lesson
 * of it that began today while the class was archived is history (nobody was told to come), not
 * a session to count absences in.
 */
async function firstOpenAsIfActive(
  trx: Executor,
  cls: ClassTable,
  paused: readonly ScheduleTable[],
  now: string,
): Promise<string> {
  const site = await getSite(trx, cls.site_id);
  const asBefore = new Map<string, ScheduleVersion[]>(
    paused.map((sch) => [
      sch.id,
      sch.archived_versions === null
        ? [toVersion({ ...sch, schedule_id: sch.id, valid_from: null, valid_until: null })]
        : parseStoredVersions(sch.archived_versions),
    ]),
  );
  const specs = (await scheduleSpecs(trx, { classIds: [cls.id] })).map((spec) => ({
    ...spec,
    versions: asBefore.get(spec.id) ?? spec.versions,
  }));
  return firstEditableDate(
    specs,
    await loadCalendar(trx, cls.site_id),
    new SiteClock(site.timezone),
    new Date(now),
  );
}

/**
 * Puts back what archiving closed, from `firstOpen` on: the version that was in force runs on to
 * its old end and the versions planned after the archive start on their own dates. Nothing is
 * restored on the archived days themselves (the last date archiving kept, `ended_on`, to
 * `firstOpen`), so no session appears there and no report counts anyone absent from it; a
 * planned version that would have started then starts on `firstOpen` instead. Unarchived before
 * any session was missed, the timetable is exactly as it was before the archive.
 */
async function restoreVersions(
  trx: Executor,
  sch: ScheduleTable,
  before: readonly StoredVersion[],
  firstOpen: string,
  now: string,
): Promise<void> {
  const last = sch.ended_on;
  if (last === null) return;
  if (firstOpen <= last) firstOpen = addDays(last, 1);
  const current = new Set((await versionsOf(trx, sch.id)).map((v) => v.id));
  for (const v of before) {
    // Versions that ended by `last` were not touched by the archive.
    if (v.validUntil !== null && v.validUntil <= last) continue;
    const from = v.validFrom !== null && v.validFrom > firstOpen ? v.validFrom : firstOpen;
    if (v.validUntil !== null && v.validUntil < from) continue;
    // The version in force at the archive, unarchived the next open date: it simply runs on.
    if (current.has(v.id) && from === addDays(last, 1)) {
      await trx
        .updateTable('schedule_versions')
        .set({ valid_until: v.validUntil })
        .where('id', '=', v.id)
        .execute();
      continue;
    }
    // A removed version restored on its own dates is the same version again.
    const same = !current.has(v.id) && from === v.validFrom;
    await trx
      .insertInto('schedule_versions')
      .values({
        id: same ? v.id : randomUUID(),
        schedule_id: sch.id,
        valid_from: from,
        valid_until: v.validUntil,
        room_id: v.roomId,
        weekday: v.weekday,
        date: v.date,
        start_time: v.startTime,
        end_time: v.endTime,
        grace_minutes: v.graceMinutes,
        created_at: same ? v.createdAt : now,
      })
      .execute();
  }
}

/**
 * A schedule an archive ended before migration 012 kept no versions: it meets again from
 * `firstOpen` as it was last set (a new open version, or the old one running on when no session
 * was missed).
 */
async function reopenFromLatest(trx: Executor, sch: ScheduleTable, firstOpen: string, now: string) {
  const fields = {
    room_id: sch.room_id,
    weekday: sch.weekday,
    date: sch.date,
    start_time: sch.start_time,
    end_time: sch.end_time,
    grace_minutes: sch.grace_minutes,
  };
  const adjoining = (await versionsOf(trx, sch.id)).find(
    (v) =>
      v.valid_until === addDays(firstOpen, -1) &&
      (Object.keys(fields) as (keyof typeof fields)[]).every((k) => v[k] === fields[k]),
  );
  if (adjoining)
    await trx
      .updateTable('schedule_versions')
      .set({ valid_until: null })
      .where('id', '=', adjoining.id)
      .execute();
  else
    await trx
      .insertInto('schedule_versions')
      .values({
        id: randomUUID(),
        schedule_id: sch.id,
        valid_from: firstOpen,
        valid_until: null,
        ...fields,
        created_at: now,
      })
      .execute();
}
