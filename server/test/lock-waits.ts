// Race tests on PostgreSQL hold a transaction open and start a second one that must block on its
// lock. Waiting a fixed time for that is either slow or flaky (a busy machine takes longer to get
// there); this waits until PostgreSQL itself reports the second backend waiting on the first.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema.js';
import type { Executor } from '../src/repositories/executor.js';

/** The server process id of the connection running `trx` (call it inside the transaction). */
export async function backendPid(trx: Executor): Promise<number> {
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
  const pid = rows[0]?.pid;
  if (pid === undefined) throw new Error('pg_backend_pid() answered nothing');
  return pid;
}

/**
 * Resolves once some backend waits on a lock (`pg_stat_activity.wait_event_type = 'Lock'`) that
 * the backend `holderPid` holds; fails after `timeoutMs` saying so, or at once if `racing` (the
 * write expected to block) settles first. Only waiters blocked by that holder count
 * (`pg_blocking_pids`), so other tests or clients of the same server do not.
 */
export async function waitUntilBlockedBy(
  db: Kysely<DB>,
  holderPid: number,
  {
    racing,
    timeoutMs = 10_000,
    pollMs = 10,
  }: { racing?: Promise<unknown>; timeoutMs?: number; pollMs?: number } = {},
): Promise<void> {
  let settled = false;
  racing?.then(
    () => (settled = true),
    () => (settled = true),
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await sql<{ pid: number }>`
      select pid from pg_stat_activity
      where wait_event_type = 'Lock' and ${holderPid} = any(pg_blocking_pids(pid))
    `.execute(db);
    if (rows.length > 0) return;
    if (settled)
      throw new Error(`the racing write finished without waiting on a lock held by backend ${holderPid}`);
    if (Date.now() >= deadline)
      throw new Error(
        `no statement started waiting on a lock held by backend ${holderPid} within ${timeoutMs} ms: ` +
          'the racing write did not block on it (it finished, failed, or took no such lock)',
      );
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
