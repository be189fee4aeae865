// The lock every write to a class's data takes (docs/server.md, "Archived classes"): an archived
// class is read-only history until it is unarchived. Its own module, so the calendar and the
// attendance repositories can take it without importing the class repository that imports them.
import type { ClassTable } from '../db/schema.js';
import { conflict, notFound } from '../errors.js';
import type { Executor } from './executor.js';

/**
 * Checks, inside the caller's transaction, that the class is still active and keeps it so until
 * that transaction ends. The guarded UPDATE takes the row lock the archive's own UPDATE takes
 * (PostgreSQL): a write that gets it first commits before the archive reads what to end and
 * tombstone; one that waits for an archive re-reads the row and gets 409 `class_archived`. A
 * plain read would not do: at read committed it sees the archive only once committed, and an
 * enrolment's foreign key does not conflict with the archive's lock. SQLite runs one write
 * transaction at a time (BEGIN IMMEDIATE), so there the same statement is simply the check.
 */
export async function lockActiveClass(trx: Executor, id: string): Promise<ClassTable> {
  await trx
    .updateTable('classes')
    .set({ archived_at: null })
    .where('id', '=', id)
    .where('archived_at', 'is', null)
    .execute();
  const cls = await trx.selectFrom('classes').selectAll().where('id', '=', id).executeTakeFirst();
  if (!cls) throw notFound(`class ${id}`);
  // Kiosks were told it is gone, and its sessions, marks and lists are history as they stood.
  if (cls.archived_at !== null)
    throw conflict(
      `Class "${cls.name}" is archived, so it is read-only; unarchive it first`,
      'class_archived',
    );
  return cls;
}

/** `lockActiveClass` for the class a schedule belongs to; null when there is no such schedule. */
export async function lockActiveClassOfSchedule(
  trx: Executor,
  scheduleId: string,
): Promise<ClassTable | null> {
  const schedule = await trx
    .selectFrom('schedules')
    .select('class_id')
    .where('id', '=', scheduleId)
    .executeTakeFirst();
  return schedule ? lockActiveClass(trx, schedule.class_id) : null;
}
