// A @fastify/rate-limit store backed by the server's database. The plugin's default store is
// this process's memory, so with N instances behind a load balancer a client gets N× the
// limit on login, refresh and pairing. Here the counter is one row per (route, client) that
// every instance increments with one atomic upsert, so the limit holds across instances.
// Only the few rate-limited routes use it; each call costs one small write. The same counters
// (`windowCounters`) also count wrong passwords per account (services/auth.ts), one row per email,
// and the same table holds expiring per-user slots (`slotLeases`: live session streams).
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { sql, type Kysely } from 'kysely';
import type { Clock } from './clock.js';
import type { DB } from './db/schema.js';

interface RateLimitTable {
  key: string;
  count: number;
  window_start_ms: number;
}
type RateDB = DB & { rate_limits: RateLimitTable };

/** Windows that ended this long ago are deleted when a new window starts (the table stays small). */
const KEEP_EXPIRED_MS = 24 * 3_600_000;

interface StoreParams {
  /** Set by the plugin on per-route children: the route's options. */
  routeInfo?: { method?: string | string[]; url?: string };
  /** The route's `rateLimit.groupId`: routes of one group share one counter per client. */
  groupId?: string;
}

/**
 * Routes that check the same secret share one counter per client, so a second route to the same
 * check is not a second budget: signing in (the API's login and the console's), and proving
 * one's current password to change it (the API's and the console's).
 */
export const RATE_LIMIT_GROUPS = { signIn: 'sign-in', currentPassword: 'current-password' } as const;

/** A route's rate limit: `max` calls a minute per client, counted with its group's routes if it names one. */
export const perMinute = (
  max: number,
  groupId?: (typeof RATE_LIMIT_GROUPS)[keyof typeof RATE_LIMIT_GROUPS],
) => ({
  rateLimit: { max, timeWindow: '1 minute', ...(groupId === undefined ? {} : { groupId }) },
});

/** A counter per key over a fixed time window, kept in `rate_limits` so every instance shares it. */
export interface WindowCounters {
  /** Counts one more in `key`'s window (restarting a window that has run out). */
  increment(key: string, timeWindow: number): Promise<{ current: number; ttl: number }>;
  /** The count in `key`'s current window, without counting. */
  peek(key: string, timeWindow: number): Promise<{ current: number; ttl: number }>;
  /** Forgets `key`'s window. */
  reset(key: string): Promise<void>;
}

export function windowCounters(database: Kysely<DB>, clock: Clock): WindowCounters {
  const db = database.withTables<{ rate_limits: RateLimitTable }>() as Kysely<RateDB>;

  async function increment(key: string, timeWindow: number): Promise<{ current: number; ttl: number }> {
    const now = clock.now().getTime();
    // A window that has run out restarts at 1 in the same statement, so two instances
    // incrementing at once can neither lose a count nor both restart it.
    const expired = sql<boolean>`rate_limits.window_start_ms + ${timeWindow} <= ${now}`;
    const row = await db
      .insertInto('rate_limits')
      .values({ key, count: 1, window_start_ms: now })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          count: sql<number>`case when ${expired} then 1 else rate_limits.count + 1 end`,
          window_start_ms: sql<number>`case when ${expired} then ${now} else rate_limits.window_start_ms end`,
        }),
      )
      .returning(['count', 'window_start_ms'])
      .executeTakeFirstOrThrow();
    const current = Number(row.count);
    const start = Number(row.window_start_ms);
    if (current === 1)
      await db
        .deleteFrom('rate_limits')
        .where('window_start_ms', '<', now - KEEP_EXPIRED_MS)
        .execute();
    return { current, ttl: Math.max(0, start + timeWindow - now) };
  }

  async function peek(key: string, timeWindow: number): Promise<{ current: number; ttl: number }> {
    const now = clock.now().getTime();
    const row = await db
      .selectFrom('rate_limits')
      .select(['count', 'window_start_ms'])
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row || Number(row.window_start_ms) + timeWindow <= now) return { current: 0, ttl: 0 };
    return { current: Number(row.count), ttl: Number(row.window_start_ms) + timeWindow - now };
  }

  async function reset(key: string): Promise<void> {
    await db.deleteFrom('rate_limits').where('key', '=', key).execute();
  }

  return { increment, peek, reset };
}

