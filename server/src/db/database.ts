// Opens the one database the server owns: SQLite (embedded, default) or PostgreSQL.
// Both go through kysely so the migrations and every query are written once.
import BetterSqlite3 from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import type { DB } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  dialect: DialectName;
  close(): Promise<void>;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * int8 (bigint, count(*)) comes back from pg as a string by default; our sequences stay far
 * below 2^53, so numbers are safe and make both dialects return the same types. Set on this
 * pool only, not on pg's global parser table.
 */
const pgTypes = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

/**
 * The database holds password hashes, device-token hashes and face templates: it is created
 * 0600 (and an older, wider one tightened). SQLite gives its -wal and -shm files the mode of
 * the database file, so they follow.
 */
function makePrivate(filename: string): void {
  if (filename === ':memory:' || filename === '' || filename.startsWith('file:')) return;
  closeSync(openSync(filename, 'a', 0o600));
  for (const f of [filename, `${filename}-wal`, `${filename}-shm`]) {
    if (existsSync(f)) chmodSync(f, 0o600);
  }
}

export function openSqlite(filename: string): Database {
  makePrivate(filename);
  const raw = new BetterSqlite3(filename);
  // WAL: readers never block the writer. synchronous=NORMAL is durable across process
  // crashes in WAL mode (only an OS crash may lose the last commits), chosen for ingest speed.
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  // Random UUID keys touch pages all over the indexes: a 64 MiB page cache keeps them in memory.
  raw.pragma('cache_size = -65536');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/**
 * kysely's SQLite driver prepares every query anew; an ingest batch is one 6,500-parameter
 * INSERT whose preparation alone cost ~6 ms. Statements are prepared once per SQL text and
 * reused (LRU), as better-sqlite3 intends. Safe because kysely runs one query at a time on
 * this connection and we do not stream (a statement in the middle of `iterate` is never reused).
 */
export function withStatementCache(raw: BetterSqlite3.Database, max = 256): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = (text: string): BetterSqlite3.Statement => {
    // kysely opens transactions with a plain (deferred) BEGIN. Another process on the same
    // file (the import CLI, create-admin) could then commit between our first read and first
    // write, and SQLite answers SQLITE_BUSY at once instead of waiting busy_timeout. IMMEDIATE
    // takes the write lock up front, where busy_timeout applies.
    const source = text === 'begin' ? 'begin immediate' : text;
    const hit = cache.get(source);
    if (hit) {
      cache.delete(source);
      cache.set(source, hit);
      return hit;
    }
    const statement = raw.prepare(source);
    cache.set(source, statement);
    if (cache.size > max) cache.delete(cache.keys().next().value as string);
    return statement;
  };
  return new Proxy(raw, {
    get(target, prop) {
      if (prop === 'prepare') return prepare;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export interface PostgresOptions {
  schema?: string;
  poolSize?: number;
  /**
   * An idle pooled connection that the server closes (PostgreSQL restarted, a failover, an
   * administrator's pg_terminate_backend) is reported here. pg.Pool emits it as an 'error'
   * event, and an 'error' event with no listener ends the Node process: the whole API would go
   * down for a connection the pool simply replaces on its next query.
   */
  onIdleError?: (err: Error) => void;
}

export function openPostgres(url: string, options: PostgresOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types: pgTypes,
    // Each connection starts in the configured schema (tests use one fresh schema per file).
    ...(options.schema ? { options: `-c search_path=${quoteIdent(options.schema)}` } : {}),
  });
  pool.on('error', options.onIdleError ?? reportIdleError);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

function reportIdleError(err: Error): void {
  process.emitWarning(`PostgreSQL closed an idle connection (${err.message}); the pool opens a new one`);
}

export function openDatabase(
  config: DatabaseConfig,
  options: Pick<PostgresOptions, 'onIdleError'> = {},
): Database {
  return config.kind === 'sqlite'
    ? openSqlite(config.filename)
    : openPostgres(config.url, { ...config, ...options });
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/i.test(name)) throw new Error(`invalid schema name: ${name}`);
  return name;
}

/** Cheap round trip used by GET /health. */
export async function ping(database: Database): Promise<void> {
  await sql`select 1`.execute(database.db);
}

/** A unique or primary-key constraint refused the write (PostgreSQL 23505, SQLite's codes): a race's loser. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** A foreign key refused the write (PostgreSQL 23503, SQLite's code): its row went, or is still referenced. */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
