// Applies the numbered migrations in order, each in its own transaction with its version
// bump, and refuses a database written by a newer server (downgrades are not supported).
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import { migrations as allMigrations } from './migrations/index.js';
import type { Migration } from './migrations/types.js';

export class SchemaTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `database schema version ${found} is newer than this server supports (${supported}); ` +
        'upgrade the server, or restore a backup taken before the upgrade',
    );
  }
}

export interface MigrateResult {
  from: number;
  to: number;
  applied: string[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function currentVersion(db: Kysely<any>): Promise<number> {
  const row = await db.selectFrom('schema_version').select('version').where('id', '=', 1).executeTakeFirst();
  return row ? Number(row.version) : 0;
}

/** Key of the PostgreSQL advisory lock that serialises migrations across server instances. */
export const MIGRATION_LOCK_KEY = 742001;

export async function migrate(
  database: Database,
  migrations: readonly Migration[] = allMigrations,
): Promise<MigrateResult> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migration list out of order at ${m.name}: expected version ${i + 1}`);
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const db = database.db as unknown as Kysely<any>;
  if (database.dialect !== 'postgres') return migrateLocked(db, database.dialect, migrations);
  // Several instances may boot at once on PostgreSQL. The lock is taken on one connection
  // BEFORE anything is created: two concurrent `CREATE TABLE IF NOT EXISTS` on an empty
  // database race in the catalog (23505 on pg_type_typname_nsp_index). One instance migrates;
  // the others wait here and then find the schema at the latest version. A session lock (not a
  // transaction lock) so it spans every migration's own transaction; SQLite serialises writers
  // by itself.
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn);
    try {
      return await migrateLocked(conn, database.dialect, migrations);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn);
    }
  });
}

async function migrateLocked(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run before any typed schema exists
  db: Kysely<any>,
  dialect: Database['dialect'],
  migrations: readonly Migration[],
): Promise<MigrateResult> {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  await db.schema
    .createTable('schema_version')
    .ifNotExists()
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();

  const from = await currentVersion(db);
  if (from > latest) throw new SchemaTooNewError(from, latest);
  const applied: string[] = [];
  for (const m of migrations) {
    // Each migration commits with its version bump, or not at all.
    const done = await db.transaction().execute(async (trx) => {
      const version = await currentVersion(trx);
      if (version > latest) throw new SchemaTooNewError(version, latest);
      if (version >= m.version) return false;
      await m.up(trx, dialect);
      const now = new Date().toISOString();
      if (version === 0)
        await trx
          .insertInto('schema_version')
          .values({ id: 1, version: m.version, applied_at: now })
          .execute();
      else
        await trx
          .updateTable('schema_version')
          .set({ version: m.version, applied_at: now })
          .where('id', '=', 1)
          .execute();
      return true;
    });
    if (done) applied.push(`${String(m.version).padStart(3, '0')}-${m.name}`);
  }
  return { from, to: await currentVersion(db), applied };
}
