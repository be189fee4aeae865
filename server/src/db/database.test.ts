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
});
