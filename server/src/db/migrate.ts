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

export async function migrate(database: Database, migrations: readonly Migration[] = allMigrations): Promise<MigrateResult> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const db = database.db as unknown as Kysely<any>;
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list out of order at ${m.name}: expected version ${i + 1}`);
  });
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
    const done = await db.transaction().execute(async (trx) => {
      // Several instances may boot at once on PostgreSQL: one migrates, the others wait here
      // and then see the new version. SQLite serialises writers by itself.
      if (database.dialect === 'postgres') await sql`select pg_advisory_xact_lock(742001)`.execute(trx);
      const version = await currentVersion(trx);
      if (version > latest) throw new SchemaTooNewError(version, latest);
      if (version >= m.version) return false;
      await m.up(trx, database.dialect);
      const now = new Date().toISOString();
      if (version === 0) await trx.insertInto('schema_version').values({ id: 1, version: m.version, applied_at: now }).execute();
      else await trx.updateTable('schema_version').set({ version: m.version, applied_at: now }).where('id', '=', 1).execute();
      return true;
    });
    if (done) applied.push(`${String(m.version).padStart(3, '0')}-${m.name}`);
  }
  return { from, to: await currentVersion(db), applied };
}
