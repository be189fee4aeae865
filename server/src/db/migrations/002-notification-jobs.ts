// 002: the notifications outbox (server/src/notifications). Several server instances may
// run the scheduler at once, so every email is a row that exactly one instance claims
// (see notifications/jobs.ts). Never edit once shipped: add 003.
import type { Migration } from './types.js';

export const migration002: Migration = {
  version: 2,
  name: 'notification-jobs',
  async up(db) {
    await db.schema
      .createTable('notification_jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      // session_closed (plans the absence emails of one session), absence_email, teacher_digest
      .addColumn('kind', 'text', (c) => c.notNull())
      // What makes the job unique (e.g. "absence:<sessionId>:<studentId>"): planning the same
      // work twice, from two instances or two ticks, inserts nothing the second time.
      .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
      .addColumn('payload', 'text', (c) => c.notNull())
      // pending → running → sent | done | skipped | failed (running → pending again on a retry)
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('run_at', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('claim_token', 'text')
      .addColumn('locked_until', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('done_at', 'text')
      .execute();
    await db.schema
      .createIndex('notification_jobs_due')
      .on('notification_jobs')
      .columns(['status', 'run_at'])
      .execute();
  },
};
