// Which session is running in this kiosk's room right now, from the roster's schedules.
import { sessionIdFor } from '../../contracts/sync';
import type { Schedule } from '../store/index';
import { localParts, minutesOf, zonedToUtc } from './site-time';

export interface RunningSession {
  sessionId: string;
  scheduleId: string;
  classId: string;
  startsAt: string;
  endsAt: string;
  /** Arrivals after this instant are `late`. */
  lateAfter: string;
}

/**
 * A schedule is running when today (at the site) is its weekday or its date and the local
 * time is in [start, end). When two overlap (a data error upstream) the one that started
 * last wins, because that is the class whose students are now walking in.
 */
export function runningSession(schedules: readonly Schedule[], timeZone: string, now: Date): RunningSession | null {
  const local = localParts(now, timeZone);
  const running = schedules
    .filter((s) => (s.date !== null ? s.date === local.date : s.weekday === local.weekday))
    .filter((s) => minutesOf(s.startTime) <= local.minutes && local.minutes < minutesOf(s.endTime))
    .sort((a, b) => minutesOf(b.startTime) - minutesOf(a.startTime) || a.id.localeCompare(b.id));
  const s = running[0];
  if (!s) return null;
  const startsAt = zonedToUtc(local.date, s.startTime, timeZone);
  return {
    sessionId: sessionIdFor(s.id, local.date),
    scheduleId: s.id,
    classId: s.classId,
    startsAt: startsAt.toISOString(),
    endsAt: zonedToUtc(local.date, s.endTime, timeZone).toISOString(),
    lateAfter: new Date(startsAt.getTime() + s.graceMinutes * 60_000).toISOString(),
  };
}
