import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects, type TestDatabase } from '../../test/databases.js';
import { backoffMs, claimJobs, enqueueJobs, failJob, finishJob, jobsDb, listJobs } from './jobs.js';

const dialects = await testDialects();
const T0 = '2026-09-07T10:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
const retry = { maxAttempts: 3, backoffBaseMs: 1000, backoffMaxMs: 4000 };

describe('backoff', () => {
  it('doubles per attempt within [half, full] and is capped', () => {
    expect(backoffMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffMs(3, 1000, 60_000, () => 1)).toBe(4000);
    expect(backoffMs(30, 1000, 60_000, () => 1)).toBe(60_000);
  });
});

describe.each(dialects)('notification jobs on $name', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    if (dialect.available) database = await dialect.open();
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  it.skipIf(!dialect.available)('migration 002 made the table with a unique dedupe key', async () => {
    const row = {
      id: 'x1',
      kind: 'absence_email' as const,
      dedupe_key: 'k-unique',
      payload: '{}',
      status: 'pending' as const,
      run_at: T0,
      attempts: 0,
      claim_token: null,
      locked_until: null,
      last_error: null,
      created_at: T0,
      updated_at: T0,
      done_at: null,
    };
    await jobsDb(database.db).insertInto('notification_jobs').values(row).execute();
    await expect(
      jobsDb(database.db)
        .insertInto('notification_jobs')
        .values({ ...row, id: 'x2' })
        .execute(),
    ).rejects.toThrow();
    await jobsDb(database.db).deleteFrom('notification_jobs').execute();
  });

  it.skipIf(!dialect.available)(
    "plans idempotently, claims once, and reclaims after a dead claimer's lease",
    async () => {
      const job = {
        kind: 'absence_email' as const,
        dedupeKey: 'absence:s@2026-09-07:st1',
        payload: { sessionId: 's@2026-09-07', studentId: 'st1' },
        runAt: T0,
      };
      expect(
        await enqueueJobs(database.db, [job, { ...job, dedupeKey: 'later', runAt: at(60_000) }], T0),
      ).toBe(2);
      expect(await enqueueJobs(database.db, [job], T0)).toBe(0);

      const [first, second] = await Promise.all([
        claimJobs(database.db, database.dialect, { now: T0, leaseMs: 30_000, limit: 10 }),
        claimJobs(database.db, database.dialect, { now: T0, leaseMs: 30_000, limit: 10 }),
      ]);
      // One claimer got the due job; the not-yet-due one stays put.
      expect([...(first ?? []), ...(second ?? [])].map((j) => j.dedupeKey)).toEqual([job.dedupeKey]);
      const claimed = [...first, ...second][0];
      if (!claimed) throw new Error('no claim');
      expect(claimed.payload).toEqual(job.payload);

      // The claimer "dies": nobody can claim during the lease, anyone can after it.
      expect(
        await claimJobs(database.db, database.dialect, { now: at(29_000), leaseMs: 30_000, limit: 10 }),
      ).toEqual([]);
      const again = await claimJobs(database.db, database.dialect, {
        now: at(31_000),
        leaseMs: 30_000,
        limit: 1,
      });
      expect(again.map((j) => [j.dedupeKey, j.attempts])).toEqual([[job.dedupeKey, 2]]);
      // The dead claimer's late "sent" no longer counts; the live one's does.
      expect(await finishJob(database.db, claimed, 'sent', at(32_000))).toBe(false);
      expect(await finishJob(database.db, again[0] as (typeof again)[0], 'sent', at(32_000))).toBe(true);
      const [row] = await listJobs(database.db, { status: 'sent', limit: 5 });
      expect(row).toMatchObject({ dedupeKey: job.dedupeKey, attempts: 2, doneAt: at(32_000) });
    },
  );

  it.skipIf(!dialect.available)('backs off on failure and fails for good at maxAttempts', async () => {
    await enqueueJobs(
      database.db,
      [{ kind: 'teacher_digest', dedupeKey: 'digest:t1:default:2026-09-07', payload: {}, runAt: T0 }],
      T0,
    );
    let now = Date.parse(T0) + 120_000;
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const [claimed] = (
        await claimJobs(database.db, database.dialect, {
          now: new Date(now).toISOString(),
          leaseMs: 30_000,
          limit: 10,
        })
      ).filter((j) => j.kind === 'teacher_digest');
      if (!claimed) break;
      outcomes.push(
        await failJob(database.db, claimed, `boom ${i}`, { now: new Date(now).toISOString(), ...retry }),
      );
      now += 10_000;
    }
    expect(outcomes).toEqual(['retry', 'retry', 'failed']);
    const [row] = await listJobs(database.db, { kind: 'teacher_digest', limit: 1 });
    expect(row).toMatchObject({ status: 'failed', attempts: 3, lastError: 'boom 2' });
  });
});
