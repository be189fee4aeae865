// Both databases for tests. SQLite runs in memory; PostgreSQL runs in a fresh schema per
// call (rollcall_test_<random>, dropped at the end) so test files can run in parallel.
// PostgreSQL that cannot be reached is skipped locally but fails when REQUIRE_POSTGRES=1 (CI).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgres, openSqlite, type Database, type DialectName } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase extends Database {
  /** Closes the connection and drops what the test created. */
  cleanup(): Promise<void>;
}

export interface TestDialect {
  name: DialectName;
  available: boolean;
  /** Why it is unavailable (shown in the skip). */
  reason?: string;
  /** A fresh, migrated database. */
  open(options?: { migrated?: boolean }): Promise<TestDatabase>;
}

async function postgresReachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function withAdminClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function openTestPostgres(
  options: { migrated?: boolean; poolSize?: number } = {},
): Promise<TestDatabase & { schema: string }> {
  const schema = `rollcall_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient((c) => c.query(`create schema ${schema}`));
  const database = openPostgres(TEST_DATABASE_URL, { schema, poolSize: options.poolSize ?? 5 });
  if (options.migrated !== false) await migrate(database);
  return {
    ...database,
    schema,
    async cleanup() {
      await database.close();
      await withAdminClient((c) => c.query(`drop schema if exists ${schema} cascade`));
    },
  };
}

export async function openTestSqlite(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const database = openSqlite(':memory:');
  if (options.migrated !== false) await migrate(database);
  return { ...database, cleanup: () => database.close() };
}

/** The dialects to run data-path tests against: `describe.each(await testDialects())`. */
export async function testDialects(): Promise<TestDialect[]> {
  const problem = await postgresReachable();
  if (problem !== null && process.env.REQUIRE_POSTGRES === '1') {
    throw new Error(`REQUIRE_POSTGRES=1 but PostgreSQL at ${TEST_DATABASE_URL} is unreachable: ${problem}`);
  }
  return [
    { name: 'sqlite', available: true, open: (o) => openTestSqlite(o) },
    {
      name: 'postgres',
      available: problem === null,
      ...(problem === null ? {} : { reason: problem }),
      open: (o) => openTestPostgres(o),
    },
  ];
}
