// 001: everything the first server release needs. Never edit once shipped: add 002.
import { sql } from 'kysely';
import { columnTypes, type Migration } from './types.js';

export const DEFAULT_SITE_ID = 'default';

export const migration001: Migration = {
  version: 1,
  name: 'initial',
  async up(db, dialect) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable('sites')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('timezone', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db
      .insertInto('sites')
      .values({
        id: DEFAULT_SITE_ID,
        name: 'Default site',
        timezone: 'UTC',
        created_at: new Date().toISOString(),
      })
      .execute();

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'teacher')`))
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('refresh_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('family_id', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addColumn('revoked_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('refresh_tokens_family').on('refresh_tokens').column('family_id').execute();

    await db.schema
      .createTable('rooms')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('students')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
      .addColumn('student_number', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('email', 'text')
      .addColumn('guardian_email', 'text')
      .addColumn('consent', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('consent_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('students_site_number', ['site_id', 'student_number'])
      .execute();

    await db.schema
      .createTable('classes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('code', 'text')
      .addColumn('teacher_id', 'text', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('classes_teacher').on('classes').column('teacher_id').execute();

    await db.schema
      .createTable('enrolments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('class_id', 'text', (c) => c.notNull().references('classes.id').onDelete('cascade'))
      .addColumn('student_id', 'text', (c) => c.notNull().references('students.id').onDelete('cascade'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('enrolments_class_student', ['class_id', 'student_id'])
      .execute();
    await db.schema.createIndex('enrolments_student').on('enrolments').column('student_id').execute();

    await db.schema
      .createTable('schedules')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('class_id', 'text', (c) => c.notNull().references('classes.id').onDelete('cascade'))
      .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id'))
      .addColumn('weekday', 'integer')
      .addColumn('date', 'text')
      .addColumn('start_time', 'text', (c) => c.notNull())
      .addColumn('end_time', 'text', (c) => c.notNull())
      .addColumn('grace_minutes', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addCheckConstraint('schedules_weekday_xor_date', sql`(weekday is null) <> (date is null)`)
      .execute();
    await db.schema.createIndex('schedules_class').on('schedules').column('class_id').execute();

    await db.schema
      .createTable('devices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
      .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('pairing_code_hash', 'text', (c) => c.unique())
      .addColumn('pairing_expires_at', 'text')
      .addColumn('token_hash', 'text', (c) => c.unique())
      .addColumn('paired_at', 'text')
      .addColumn('revoked_at', 'text')
      .addColumn('app_version', 'text')
      .addColumn('last_seen_at', 'text')
      .addColumn('queue_depth', 'integer')
      .addColumn('health', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('templates')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('student_id', 'text', (c) => c.notNull().references('students.id').onDelete('cascade'))
      .addColumn('model_id', 'text', (c) => c.notNull())
      .addColumn('embedding', 'text', (c) => c.notNull())
      .addColumn('quality', 'real')
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.references('devices.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('templates_student').on('templates').column('student_id').execute();

    await db.schema
      .createTable('photos')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('student_id', 'text', (c) => c.notNull().references('students.id').onDelete('cascade'))
      .addColumn('template_id', 'text', (c) => c.references('templates.id').onDelete('set null'))
      .addColumn('mime', 'text', (c) => c.notNull())
      .addColumn('bytes', t.blob, (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('photos_student').on('photos').column('student_id').execute();

    await db.schema
      .createTable('attendance_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('device_id', 'text', (c) => c.references('devices.id').onDelete('set null'))
      .addColumn('student_id', 'text', (c) => c.notNull().references('students.id').onDelete('cascade'))
      .addColumn('session_id', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('status', 'text')
      .addColumn('occurred_at', 'text', (c) => c.notNull())
      .addColumn('ref_id', 'text')
      .addColumn('scores', 'text')
      .addColumn('model_id', 'text')
      .addColumn('actor', 'text')
      .addColumn('reason', 'text')
      .addColumn('received_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('attendance_events_session')
      .on('attendance_events')
      .columns(['session_id', 'student_id'])
      .execute();
    await db.schema
      .createIndex('attendance_events_student')
      .on('attendance_events')
      .column('student_id')
      .execute();

    await db.schema
      .createTable('change_counter')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('last_seq', t.bigint, (c) => c.notNull())
      .execute();
    await db.insertInto('change_counter').values({ id: 1, last_seq: 0 }).execute();

    // Compacted change log: one row per roster record holding its latest change. Updating a
    // record moves it to a new, higher seq, so a first pull reads current state only, and a
    // deletion leaves a tombstone row (no personal data) that every kiosk will see.
    await db.schema
      .createTable('changes')
      .addColumn('seq', t.bigint, (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('entity', 'text', (c) => c.notNull())
      .addColumn('entity_id', 'text', (c) => c.notNull())
      .addColumn('op', 'text', (c) => c.notNull())
      .addColumn('data', 'text')
      .addColumn('changed_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('changes_entity', ['entity', 'entity_id'])
      .execute();
    await db.schema.createIndex('changes_site_seq').on('changes').columns(['site_id', 'seq']).execute();

    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('entity', 'text', (c) => c.notNull())
      .addColumn('entity_id', 'text')
      .addColumn('detail', 'text')
      .execute();
    await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();

    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};
