// 003: index attendance events by session alone. The (session_id, student_id) index of 001
// put every insert at a random place in the index (student ids are random UUIDs), which made
// it the costliest part of ingest on SQLite (~35% of its CPU per 500-event batch). Keyed by
// session alone, a batch appends at the end of its session's range (ties are ordered by
// rowid/ctid); session reads (`where session_id = ?` / `in (…)`) and the per-student filter
// after it stay index-driven. Never edit once shipped: add 004.
import type { Migration } from './types.js';

export const migration003: Migration = {
  version: 3,
  name: 'attendance-session-index',
  async up(db) {
    await db.schema.dropIndex('attendance_events_session').execute();
    await db.schema
      .createIndex('attendance_events_by_session')
      .on('attendance_events')
      .column('session_id')
      .execute();
  },
};
