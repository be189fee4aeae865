// The notification scheduler of one server instance: each tick plans new jobs (planner.ts),
// then claims due jobs from the shared table and does them (jobs.ts). Any number of
// instances may tick at once; the database decides who does what.
//
// Mail never blocks ingest: ticks run on a timer beside the request handlers, every SMTP
// call has short timeouts, and a failure only moves the job's run_at forward.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { DialectName } from '../db/database.js';
import type { DB } from '../db/schema.js';
import { HttpError } from '../errors.js';
import { occurrencesBetween } from '../../../src/contracts/occurrences.js';
import { SiteClock } from '../../../src/contracts/site-time.js';
import {
  enrolledOn,
  resolveSession,
  sessionReport,
  studentSessionStatus,
  type ResolvedSession,
} from '../repositories/attendance.js';
import { loadCalendar, scheduleSpecs } from '../repositories/calendar.js';
import type { SessionReport } from '../schemas/attendance.js';
import type { NotificationsConfig } from './config.js';
import { claimJobs, deferJob, enqueueJobs, failJob, finishJob, type ClaimedJob } from './jobs.js';
import type { Mailer } from './mailer.js';
import { absenceEmail, absenceRecipients, digestEmail } from './messages.js';
import { absenceKey, planClosedSessions, planDigests } from './planner.js';
import { Rounds } from '../services/rounds.js';

const SessionPayload = z.object({ sessionId: z.string().min(1) });
const AbsencePayload = z.object({ sessionId: z.string().min(1), studentId: z.string().min(1) });
const DigestPayload = z.object({
  teacherId: z.string().min(1),
  siteId: z.string().min(1),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});

export interface TickResult {
  planned: number;
  sent: number;
  done: number;
  skipped: number;
  retried: number;
  failed: number;
  /** Sessions whose absences wait for a kiosk of the room to sync. */
  deferred: number;
}

type Outcome =
  | { status: 'sent' | 'done' | 'skipped'; note?: string }
  | { status: 'deferred'; until: string; note: string };

/** How many jobs one instance takes per claim, and at most per tick (the rest wait for the next tick). */
const CLAIM_BATCH = 20;
const MAX_JOBS_PER_TICK = 500;

export class NotificationService {
  private readonly rounds = new Rounds<TickResult>(() => this.round());

  constructor(
    private readonly deps: {
      db: Kysely<DB>;
      dialect: DialectName;
      clock: Clock;
      config: NotificationsConfig;
      mailer: Mailer;
      logger: Logger;
    },
  ) {}

  /** One scheduler round; concurrent calls on this instance share the round in progress. */
  tick(): Promise<TickResult> {
    return this.rounds.run();
  }

  /** Stops taking new jobs (the job in hand finishes) and resolves when no round is running. Used on close. */
  async stop(): Promise<void> {
    await this.rounds.stop();
  }

  private async round(): Promise<TickResult> {
    const { db, clock, config } = this.deps;
    const result: TickResult = {
      planned: 0,
      sent: 0,
      done: 0,
      skipped: 0,
      retried: 0,
      failed: 0,
      deferred: 0,
    };
    if (this.rounds.stopped) return result;
    result.planned += await planClosedSessions(db, clock.now(), config);
    result.planned += await planDigests(db, clock.now(), config);
    let handled = 0;
    while (handled < MAX_JOBS_PER_TICK && !this.rounds.stopped) {
      const jobs = await claimJobs(db, this.deps.dialect, {
        now: clock.now().toISOString(),
        leaseMs: config.leaseMs,
        limit: CLAIM_BATCH,
      });
      if (jobs.length === 0) break;
      for (const job of jobs) {
        if (this.rounds.stopped) {
          // Claimed but not started when the app closes: handed back at once, not after the lease.
          const now = clock.now().toISOString();
          await deferJob(db, job, now, now, 'released at shutdown');
          continue;
        }
        handled += 1;
        await this.run(job, result);
      }
    }
    if (handled > 0 || result.planned > 0)
      this.deps.logger.info({ component: 'notifications', ...result }, 'notification round');
    return result;
  }

