import type { Kysely, SelectQueryBuilder, Transaction } from 'kysely';
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

/** One page of a list (`limit` rows from `offset`); the routes cap `limit`. */
export interface Page {
  limit: number;
  offset: number;
}

/** Applies a page to an ordered query; without one (internal callers) every row is read. */
export function paged<DBT, TB extends keyof DBT, O>(
  q: SelectQueryBuilder<DBT, TB, O>,
  page: Page | undefined,
): SelectQueryBuilder<DBT, TB, O> {
  return page === undefined ? q : q.limit(page.limit).offset(page.offset);
}
