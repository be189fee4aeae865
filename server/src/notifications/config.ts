// Notification settings from the environment. Merged into the server's EnvSchema (config.ts)
// so a typo fails the boot with every other variable. Without SMTP_URL nothing is sent and
// the scheduler does not start.
import { z } from 'zod';

export const AbsenceRecipients = z.enum(['guardian', 'student', 'both', 'none']);
export type AbsenceRecipients = z.infer<typeof AbsenceRecipients>;

export interface NotificationsConfig {
  /** smtp://user:pass@host:port or smtps://… (nodemailer URL). */
  smtpUrl: string;
  from: string;
  /**
   * Who gets an absence email: `guardian` (falls back to the student's own address when no
   * guardian email is on file), `student`, `both`, or `none` (digests only).
   */
  absenceRecipients: AbsenceRecipients;
  /** Minutes after a session's end before its absences are emailed (time for late corrections). */
  delayMinutes: number;
  /**
   * Kiosks work offline and push later. Absences of a session are emailed only once every
   * kiosk of its room has called the server after the session ended (so its marks are in);
   * if one stays silent this long after the end, that session's absence emails are skipped
   * (a false absence email is worse than none; the digest and reports still show it).
   */
  kioskWaitMinutes: number;
  /** How often a session waiting for its kiosks is looked at again. */
  kioskRecheckMinutes: number;
  /** Site-local HH:MM after which each teacher's digest of the day is sent; null: no digests. */
  digestTime: string | null;
  /** How often the scheduler ticks; 0 = never by itself (tests call tick()). */
  tickMs: number;
  maxAttempts: number;
  /** First retry after this, doubling per attempt (with jitter), capped at backoffMaxMs. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A claimed job whose instance died is claimable again after this. */
  leaseMs: number;
  /** Sessions that ended longer ago than this are not notified (a first start sends no history). */
  lookbackHours: number;
  /** SMTP connect/greeting timeout: a dead mail server must not hold a worker for minutes. */
  smtpTimeoutMs: number;
}

/**
 * An empty variable counts as unset: compose files pass optional settings as `${VAR:-}`,
 * which sets them to "" when the operator did not give one.
 */
export const emptyAsUnset = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const LocalTimeOrOff = z.union([
  z.literal('off'),
  z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM or off'),
]);

export const NotificationsEnvShape = {
  SMTP_URL: emptyAsUnset(z.string().refine((v) => /^smtps?:\/\//.test(v), 'must be smtp://… or smtps://…')),
  MAIL_FROM: z.string().min(3).default('Rollcall <rollcall@localhost>'),
  NOTIFY_ABSENCE_TO: AbsenceRecipients.default('guardian'),
  NOTIFY_DELAY_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(15),
  NOTIFY_KIOSK_WAIT_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(120),
  NOTIFY_DIGEST_TIME: LocalTimeOrOff.default('18:00'),
  NOTIFY_TICK_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
  NOTIFY_LOOKBACK_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 14)
    .default(24),
};

export const NotificationsEnvSchema = z.object(NotificationsEnvShape);
type NotificationsEnv = z.output<typeof NotificationsEnvSchema>;

export function notificationsConfigFromEnv(e: NotificationsEnv): NotificationsConfig | undefined {
  if (e.SMTP_URL === undefined) return undefined;
  return defaultNotificationsConfig({
    smtpUrl: e.SMTP_URL,
    from: e.MAIL_FROM,
    absenceRecipients: e.NOTIFY_ABSENCE_TO,
    delayMinutes: e.NOTIFY_DELAY_MINUTES,
    kioskWaitMinutes: e.NOTIFY_KIOSK_WAIT_MINUTES,
    digestTime: e.NOTIFY_DIGEST_TIME === 'off' ? null : e.NOTIFY_DIGEST_TIME,
    tickMs: e.NOTIFY_TICK_SECONDS * 1000,
    maxAttempts: e.NOTIFY_MAX_ATTEMPTS,
    lookbackHours: e.NOTIFY_LOOKBACK_HOURS,
  });
}

export function defaultNotificationsConfig(
  overrides: Partial<NotificationsConfig> & Pick<NotificationsConfig, 'smtpUrl'>,
): NotificationsConfig {
  return {
    from: 'Rollcall <rollcall@localhost>',
    absenceRecipients: 'guardian',
    delayMinutes: 15,
    kioskWaitMinutes: 120,
    kioskRecheckMinutes: 5,
    digestTime: '18:00',
    tickMs: 30_000,
    maxAttempts: 10,
    backoffBaseMs: 30_000,
    backoffMaxMs: 60 * 60_000,
    leaseMs: 5 * 60_000,
    lookbackHours: 24,
    smtpTimeoutMs: 10_000,
    ...overrides,
  };
}
