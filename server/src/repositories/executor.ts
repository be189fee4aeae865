import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.js';

/** Repository functions that write inside someone else's transaction take an Executor. */
export type Executor = Kysely<DB> | Transaction<DB>;

/** Split big IN lists / multi-row inserts to stay below SQLite's and PostgreSQL's parameter limits. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export const unique = <T>(items: Iterable<T>): T[] => [...new Set(items)];
