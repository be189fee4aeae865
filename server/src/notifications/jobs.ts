// The notifications outbox. Work is planned as rows (idempotent by dedupe_key) and done by
// whichever instance claims a row first:
// - PostgreSQL: UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED): concurrent claimers
//   skip each other's rows instead of waiting or double-claiming;
// - SQLite: one writer at a time, and the UPDATE with its sub-select is one statement.
// A claim carries a random token and a lease: only the claimer can finish the job, and a
// job whose instance died becomes claimable again when the lease runs out. This is
// at-least-once for that crash window (the mail went out, the "sent" did not commit); in
// every other case one email goes once.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DialectName } from '../db/database.js';
import type { DB } from '../db/schema.js';

export type JobKind = 'session_closed' | 'absence_email' | 'teacher_digest';
/** sent: the email went out; done: a planning job finished; skipped: nothing to send (any more). */
export type JobStatus = 'pending' | 'running' | 'sent' | 'done' | 'skipped' | 'failed';

/** Row type of notification_jobs (migration 002); kept here with its only user. */
export interface NotificationJobTable {
  id: string;
  kind: JobKind;
  dedupe_key: string;
  payload: string;
  status: JobStatus;
  run_at: string;
  attempts: number;
  claim_token: string | null;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  done_at: string | null;
}

export type JobsDB = DB & { notification_jobs: NotificationJobTable };
export const jobsDb = (db: Kysely<DB>): Kysely<JobsDB> =>
  db.withTables<{ notification_jobs: NotificationJobTable }>();

export interface NewJob {
  kind: JobKind;
  dedupeKey: string;
  payload: object;
  runAt: string;
}

export interface ClaimedJob {
  id: string;
  kind: JobKind;
  dedupeKey: string;
  payload: unknown;
  attempts: number;
  claimToken: string;
}

/** Inserts the jobs that do not exist yet (by dedupe key); returns how many were new. */
export async function enqueueJobs(db: Kysely<DB>, jobs: readonly NewJob[], now: string): Promise<number> {
  if (jobs.length === 0) return 0;
  const j = jobsDb(db);
  let inserted = 0;
  for (let i = 0; i < jobs.length; i += 200) {
    const rows = jobs.slice(i, i + 200).map((job): NotificationJobTable => ({
      id: randomUUID(),
      kind: job.kind,
      dedupe_key: job.dedupeKey,
      payload: JSON.stringify(job.payload),
      status: 'pending',
      run_at: job.runAt,
      attempts: 0,
      claim_token: null,
      locked_until: null,
      last_error: null,
      created_at: now,
      updated_at: now,
      done_at: null,
    }));
    const back = await j
      .insertInto('notification_jobs')
      .values(rows)
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .returning('id')
      .execute();
    inserted += back.length;
  }
  return inserted;
}

/** Dedupe keys among `keys` that already have a job (to avoid re-planning known work). */
export async function existingKeys(db: Kysely<DB>, keys: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await jobsDb(db)
      .selectFrom('notification_jobs')
      .select('dedupe_key')
      .where('dedupe_key', 'in', keys.slice(i, i + 500))
      .execute();
    rows.forEach((r) => out.add(r.dedupe_key));
  }
  return out;
}

/** Claims up to `limit` due jobs (pending and due, or running with an expired lease). */
export async function claimJobs(
  db: Kysely<DB>,
  dialect: DialectName,
  opts: { now: string; leaseMs: number; limit: number },
): Promise<ClaimedJob[]> {
  const j = jobsDb(db);
  const token = randomUUID();
  const lockedUntil = new Date(Date.parse(opts.now) + opts.leaseMs).toISOString();
  const due = j
    .selectFrom('notification_jobs')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', opts.now)]),
        eb.and([eb('status', '=', 'running'), eb('locked_until', '<', opts.now)]),
      ]),
    )
    .orderBy('run_at')
    .limit(opts.limit)
    .$if(dialect === 'postgres', (qb) => qb.forUpdate().skipLocked());
  const rows = await j
    .updateTable('notification_jobs')
    .set((eb) => ({
      status: 'running',
      claim_token: token,
      locked_until: lockedUntil,
      attempts: eb('attempts', '+', 1),
      updated_at: opts.now,
    }))
    .where('id', 'in', due)
    .returning(['id', 'kind', 'dedupe_key', 'payload', 'attempts'])
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    dedupeKey: r.dedupe_key,
    payload: safeJson(r.payload),
    attempts: Number(r.attempts),
    claimToken: token,
  }));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Ends a claimed job (sent, or skipped because there was nothing to send). False if the claim was lost. */
