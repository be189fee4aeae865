import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { testDialects } from '../../test/databases.js';
import { buildApp } from '../app.js';
import { defaultAppConfig } from '../config.js';
import { migrate, SchemaTooNewError } from './migrate.js';
import { migrations } from './migrations/index.js';
import type { Migration } from './migrations/types.js';
import { resolveSession } from '../repositories/attendance.js';
import { classReport } from '../reports/service.js';
import { blankCorrectionStatuses, writeAudit } from '../repositories/audit.js';

const dialects = await testDialects();

describe.each(dialects)('migrations on $name', (dialect) => {
  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it('applies every migration once, in order, and creates the default site', async () => {
      const database = await dialect.open({ migrated: false });
      try {
        const first = await migrate(database);
        expect(first).toEqual({
          from: 0,
          to: migrations.length,
          applied: migrations.map((m) => `${String(m.version).padStart(3, '0')}-${m.name}`),
        });
        expect(first.applied[0]).toBe('001-initial');
        const second = await migrate(database);
        expect(second).toEqual({ from: migrations.length, to: migrations.length, applied: [] });
        const site = await database.db
          .selectFrom('sites')
          .selectAll()
          .where('id', '=', 'default')
          .executeTakeFirst();
        expect(site).toMatchObject({ timezone: 'UTC' });
        // 006 logs every site (here the default one) so that a first pull carries its time zone.
        const counter = await database.db.selectFrom('change_counter').selectAll().executeTakeFirst();
        expect(counter).toEqual({ id: 1, last_seq: 1 });
        const logged = await database.db
          .selectFrom('changes')
          .select(['seq', 'site_id', 'entity', 'entity_id', 'op', 'data'])
          .execute();
        expect(
          logged.map((c) => ({ ...c, seq: Number(c.seq), data: JSON.parse(c.data ?? 'null') as unknown })),
        ).toEqual([
          {
            seq: 1,
            site_id: 'default',
            entity: 'site',
            entity_id: 'default',
            op: 'upsert',
            data: { id: 'default', name: 'Default site', timezone: 'UTC' },
          },
        ]);
      } finally {
        await database.cleanup();
      }
    });

    it('006 logs every existing site after the changes already there, so paired kiosks get it on their next pull', async () => {
      const database = await dialect.open({ migrated: false });
      try {
        await migrate(database, migrations.slice(0, 5));
        const now = new Date().toISOString();
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the version-5 schema
        await (database.db as unknown as Kysely<any>)
          .insertInto('sites')
          .values({ id: 'north', name: 'North', timezone: 'Europe/Oslo', created_at: now })
          .execute();
        await database.db.updateTable('change_counter').set({ last_seq: 7 }).where('id', '=', 1).execute();
        await database.db
          .insertInto('changes')
          .values({
            seq: 7,
            site_id: 'north',
            entity: 'room',
            entity_id: 'r1',
            op: 'upsert',
            data: '{"id":"r1","name":"A"}',
            changed_at: now,
          })
          .execute();
        expect((await migrate(database)).applied.slice(0, 2)).toEqual([
          '006-site-changes',
          '007-pin-recovery-codes',
        ]);
        const sites = await database.db
          .selectFrom('changes')
          .select(['seq', 'site_id', 'data'])
          .where('entity', '=', 'site')
          .orderBy('seq')
          .execute();
        expect(
          sites.map((c) => ({
            seq: Number(c.seq),
            site: c.site_id,
            data: JSON.parse(c.data ?? 'null') as unknown,
          })),
        ).toEqual([
          { seq: 8, site: 'default', data: { id: 'default', name: 'Default site', timezone: 'UTC' } },
          { seq: 9, site: 'north', data: { id: 'north', name: 'North', timezone: 'Europe/Oslo' } },
        ]);
        expect(await database.db.selectFrom('change_counter').select('last_seq').executeTakeFirst()).toEqual({
          last_seq: 9,
        });
      } finally {
        await database.cleanup();
      }
    });

    it('refuses a database from a newer server, clearly, and the app does not start on it', async () => {
      const database = await dialect.open();
      try {
        await database.db.updateTable('schema_version').set({ version: 99 }).execute();
        await expect(migrate(database)).rejects.toBeInstanceOf(SchemaTooNewError);
        await expect(migrate(database)).rejects.toThrow(
          /schema version 99 is newer than this server supports \(\d+\)/,
        );
        await expect(
          buildApp(defaultAppConfig({ database: { kind: 'sqlite', filename: ':memory:' } }), { database }),
        ).rejects.toBeInstanceOf(SchemaTooNewError);
      } finally {
        await database.cleanup();
      }
    });

    it('rolls a failing migration back entirely and keeps the previous version', async () => {
      const database = await dialect.open({ migrated: false });
      const broken: Migration = {
        version: migrations.length + 1,
        name: 'broken',
        async up(db) {
          await db.schema.createTable('half_done').addColumn('id', 'integer').execute();
          await db.insertInto('half_done').values({ id: 1 }).execute();
          throw new Error('boom in the broken migration');
        },
      };
      try {
        await expect(migrate(database, [...migrations, broken])).rejects.toThrow(
          'boom in the broken migration',
        );
        const version = await database.db.selectFrom('schema_version').select('version').executeTakeFirst();
        expect(version?.version).toBe(migrations.length);
        const exists = await sql`select count(*) as n from half_done`.execute(database.db).then(
          () => true,
          () => false,
        );
        expect(exists).toBe(false);
      } finally {
        await database.cleanup();
      }
    });

    it('003 upgrades a version-2 database: attendance events are indexed by session alone', async () => {
      const database = await dialect.open({ migrated: false });
      try {
        await migrate(database, migrations.slice(0, 2));
        const result = await migrate(database);
        expect(result.applied).toContain('003-attendance-session-index');
        const names =
          database.dialect === 'sqlite'
            ? (
                await sql<{ name: string }>`select name from pragma_index_list('attendance_events')`.execute(
                  database.db,
                )
              ).rows.map((r) => r.name)
            : (
                await sql<{
                  name: string;
                }>`select indexname as name from pg_indexes where tablename = 'attendance_events' and schemaname = current_schema()`.execute(
                  database.db,
                )
              ).rows.map((r) => r.name);
        expect(names).toContain('attendance_events_by_session');
        expect(names).toContain('attendance_events_student');
        expect(names).not.toContain('attendance_events_session');
      } finally {
        await database.cleanup();
      }
    });

    it('005 upgrades a version-4 database: existing users and refresh tokens start at session version 0', async () => {
      const database = await dialect.open({ migrated: false });
      try {
        await migrate(database, migrations.slice(0, 4));
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the version-4 schema has no token_version yet
        const v4 = database.db as unknown as Kysely<any>;
        const now = new Date().toISOString();
        await v4
          .insertInto('users')
          .values({
            id: 'u1',
            email: 'old@school.example',
            name: 'Old',
            role: 'teacher',
            password_hash: 'x',
            created_at: now,
          })
          .execute();
        await v4
          .insertInto('refresh_tokens')
          .values({
            id: 'r1',
            user_id: 'u1',
            token_hash: 'h',
            family_id: 'f',
            expires_at: now,
            created_at: now,
          })
          .execute();
        const result = await migrate(database);
        expect(result.applied).toContain('005-session-versions');
        expect(await database.db.selectFrom('users').select('token_version').executeTakeFirst()).toEqual({
          token_version: 0,
        });
        expect(
          await database.db.selectFrom('refresh_tokens').select('token_version').executeTakeFirst(),
        ).toEqual({ token_version: 0 });
      } finally {
        await database.cleanup();
      }
    });

    it('008 upgrades a version-7 database with data in it: nothing lost, sessions and reports as before', async () => {
      const database = await dialect.open({ migrated: false });
      try {
        await migrate(database, migrations.slice(0, 7));
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the version-7 schema
        const v7 = database.db as unknown as Kysely<any>;
        const at = '2026-09-01T07:00:00.000Z';
        await v7
          .insertInto('rooms')
          .values({ id: 'r1', site_id: 'default', name: 'Room 1', created_at: at })
          .execute();
        await v7
          .insertInto('classes')
          .values({ id: 'c1', site_id: 'default', name: 'Maths', created_at: at })
          .execute();
        await v7
          .insertInto('students')
          .values(
            ['s1', 's2'].map((id) => ({
              id,
              site_id: 'default',
              student_number: id.toUpperCase(),
              name: id,
              consent: 1,
              created_at: at,
              updated_at: at,
            })),
          )
          .execute();
        await v7
          .insertInto('enrolments')
          .values(
            ['s1', 's2'].map((id) => ({ id: `e-${id}`, class_id: 'c1', student_id: id, created_at: at })),
          )
          .execute();
        await v7
          .insertInto('schedules')
          .values({
            id: 'mon',
            class_id: 'c1',
            room_id: 'r1',
            weekday: 1,
            date: null,
            start_time: '08:30',
            end_time: '09:15',
            grace_minutes: 10,
            created_at: at,
          })
          .execute();
        await v7
          .insertInto('attendance_events')
          .values({
            id: 'ev1',
            student_id: 's1',
            session_id: 'mon@2026-09-07',
            kind: 'mark',
            status: 'present',
            occurred_at: '2026-09-07T08:31:00.000Z',
            received_at: at,
          })
          .execute();

        // 008 first, then whatever came after it.
        expect((await migrate(database)).applied[0]).toBe('008-school-year');
        expect(
          await database.db
            .selectFrom('schedule_versions')
            .select([
              'schedule_id',
              'valid_from',
              'valid_until',
              'room_id',
              'weekday',
              'start_time',
              'end_time',
              'grace_minutes',
            ])
            .execute(),
        ).toEqual([
          {
            schedule_id: 'mon',
            valid_from: null,
            valid_until: null,
            room_id: 'r1',
            weekday: 1,
            start_time: '08:30',
            end_time: '09:15',
            grace_minutes: 10,
          },
        ]);
        expect(
          await database.db
            .selectFrom('enrolments')
            .select(['id', 'valid_from', 'valid_until'])
            .orderBy('id')
            .execute(),
        ).toEqual([
          { id: 'e-s1', valid_from: null, valid_until: null },
          { id: 'e-s2', valid_from: null, valid_until: null },
        ]);
        expect(
          await database.db
            .selectFrom('sites')
            .select(['arrival_minutes', 'calendar_version'])
            .where('id', '=', 'default')
            .executeTakeFirst(),
        ).toEqual({ arrival_minutes: 10, calendar_version: 0 });
        // The old data answers as before: the session resolves, the report has its mark and absence.
        const session = await resolveSession(database.db, 'mon@2026-09-07');
        expect(session.occurrence).toMatchObject({ startsAt: '2026-09-07T08:30:00.000Z', cancelled: false });
        const report = await classReport(
          database.db,
          'c1',
          '2026-09-01',
          '2026-09-14',
          new Date('2026-09-15T00:00:00Z'),
        );
        expect(report.sessions.map((x) => x.sessionId)).toEqual(['mon@2026-09-07', 'mon@2026-09-14']);
        expect(report.students.map((x) => x.statuses)).toEqual([
          ['present', 'absent'],
          ['absent', 'absent'],
        ]);
        expect(await database.db.selectFrom('attendance_events').select('id').execute()).toEqual([
          { id: 'ev1' },
        ]);
      } finally {
        await database.cleanup();
      }
    });

    it('011 upgrades a version-10 database: existing classes are active, no schedule was ended by an archive', async () => {
      const database = await dialect.open({ migrated: false });
      try {
        await migrate(database, migrations.slice(0, 10));
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the version-10 schema
        const v10 = database.db as unknown as Kysely<any>;
        const at = '2026-09-01T07:00:00.000Z';
        await v10
          .insertInto('rooms')
          .values({ id: 'r1', site_id: 'default', name: 'Room 1', created_at: at })
          .execute();
        await v10
          .insertInto('classes')
          .values({ id: 'c1', site_id: 'default', name: 'Maths', created_at: at })
          .execute();
        await v10
          .insertInto('schedules')
          .values({
            id: 'mon',
            class_id: 'c1',
            room_id: 'r1',
            weekday: 1,
            date: null,
            start_time: '08:30',
            end_time: '09:15',
            grace_minutes: 10,
            created_at: at,
            ended_on: '2026-09-30',
          })
          .execute();
        expect((await migrate(database)).applied[0]).toBe('011-class-archive');
        expect(await database.db.selectFrom('classes').select(['id', 'archived_at']).execute()).toEqual([
          { id: 'c1', archived_at: null },
        ]);
        expect(
          await database.db.selectFrom('schedules').select(['ended_on', 'archived_with_class']).execute(),
        ).toEqual([{ ended_on: '2026-09-30', archived_with_class: 0 }]);
      } finally {
        await database.cleanup();
      }
    });

    it('014 and 015 upgrade a version-13 database: old templates and kiosks keep working as before', async () => {
      const database = await dialect.open({ migrated: false });
      try {
        await migrate(database, migrations.slice(0, 13));
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the version-13 schema
        const v13 = database.db as unknown as Kysely<any>;
        const at = '2026-09-01T07:00:00.000Z';
        await v13
          .insertInto('rooms')
          .values({ id: 'r1', site_id: 'default', name: 'Room 1', created_at: at })
          .execute();
        const device = { site_id: 'default', room_id: 'r1', created_at: at };
        await v13
          .insertInto('devices')
          .values([
            // Paired: its name is the one the kiosk reported.
            { id: 'd1', ...device, name: 'tablet-3', paired_at: at },
            // Created in the console, not paired yet: what the admin typed, or the placeholder.
            { id: 'd2', ...device, name: 'Front door' },
            { id: 'd3', ...device, name: 'Kiosk at Room 1' },
          ])
          .execute();
        await v13
          .insertInto('students')
          .values({
            id: 's1',
            site_id: 'default',
            student_number: '1001',
            name: 'Ada',
            consent: 1,
            created_at: at,
            updated_at: at,
          })
          .execute();
        // A photo imported twice by the old server: two rows of the same face.
        const template = {
          student_id: 's1',
          model_id: 'm1',
          embedding: 'AAAA',
          source: 'photo',
          created_at: at,
        };
        await v13
          .insertInto('templates')
          .values([
            { id: 't1', ...template },
            { id: 't2', ...template },
          ])
          .execute();
        expect((await migrate(database, migrations.slice(0, 15))).applied).toEqual([
          '014-photo-template-hash',
          '015-device-admin-name',
        ]);
        expect(
          await database.db.selectFrom('templates').select(['id', 'photo_sha256']).orderBy('id').execute(),
        ).toEqual([
          { id: 't1', photo_sha256: null },
          { id: 't2', photo_sha256: null },
        ]);
        // A paired kiosk's name came from the kiosk (every pairing replaced it until now): the next
        // pairing may too. A kiosk waiting for its first pairing keeps the name the admin gave it.
        expect(
          await database.db.selectFrom('devices').select(['name', 'admin_named']).orderBy('id').execute(),
        ).toEqual([
          { name: 'tablet-3', admin_named: 0 },
          { name: 'Front door', admin_named: 1 },
          { name: 'Kiosk at Room 1', admin_named: 0 },
        ]);
        // One template per student, model and photo file from now on.
        const digest = 'ab'.repeat(32);
        await database.db
          .updateTable('templates')
          .set({ photo_sha256: digest })
          .where('id', '=', 't1')
          .execute();
        await expect(
          database.db.updateTable('templates').set({ photo_sha256: digest }).where('id', '=', 't2').execute(),
        ).rejects.toThrow(/unique|UNIQUE/);
      } finally {
        await database.cleanup();
      }
    });

    it('016 upgrades a version-15 database: kiosks have reported no camera yet', async () => {
      const database = await dialect.open({ migrated: false });
      try {
        await migrate(database, migrations.slice(0, 15));
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the version-15 schema
        const v15 = database.db as unknown as Kysely<any>;
        const at = '2026-09-01T07:00:00.000Z';
        await v15
          .insertInto('rooms')
          .values({ id: 'r1', site_id: 'default', name: 'Room 1', created_at: at })
          .execute();
        await v15
          .insertInto('devices')
          .values({ id: 'd1', site_id: 'default', room_id: 'r1', name: 'Front door', created_at: at })
          .execute();
        expect((await migrate(database, migrations.slice(0, 16))).applied).toEqual(['016-device-camera']);
        expect(
          await database.db.selectFrom('devices').select(['camera_status', 'camera_detail']).execute(),
        ).toEqual([{ camera_status: null, camera_detail: null }]);
      } finally {
        await database.cleanup();
      }
    });

    it('017 upgrades a version-16 database: erasure and the Audit page find rows by record id through an index', async () => {
      const database = await dialect.open({ migrated: false });
      try {
        await migrate(database, migrations.slice(0, 16));
        await writeAudit(
          database.db,
          {
            actor: { kind: 'system', id: null },
            action: 'attendance.manual',
            entity: 'attendance_event',
            entityId: 'e1',
            detail: { from: 'absent', to: 'present' },
          },
          '2026-09-01T07:00:00.000Z',
        );
        expect((await migrate(database)).applied).toEqual(['017-audit-entity-index']);
        // The statement erasure runs (blankCorrectionStatuses), as the database plans it.
        const lookup = sql`select id, detail from audit_log where entity = ${'attendance_event'} and entity_id in (${'e1'}, ${'e2'})`;
        const plan =
          database.dialect === 'sqlite'
            ? (await sql<{ detail: string }>`explain query plan ${lookup}`.execute(database.db)).rows
                .map((r) => r.detail)
                .join('\n')
            : await database.db.connection().execute(async (conn) => {
                // A handful of rows is cheaper to scan: make the planner show whether it could use an index.
                await sql`set enable_seqscan = off`.execute(conn);
                try {
                  return (await sql<{ 'QUERY PLAN': string }>`explain ${lookup}`.execute(conn)).rows
                    .map((r) => r['QUERY PLAN'])
                    .join('\n');
                } finally {
                  await sql`reset enable_seqscan`.execute(conn);
                }
              });
        expect(plan).toContain('audit_log_entity_id');
        expect(
          (await blankCorrectionStatuses(database.db, ['e1'])) +
            (await blankCorrectionStatuses(database.db, ['e1'])),
        ).toBe(1);
      } finally {
        await database.cleanup();
      }
    });

    it('enforces foreign keys', async () => {
      const database = await dialect.open();
      try {
        await expect(
          database.db
            .insertInto('rooms')
            .values({ id: 'r1', site_id: 'no-such-site', name: 'x', created_at: new Date().toISOString() })
            .execute(),
        ).rejects.toThrow();
      } finally {
        await database.cleanup();
      }
    });
  });
});
