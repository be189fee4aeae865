import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openSqlite, withStatementCache } from './database.js';

describe('SQLite connection', () => {
  it('sets the pragmas the server relies on', async () => {
    const database = openSqlite(':memory:');
    try {
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(database.db);
      expect(fk.rows[0]?.foreign_keys).toBe(1);
      const timeout = await sql<{ timeout: number }>`pragma busy_timeout`.execute(database.db);
      expect(timeout.rows[0]?.timeout).toBe(5000);
    } finally {
      await database.close();
    }
  });

  it('prepares each SQL text once and evicts the least recently used', () => {
    const raw = new BetterSqlite3(':memory:');
    const cached = withStatementCache(raw, 2);
    const a = cached.prepare('select 1');
    expect(cached.prepare('select 1')).toBe(a);
    const b = cached.prepare('select 2');
    cached.prepare('select 1'); // touch: now 'select 2' is the oldest
    cached.prepare('select 3');
    expect(cached.prepare('select 1')).toBe(a);
    expect(cached.prepare('select 2')).not.toBe(b);
    // Everything else passes through to the real connection.
    expect(cached.pragma('user_version', { simple: true })).toBe(0);
    expect(cached.open).toBe(true);
    raw.close();
  });

  it('keeps working when the schema changes under a cached statement', async () => {
    const database = openSqlite(':memory:');
    try {
      await sql`create table t (a integer)`.execute(database.db);
      await sql`insert into t values (1)`.execute(database.db);
      const read = () => sql<Record<string, number>>`select * from t`.execute(database.db);
      expect((await read()).rows).toEqual([{ a: 1 }]);
      await sql`alter table t add column b integer default 2`.execute(database.db);
      expect((await read()).rows).toEqual([{ a: 1, b: 2 }]);
    } finally {
      await database.close();
    }
  });

  it('transactions take the write lock up front, so another process writing meanwhile makes us wait, not fail', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { spawn } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'rollcall-lock-'));
    const file = join(dir, 'db.sqlite');
    const a = openSqlite(file);
    try {
      await sql`create table t (n integer)`.execute(a.db);
      await sql`insert into t values (0)`.execute(a.db);
      // The other process (like the import CLI) holds the write lock for 300 ms, then bumps n.
      const other = spawn(
        process.execPath,
        [
          '-e',
          `const D = require('better-sqlite3'); const d = new D(${JSON.stringify(file)}); d.pragma('busy_timeout = 5000');
           d.exec('begin immediate'); process.stdout.write('locked\\n');
           Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
           d.exec('update t set n = n + 1'); d.exec('commit'); d.close();`,
        ],
        { cwd: join(import.meta.dirname, '../../..'), stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const exited = new Promise((resolve) => other.on('exit', resolve));
      await new Promise<void>((resolve) => other.stdout.once('data', () => resolve()));
      // Read then write in one transaction while the other process holds the lock. With a
      // deferred BEGIN the read takes a snapshot that is stale once the other commits, and the
      // write fails with SQLITE_BUSY_SNAPSHOT; with BEGIN IMMEDIATE we wait and see n = 1.
      await a.db.transaction().execute(async (trx) => {
        const row = await sql<{ n: number }>`select n from t`.execute(trx);
        await sql`update t set n = ${(row.rows[0]?.n ?? 0) + 1}`.execute(trx);
      });
      await exited;
      const final = await sql<{ n: number }>`select n from t`.execute(a.db);
      expect(final.rows[0]?.n).toBe(2);
    } finally {
      await a.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
