// Schemas of the routes the staff console added (sessions of a day, the cookie session).
// Browser-safe (zod and the contracts only): the console imports them as it imports the
// other server schemas, so a form checks exactly what the server will.
import { z } from 'zod';
import { LocalDate } from '../../../src/contracts/sync.js';
import { Password, Role } from './auth.js';
import { Email } from './common.js';

export const ConsoleSession = z.object({
  accessToken: z.string(),
  /** Seconds until the access token expires; the console refreshes a little before. */
  expiresIn: z.number().int(),
  user: z.object({ id: z.string(), email: z.string(), name: z.string(), role: Role }),
});
export type ConsoleSession = z.infer<typeof ConsoleSession>;

export const DaySession = z.object({
  sessionId: z.string(),
  date: z.string(),
  timezone: z.string(),
  class: z.object({ id: z.string(), name: z.string() }),
  room: z.object({ id: z.string(), name: z.string() }),
  startTime: z.string(),
  endTime: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  /** At the time of the request. */
  state: z.enum(['upcoming', 'current', 'over']),
  /** Cancelled in the calendar (listed with the marks it had; nobody is absent from it). */
  cancelled: z.boolean(),
  /** Moved in the calendar (to this date, time or room); the id keeps its original date. */
  moved: z.boolean(),
  /** The admin's reason for a cancellation or move, if given. */
  note: z.string().nullable(),
  /** The class is archived: its history is read-only (no corrections, cancellations or moves). */
  archived: z.boolean(),
});
export type DaySession = z.infer<typeof DaySession>;
export const DaySessionsQuery = z.object({
  /** A local date; default: today in each class's site zone. */
  date: LocalDate.optional(),
  classId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
/** How far ahead `nextDate` looks for a day with lessons (a long holiday is shorter). */
export const NEXT_LESSON_DAYS = 62;
export const DaySessions = z.object({
  /**
   * The day listed: the date asked for, else today at the sites of the listed classes (with no
   * class: today at the school's sites). Null only when those sites are in zones whose dates
   * differ at this moment.
   */
  date: LocalDate.nullable(),
  total: z.number().int(),
  sessions: z.array(DaySession),
  /** Whether the caller has any class (a teacher: of their own; an admin: at the school). */
  hasClasses: z.boolean(),
  /**
   * When the day lists no session: the first later day, within NEXT_LESSON_DAYS, on which one of
   * these classes has a lesson that is not cancelled (so the empty page can point to it); else null.
   */
  nextDate: LocalDate.nullable(),
  /**
   * When the day lists no session: the holidays and closures that cover it at these classes'
   * sites (name and days), so the empty page can say why; empty otherwise.
   */
  closures: z.array(z.object({ name: z.string(), startDate: LocalDate, endDate: LocalDate })),
  /** When the day lists no session: it is outside every term of a site that has terms. */
  outsideTerms: z.boolean(),
});
export type DaySessions = z.infer<typeof DaySessions>;

/** "Forgot password": always answers the same, whether or not the email is known. */
export const ForgotPasswordRequest = z.object({ email: Email });
/** The one-time link's token and the new password (invitation or reset). */
export const SetPasswordRequest = z.object({ token: z.string().min(20).max(200), password: Password });