  private async run(job: ClaimedJob, result: TickResult): Promise<void> {
    const { db, clock, config, logger } = this.deps;
    let outcome: Outcome;
    try {
      outcome = await this.perform(job);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const next = await failJob(db, job, message, { now: clock.now().toISOString(), ...config });
      result[next === 'retry' ? 'retried' : 'failed'] += 1;
      logger.warn(
        { component: 'notifications', job: job.dedupeKey, attempts: job.attempts, err: message, next },
        next === 'retry' ? 'notification failed; will retry' : 'notification failed for good',
      );
      return;
    }
    if (outcome.status === 'deferred') {
      await deferJob(db, job, outcome.until, clock.now().toISOString(), outcome.note);
      result.deferred += 1;
      return;
    }
    const kept = await finishJob(db, job, outcome.status, clock.now().toISOString(), outcome.note);
    if (!kept)
      logger.warn(
        { component: 'notifications', job: job.dedupeKey },
        'claim lost before the job finished (lease too short?)',
      );
    result[outcome.status] += 1;
  }

  private perform(job: ClaimedJob): Promise<Outcome> {
    switch (job.kind) {
      case 'session_closed':
        return this.planAbsences(SessionPayload.parse(job.payload).sessionId);
      case 'absence_email':
        return this.sendAbsence(AbsencePayload.parse(job.payload), job.dedupeKey);
      case 'teacher_digest':
        return this.sendDigest(DigestPayload.parse(job.payload), job.dedupeKey);
      default:
        return Promise.resolve({ status: 'skipped', note: `unknown job kind ${String(job.kind)}` });
    }
  }

  /** A deleted schedule or class means there is nothing left to notify about. */
  private async session(sessionId: string): Promise<ResolvedSession | null> {
    try {
      return await resolveSession(this.deps.db, sessionId);
    } catch (err) {
      if (err instanceof HttpError && err.statusCode === 404) return null;
      throw err;
    }
  }

  private async planAbsences(sessionId: string): Promise<Outcome> {
    const { db, clock, config } = this.deps;
    if (config.absenceRecipients === 'none') return { status: 'skipped', note: 'absence emails are off' };
    const session = await this.session(sessionId);
    if (!session) return { status: 'skipped', note: 'session no longer exists (or the day is now off)' };
    if (session.occurrence.cancelled) return { status: 'skipped', note: 'session cancelled' };
    const endsAt = session.occurrence.endsAt;
    const waiting = await this.kiosksBehind(session, endsAt);
    if (waiting !== null) return waiting;
    // The session's list is the enrolments valid on its date (enrolledOn): someone enrolled after
    // it ended, or who had left, is not on it.
    const report = await sessionReport(db, session);
    const now = clock.now().toISOString();
    const absent = report.students.filter((s) => s.status === 'absent');
    const planned = await enqueueJobs(
      db,
      absent.map((s) => ({
        kind: 'absence_email' as const,
        dedupeKey: absenceKey(sessionId, s.studentId),
        payload: { sessionId, studentId: s.studentId },
        runAt: now,
      })),
      now,
    );
    return { status: 'done', note: `${planned} absence email(s) planned` };
  }

  /**
   * Kiosks work offline and push later: until every paired kiosk of the room has called the
   * server after the session ended, its marks may still be on the way. Wait (deferred), and
   * give up on the emails after kioskWaitMinutes rather than send false absences.
   */
  private async kiosksBehind(session: ResolvedSession, endsAt: string): Promise<Outcome | null> {
    const { db, clock, config } = this.deps;
    const behind = await db
      .selectFrom('devices')
      .select(['id', 'name'])
      .where('room_id', '=', session.occurrence.roomId)
      .where('revoked_at', 'is', null)
      .where('token_hash', 'is not', null)
      .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', endsAt)]))
      .execute();
    if (behind.length === 0) return null;
    const names = behind.map((d) => d.name).join(', ');
    const now = clock.now().getTime();
    const giveUpAt = Date.parse(endsAt) + config.kioskWaitMinutes * 60_000;
    if (now >= giveUpAt) {
      this.deps.logger.warn(
        { component: 'notifications', sessionId: session.sessionId, kiosks: behind.map((d) => d.id) },
        'kiosk never synced after the session; absence emails skipped',
      );
      return {
        status: 'skipped',
        note: `kiosk(s) ${names} did not sync within ${config.kioskWaitMinutes} min of the end: absence emails not sent`,
      };
    }
    const until = new Date(Math.min(giveUpAt, now + config.kioskRecheckMinutes * 60_000)).toISOString();
    return { status: 'deferred', until, note: `waiting for kiosk(s) ${names} to sync` };
  }