export async function finishJob(
  db: Kysely<DB>,
  job: ClaimedJob,
  status: 'sent' | 'done' | 'skipped',
  now: string,
  note?: string,
): Promise<boolean> {
  const res = await jobsDb(db)
    .updateTable('notification_jobs')
    .set({
      status,
      done_at: now,
      updated_at: now,
      claim_token: null,
      locked_until: null,
      last_error: note ?? null,
    })
    .where('id', '=', job.id)
    .where('claim_token', '=', job.claimToken)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Exponential backoff with jitter (half to full delay), so retries from many jobs spread out. */
export function backoffMs(
  attempts: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const full = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(full * (0.5 + random() / 2));
}

/** A failed attempt: back to pending after a backoff, or failed for good after maxAttempts. */
export async function failJob(
  db: Kysely<DB>,
  job: ClaimedJob,
  error: string,
  opts: { now: string; maxAttempts: number; backoffBaseMs: number; backoffMaxMs: number },
): Promise<'retry' | 'failed'> {
  const giveUp = job.attempts >= opts.maxAttempts;
  const runAt = new Date(
    Date.parse(opts.now) + backoffMs(job.attempts, opts.backoffBaseMs, opts.backoffMaxMs),
  ).toISOString();
  await jobsDb(db)
    .updateTable('notification_jobs')
    .set({
      status: giveUp ? 'failed' : 'pending',
      run_at: giveUp ? opts.now : runAt,
      claim_token: null,
      locked_until: null,
      last_error: error.slice(0, 1000),
      updated_at: opts.now,
      done_at: giveUp ? opts.now : null,
    })
    .where('id', '=', job.id)
    .where('claim_token', '=', job.claimToken)
    .execute();
  return giveUp ? 'failed' : 'retry';
}

/** Not an error, just too early (e.g. a kiosk has not synced yet): back to pending, the attempt not counted. */
export async function deferJob(
  db: Kysely<DB>,
  job: ClaimedJob,
  runAt: string,
  now: string,
  note: string,
): Promise<void> {
  await jobsDb(db)
    .updateTable('notification_jobs')
    .set((eb) => ({
      status: 'pending',
      run_at: runAt,
      attempts: eb('attempts', '-', 1),
      claim_token: null,
      locked_until: null,
      last_error: note,
      updated_at: now,
    }))
    .where('id', '=', job.id)
    .where('claim_token', '=', job.claimToken)
    .execute();
}

export interface JobView {
  id: string;
  kind: JobKind;
  dedupeKey: string;
  status: JobStatus;
  attempts: number;
  runAt: string;
  lastError: string | null;
  createdAt: string;
  doneAt: string | null;
}

export async function listJobs(
  db: Kysely<DB>,
  filter: { status?: JobStatus | undefined; kind?: JobKind | undefined; limit: number },
): Promise<JobView[]> {
  let q = jobsDb(db)
    .selectFrom('notification_jobs')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(filter.limit);
  if (filter.status !== undefined) q = q.where('status', '=', filter.status);
  if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    dedupeKey: r.dedupe_key,
    status: r.status,
    attempts: Number(r.attempts),
    runAt: r.run_at,
    lastError: r.last_error,
    createdAt: r.created_at,
    doneAt: r.done_at,
  }));
}

export async function countJobsByStatus(db: Kysely<DB>): Promise<Record<JobStatus, number>> {
  const rows = await jobsDb(db)
    .selectFrom('notification_jobs')
    .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  const out: Record<JobStatus, number> = { pending: 0, running: 0, sent: 0, done: 0, skipped: 0, failed: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}
