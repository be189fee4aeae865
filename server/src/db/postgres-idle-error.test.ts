// PostgreSQL may close a pooled connection while it sits idle (a restart, a failover, an
// administrator's pg_terminate_backend). pg.Pool reports that as an 'error' event; with no
// listener, Node ends the process and the whole API goes down. The pool must report it and go
// on serving with a new connection.
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { testDialects, TEST_DATABASE_URL } from '../../test/databases.js';
import { openPostgres } from './database.js';

const postgres = (await testDialects()).find((d) => d.name === 'postgres');

describe.skipIf(!postgres?.available)('a PostgreSQL connection closed while idle', () => {
  it('is reported, not fatal, and the next query runs on a new connection', async () => {
    const reported: Error[] = [];
    const database = openPostgres(TEST_DATABASE_URL, {
      poolSize: 1,
      onIdleError: (err) => reported.push(err),
    });
    try {
      const before = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db);
      const pid = before.rows[0]!.pid;

      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      try {
        await admin.query('select pg_terminate_backend($1)', [pid]);
      } finally {
        await admin.end();
      }
      await expect.poll(() => reported.length, { timeout: 10_000 }).toBe(1);
      expect(reported[0]!.message).toMatch(/terminat/i);

      const after = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db);
      expect(after.rows[0]!.pid).not.toBe(pid);
    } finally {
      await database.close();
    }
  });
});
