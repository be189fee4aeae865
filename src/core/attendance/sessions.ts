// Which sessions are open at this kiosk's door right now, from the roster's schedules, the
// site's calendar and arrival windows. The rules themselves are the shared ones of
// contracts/occurrences.ts (the server applies the same to reports and absence emails).
import {
  DEFAULT_ARRIVAL_MINUTES,
  EMPTY_CALENDAR,
  dayOff,
  openSessionsAt,
  type DayOff,
  type Occurrence,
  type ScheduleSpec,
  type SchoolCalendar,
} from '../../contracts/occurrences.js';
import { SiteClock } from '../../contracts/site-time.js';
import { RosterCalendar } from '../../contracts/sync.js';
import type { Schedule } from '../store/index.js';

export interface RunningSession {
  sessionId: string;
  scheduleId: string;
  classId: string;
  startsAt: string;
  endsAt: string;
  /** Arrivals after this instant are `late`. */
  lateAfter: string;
}

export interface DoorContext {
  timeZone: string;
  calendar: SchoolCalendar;
  /** The site's default arrival window (minutes before start). */
  siteArrivalMinutes: number;
  /** A class's own arrival window, when it overrides the site's. */
  classArrivalMinutes: (classId: string) => number | null;
}

export const toRunning = (o: Occurrence): RunningSession => ({
  sessionId: o.sessionId,
  scheduleId: o.scheduleId,
  classId: o.classId,
  startsAt: o.startsAt,
  endsAt: o.endsAt,
  lateAfter: o.lateAfter,
});

/** A roster schedule as the shared rules see it (a schedule from a feed-1 server is one open version). */
export function specOf(s: Schedule, arrivalMinutes: number | null): ScheduleSpec {
  const versions = s.versions ?? [
    {
      validFrom: null,
      validUntil: null,
      roomId: s.roomId,
      weekday: s.weekday,
      date: s.date,
      startTime: s.startTime,
      endTime: s.endTime,
      graceMinutes: s.graceMinutes,
    },
  ];
  return { id: s.id, classId: s.classId, versions, arrivalMinutes };
}

/**
 * Sessions whose door is open in `roomId` at `now`, the coming one first (see openSessionsAt).
 * Throws a RangeError for an unknown time zone.
 */
export function openSessions(
  schedules: readonly Schedule[],
  ctx: DoorContext,
  roomId: string,
  now: Date,
): Occurrence[] {
  const specs = schedules.map((s) => specOf(s, ctx.classArrivalMinutes(s.classId)));
  return openSessionsAt(specs, ctx.calendar, now, new SiteClock(ctx.timeZone), ctx.siteArrivalMinutes).filter(
    (o) => o.roomId === roomId,
  );
}

/** Why there is no class at all today at the site (holiday, outside term), or null. */
export const dayOffAt = (ctx: DoorContext, now: Date): DayOff | null =>
  dayOff(ctx.calendar, new SiteClock(ctx.timeZone).wallClockAt(now).date);

/** The calendar kept in sync state; a missing or unreadable one is an empty calendar (no days off). */
export function storedCalendar(raw: string | null): SchoolCalendar {
  if (raw === null) return EMPTY_CALENDAR;
  try {
    const parsed = RosterCalendar.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : EMPTY_CALENDAR;
  } catch {
    return EMPTY_CALENDAR;
  }
}

export const storedArrivalMinutes = (raw: string | null): number => {
  const n = raw === null ? NaN : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : DEFAULT_ARRIVAL_MINUTES;
};
