// Absence emails and teacher digests. Registered by buildApp when the
// config has `notifications` (SMTP_URL set). Starts the scheduler timer when the app is
// ready and stops it, waiting for a round in progress, before the app closes its database.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import { z } from 'zod';
import { ErrorBody } from '../../../src/contracts/sync.js';
import { typed } from '../routes/types.js';
import type { NotificationsConfig } from './config.js';
import { countJobsByStatus, listJobs } from './jobs.js';
import { smtpMailer, type Mailer } from './mailer.js';
import { NotificationService, type TickResult } from './service.js';

export interface NotificationsOptions {
  config: NotificationsConfig;
  /** Default: SMTP through nodemailer with config.smtpUrl. */
  mailer?: Mailer;
}

declare module 'fastify' {
  interface FastifyInstance {
    notifications: NotificationService;
  }
}

const JobStatusEnum = z.enum(['pending', 'running', 'sent', 'done', 'skipped', 'failed']);
const JobKindEnum = z.enum(['session_closed', 'absence_email', 'teacher_digest']);
const Job = z.object({
  id: z.string(),
  kind: JobKindEnum,
  dedupeKey: z.string(),
  status: JobStatusEnum,
  attempts: z.number().int(),
  runAt: z.string(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  doneAt: z.string().nullable(),
});
const Counts = z.record(JobStatusEnum, z.number().int());
const TickAnswer = z.object({
  planned: z.number(),
  sent: z.number(),
  done: z.number(),
  skipped: z.number(),
  retried: z.number(),
  failed: z.number(),
  deferred: z.number(),
});

export default fp(
  async function notifications(app: FastifyInstance, opts: NotificationsOptions) {
    const logger = app.log as unknown as Logger;
    const mailer = opts.mailer ?? smtpMailer(opts.config);
    const service = new NotificationService({
      db: app.ctx.db,
      dialect: app.ctx.dialect,
      clock: app.ctx.clock,
      config: opts.config,
      mailer,
      logger,
    });
    app.decorate('notifications', service);

    let timer: NodeJS.Timeout | undefined;
    if (opts.config.tickMs > 0) {
      app.addHook('onReady', async () => {
        timer = setInterval(() => {
          service
            .tick()
            .catch((err: unknown) =>
              logger.error({ component: 'notifications', err }, 'notification round failed'),
            );
        }, opts.config.tickMs);
        // The HTTP server keeps a running server alive; the timer alone must not.
        timer.unref();
      });
    }
    // preClose runs before onClose hooks, so the database is still open for the round in progress.
    app.addHook('preClose', async () => {
      if (timer) clearInterval(timer);
      await service.stop();
    });
    app.addHook('onClose', async () => mailer.close());

    if (app.hasDecorator('metrics')) {
      new Gauge({
        name: 'rollcall_notification_jobs',
        help: 'Notification jobs by status (from the database, shared by all instances)',
        labelNames: ['status'],
        registers: [app.metrics.registry],
        async collect() {
          const counts = await countJobsByStatus(app.ctx.db);
          for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
        },
      });
    }

    const r = typed(app);
    const admin = { onRequest: app.requireUser('admin') };
    const security = [{ user: [] }];
    const tags = ['notifications'];
    r.get(
      '/api/notifications',
      {
        ...admin,
        schema: {
          tags,
          security,
          summary: 'Notification jobs (absence emails, digests), newest first, with counts by status',
          querystring: z.object({
            status: JobStatusEnum.optional(),
            kind: JobKindEnum.optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
          }),
          response: { 200: z.object({ counts: Counts, jobs: z.array(Job) }), 401: ErrorBody, 403: ErrorBody },
        },
      },
      async (request) => ({
        counts: await countJobsByStatus(app.ctx.db),
        jobs: await listJobs(app.ctx.db, request.query),
      }),
    );
    r.post(
      '/api/notifications/run',
      {
        ...admin,
        schema: {
          tags,
          security,
          summary: 'Run one scheduler round now on this instance',
          response: { 200: TickAnswer, 401: ErrorBody, 403: ErrorBody },
        },
      },
      async (): Promise<TickResult> => service.tick(),
    );
  },
  { name: 'notifications', dependencies: ['context', 'auth'] },
);