  private async sendAbsence(p: z.infer<typeof AbsencePayload>, key: string): Promise<Outcome> {
    const { db, config, mailer } = this.deps;
    const session = await this.session(p.sessionId);
    if (!session) return { status: 'skipped', note: 'session no longer exists (or the day is now off)' };
    if (session.occurrence.cancelled) return { status: 'skipped', note: 'session cancelled' };
    // Re-checked at send time: a correction (excused, late) made since the planning wins.
    const student = await db
      .selectFrom('students')
      .innerJoin('enrolments', 'enrolments.student_id', 'students.id')
      .select([
        'students.name',
        'students.student_number',
        'students.email',
        'students.guardian_email',
        'enrolments.created_at',
        'enrolments.valid_from',
        'enrolments.valid_until',
      ])
      .where('students.id', '=', p.studentId)
      .where('enrolments.class_id', '=', session.cls.id)
      .executeTakeFirst();
    if (!student || !enrolledOn(student, session.occurrence))
      return { status: 'skipped', note: 'student not on the class list for that session' };
    const status = await studentSessionStatus(db, p.sessionId, p.studentId);
    if (status !== 'absent') return { status: 'skipped', note: `status is now ${status}` };
    const recipients = absenceRecipients(config.absenceRecipients, student);
    if (recipients.length === 0) return { status: 'skipped', note: 'no email address on file' };
    const facts = {
      studentName: student.name,
      studentNumber: student.student_number,
      className: session.cls.name,
      date: session.occurrence.date,
      startTime: session.occurrence.startTime,
      endTime: session.occurrence.endTime,
    };
    // One message per audience (the guardian's words differ from the student's).
    for (const as of ['guardian', 'student'] as const) {
      const to = recipients.filter((r) => r.as === as).map((r) => r.address);
      if (to.length === 0) continue;
      await mailer.send({ to, ...absenceEmail(facts, as), notificationKey: `${key}:${as}` });
    }
    return { status: 'sent' };
  }

  private async sendDigest(p: z.infer<typeof DigestPayload>, key: string): Promise<Outcome> {
    const { db, mailer } = this.deps;
    const teacher = await db
      .selectFrom('users')
      .select(['email', 'name', 'disabled'])
      .where('id', '=', p.teacherId)
      .executeTakeFirst();
    if (!teacher || teacher.disabled === 1) return { status: 'skipped', note: 'teacher gone or disabled' };
    const site = await db
      .selectFrom('sites')
      .select('timezone')
      .where('id', '=', p.siteId)
      .executeTakeFirst();
    const specs = (await scheduleSpecs(db, { siteId: p.siteId })).filter((s) => s.teacherId === p.teacherId);
    const held = site
      ? occurrencesBetween(
          specs,
          await loadCalendar(db, p.siteId),
          p.date,
          p.date,
          new SiteClock(site.timezone),
        )
      : [];
    const reports: SessionReport[] = [];
    for (const o of held) {
      const session = await this.session(o.sessionId);
      if (session) reports.push(await sessionReport(db, session));
    }
    if (reports.length === 0) return { status: 'skipped', note: 'no sessions that day' };
    await mailer.send({
      to: [teacher.email],
      ...digestEmail(teacher.name, p.date, reports),
      notificationKey: key,
    });
    return { status: 'sent' };
  }
}