/** One held slot: its row, and the time it was last claimed or renewed (which proves it is still ours). */
export interface SlotLease {
  readonly key: string;
  stamp: number;
}

/**
 * At most `limit` slots per owner at once, across every instance: each slot is a `rate_limits`
 * row (`<kind>\n<owner>\n<slot number>`) whose window start is its last renewal. A holder
 * renews well within `ttlMs`; a slot not renewed for `ttlMs` (its instance crashed, or froze) is
 * free again, so a lost instance cannot keep an owner's slots for longer than that.
 */
export interface SlotLeases {
  /** A free slot of `owner`'s, or null when all `limit` are held. */
  claim(owner: string, limit: number): Promise<SlotLease | null>;
  /** Keeps the slot another `ttlMs`; false when it expired and was claimed again (it is no longer ours). */
  renew(lease: SlotLease): Promise<boolean>;
  release(lease: SlotLease): Promise<void>;
}

export function slotLeases(database: Kysely<DB>, clock: Clock, kind: string, ttlMs: number): SlotLeases {
  const db = database.withTables<{ rate_limits: RateLimitTable }>() as Kysely<RateDB>;

  async function claim(owner: string, limit: number): Promise<SlotLease | null> {
    for (let slot = 0; slot < limit; slot++) {
      const key = `${kind}\n${owner}\n${slot}`;
      const now = clock.now().getTime();
      // Taken only if free or expired, in one statement: two instances cannot both take it.
      const row = await db
        .insertInto('rate_limits')
        .values({ key, count: 1, window_start_ms: now })
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({ count: 1, window_start_ms: now })
            .where(sql<boolean>`rate_limits.window_start_ms + ${ttlMs} <= ${now}`),
        )
        .returning('window_start_ms')
        .executeTakeFirst();
      if (row) return { key, stamp: now };
    }
    return null;
  }

  async function renew(lease: SlotLease): Promise<boolean> {
    const now = clock.now().getTime();
    const result = await db
      .updateTable('rate_limits')
      .set({ window_start_ms: now })
      .where('key', '=', lease.key)
      .where('window_start_ms', '=', lease.stamp)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    lease.stamp = now;
    return true;
  }

  async function release(lease: SlotLease): Promise<void> {
    await db
      .deleteFrom('rate_limits')
      .where('key', '=', lease.key)
      .where('window_start_ms', '=', lease.stamp)
      .execute();
  }

  return { claim, renew, release };
}

export function databaseRateLimitStore(database: Kysely<DB>, clock: Clock): FastifyRateLimitStoreCtor {
  const { increment, peek } = windowCounters(database, clock);

  class DatabaseRateLimitStore implements FastifyRateLimitStore {
    private readonly scope: string;

    constructor(params: StoreParams = {}) {
      const method = params.routeInfo?.method;
      this.scope =
        params.groupId !== undefined
          ? `group ${params.groupId}`
          : params.routeInfo?.url === undefined
            ? '*'
            : `${Array.isArray(method) ? method.join(',') : (method ?? '*')} ${params.routeInfo.url}`;
    }

    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      increment(`${this.scope}\n${key}`, timeWindow).then(
        (result) => callback(null, result),
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
      );
    }

    read(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      peek(`${this.scope}\n${key}`, timeWindow).then(
        (result) => callback(null, result),
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
      );
    }

    child(routeOptions: unknown): FastifyRateLimitStore {
      return new DatabaseRateLimitStore(routeOptions as StoreParams);
    }
  }
  return DatabaseRateLimitStore as unknown as FastifyRateLimitStoreCtor;
}
