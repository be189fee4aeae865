// Several server instances booting at once on an EMPTY PostgreSQL database must all come up:
// one migrates, the others wait for its advisory lock and find the schema done. Before the
// lock was taken first, `CREATE TABLE IF NOT EXISTS schema_version` raced in the catalog and
// one instance died with 23505 on pg_type_typname_nsp_index.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects, TEST_DATABASE_URL } from '../../test/databases.js';
import { openPostgres, type Database } from './database.js';
import { migrate } from './migrate.js';
import { migrations } from './migrations/index.js';

const postgres = (await testDialects()).find((d) => d.name === 'postgres');
const ROUNDS = 8;

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe.skipIf(!postgres?.available)('migrations when instances boot together on PostgreSQL', () => {
  // A database of its own for this run: nothing else (no other test file's schemas or locks
  // taken in it) and dropped at the end.
  const name = `rollcall_boot_${randomBytes(5).toString('hex')}`;
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  beforeAll(() => admin(TEST_DATABASE_URL, (c) => c.query(`create database ${name}`)));
  afterAll(() => admin(TEST_DATABASE_URL, (c) => c.query(`drop database if exists ${name} with (force)`)));

  it(`two instances on an empty database both start, ${ROUNDS} times in a row`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      // Each round starts from an empty schema that both instances use as their whole database.
      const schema = `boot_${round}`;
      await admin(url.href, (c) => c.query(`create schema ${schema}`));
      const instances: Database[] = [
        openPostgres(url.href, { schema, poolSize: 2 }),
        openPostgres(url.href, { schema, poolSize: 2 }),
      ];
      try {
        // Connections are opened first so that both instances' first migration queries leave
        // together (the worst case: every time, not 3 boots in 8).
        await Promise.all(instances.map((d) => d.db.selectNoFrom((eb) => eb.lit(1).as('one')).execute()));
        const results = await Promise.allSettled(instances.map((d) => migrate(d)));
        const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
        expect(failures, `round ${round}`).toEqual([]);
        const applied = results.map((r) => (r.status === 'fulfilled' ? r.value.applied.length : -1)).sort();
        // Exactly one instance applied every migration; the other found nothing left to do.
        expect(applied, `round ${round}`).toEqual([0, migrations.length]);
        const version = await instances[0]!.db
          .selectFrom('schema_version')
          .select('version')
          .executeTakeFirstOrThrow();
        expect(version.version).toBe(migrations.length);
      } finally {
        await Promise.all(instances.map((d) => d.close()));
      }
    }
  }, 120_000);
});
