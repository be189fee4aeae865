// 012: what archiving a class closed, so unarchiving can put it back. Archiving ends each open
// schedule before the first date not yet started, which shortens the version in force and
// deletes versions planned to start later (timetable changes already entered for next term).
// - `schedules.archived_versions`: JSON of the schedule's versions as they stood just before the
//   archive ended it (`[{ id, validFrom, validUntil, roomId, weekday, date, startTime, endTime,
//   graceMinutes, createdAt }]`); null for a schedule no archive ended, and for one ended by an
//   archive made before this migration (unarchive then reopens it from its latest fields, as 011
//   did).
// Never edit once shipped: add 013.
import type { Migration } from './types.js';

export const migration012: Migration = {
  version: 12,
  name: 'archived-schedule-versions',
  async up(db) {
    await db.schema.alterTable('schedules').addColumn('archived_versions', 'text').execute();
  },
};
