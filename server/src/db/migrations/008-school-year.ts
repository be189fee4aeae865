// 008: the school year (docs/school-year.md).
// - Arrival window: `sites.arrival_minutes` (default 10) and a per-class override.
// - Calendar: terms, closures (holidays, single days or ranges) and per-session changes
//   (cancelled or moved), per site; `sites.calendar_version` counts edits (roster feed 2).
// - Versioned schedules: `schedule_versions` holds each version with its valid from/until
//   dates; `schedules` keeps the latest one's fields (what older code and feed-1 kiosks read)
//   plus `ended_on` instead of being deleted, so past sessions still resolve.
// - Enrolments get valid from/until dates; leaving a class closes the enrolment instead of
//   deleting it, so past reports keep the student.
// Existing data moves without loss: every schedule becomes one open version of itself, every
// enrolment stays open, no site has terms (every day is a school day until an admin adds one).
// Written against the schema as it is at 008. Never edit once shipped: add 009.
import type { Migration } from './types.js';

export const migration008: Migration = {
  version: 8,
  name: 'school-year',
  async up(db) {
    await db.schema
      .alterTable('sites')
      .addColumn('arrival_minutes', 'integer', (c) => c.notNull().defaultTo(10))
      .execute();
    await db.schema
      .alterTable('sites')
      .addColumn('calendar_version', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('classes').addColumn('arrival_minutes', 'integer').execute();
    await db.schema.alterTable('schedules').addColumn('ended_on', 'text').execute();
    await db.schema.alterTable('enrolments').addColumn('valid_from', 'text').execute();
    await db.schema.alterTable('enrolments').addColumn('valid_until', 'text').execute();

    await db.schema
      .createTable('schedule_versions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('schedule_id', 'text', (c) => c.notNull().references('schedules.id').onDelete('cascade'))
      .addColumn('valid_from', 'text')
      .addColumn('valid_until', 'text')
      .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id'))
      .addColumn('weekday', 'integer')
      .addColumn('date', 'text')
      .addColumn('start_time', 'text', (c) => c.notNull())
      .addColumn('end_time', 'text', (c) => c.notNull())
      .addColumn('grace_minutes', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('schedule_versions_schedule')
      .on('schedule_versions')
      .columns(['schedule_id', 'valid_from'])
      .execute();
    const schedules: {
      id: string;
      room_id: string;
      weekday: number | null;
      date: string | null;
      start_time: string;
      end_time: string;
      grace_minutes: number;
      created_at: string;
    }[] = await db
      .selectFrom('schedules')
      .select(['id', 'room_id', 'weekday', 'date', 'start_time', 'end_time', 'grace_minutes', 'created_at'])
      .orderBy('id')
      .execute();
    for (let i = 0; i < schedules.length; i += 500) {
      await db
        .insertInto('schedule_versions')
        .values(
          schedules.slice(i, i + 500).map((s) => ({
            id: `${s.id}~1`,
            schedule_id: s.id,
            valid_from: null,
            valid_until: null,
            room_id: s.room_id,
            weekday: s.weekday,
            date: s.date,
            start_time: s.start_time,
            end_time: s.end_time,
            grace_minutes: s.grace_minutes,
            created_at: s.created_at,
          })),
        )
        .execute();
    }

    await db.schema
      .createTable('terms')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('start_date', 'text', (c) => c.notNull())
      .addColumn('end_date', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('terms_site').on('terms').columns(['site_id', 'start_date']).execute();
    await db.schema
      .createTable('closures')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('start_date', 'text', (c) => c.notNull())
      .addColumn('end_date', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('closures_site').on('closures').columns(['site_id', 'start_date']).execute();
    await db.schema
      .createTable('session_changes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
      .addColumn('schedule_id', 'text', (c) => c.notNull().references('schedules.id').onDelete('cascade'))
      .addColumn('date', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('to_date', 'text')
      .addColumn('start_time', 'text')
      .addColumn('end_time', 'text')
      .addColumn('room_id', 'text', (c) => c.references('rooms.id'))
      .addColumn('reason', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('session_changes_session', ['schedule_id', 'date'])
      .execute();
    await db.schema.createIndex('session_changes_site').on('session_changes').column('site_id').execute();
  },
};
