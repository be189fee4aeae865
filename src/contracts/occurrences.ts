// When does a class meet? The one rule of the kiosk and the server (reports, the absence
// planner, session-id checks), so that a kiosk offline and the server agree on every session.
// Pure: no Node, no DOM, no database.
//
// - A schedule has versions, each valid from/until a local date (inclusive; null = open). The
//   version in force on a date decides whether and when the class meets that day; editing a
//   timetable closes one version and opens the next, so past dates keep their old times.
// - A version meets weekly on `weekday` (0 = Sunday) or once on `date`, from `startTime` to
//   `endTime` at the site. An end at or before the start ends the next day (a late-evening class).
// - The site's calendar removes days: outside every term (when the site has terms at all) and on
//   closures (holidays, single days or ranges) there is no session, anywhere, for anyone.
// - One session can be cancelled (it still exists, flagged, so marks taken before the
//   cancellation stay visible and its report says cancelled) or moved to another date/time/room
//   (it keeps its id `${scheduleId}@${originalDate}`).
// - Arrival window: a session accepts arrivals from `arrivalMinutes` before its start until its
//   end. Arrivals after start + grace are late.
import { addDays, datesBetween, weekdayOf, type SiteClock } from './site-time.js';

/** Site default of the arrival window, when neither site nor class says otherwise. */
export const DEFAULT_ARRIVAL_MINUTES = 10;

export interface ScheduleVersion {
  /** First local date this version is in force (inclusive); null: since the schedule began. */
  validFrom: string | null;
  /** Last local date this version is in force (inclusive); null: until further notice. */
  validUntil: string | null;
  roomId: string;
  weekday: number | null;
  date: string | null;
  startTime: string;
  endTime: string;
  graceMinutes: number;
}

export interface ScheduleSpec {
  id: string;
  classId: string;
  versions: readonly ScheduleVersion[];
  /** Sessions that had ended before this instant (ISO) never happened (schedule added later). */
  createdAt?: string | null;
  /** Arrival window in minutes before start; null/undefined: the site default. */
  arrivalMinutes?: number | null;
}

export interface Term {
  id: string;
  name: string;
  startDate: string;
  endDate: string;
}
export interface Closure {
  id: string;
  name: string;
  startDate: string;
  endDate: string;
}
export interface SessionChange {
  scheduleId: string;
  /** The date the session was due on (its id's date). */
  date: string;
  kind: 'cancelled' | 'moved';
  /** Moved: the new date, times and room (each defaults to the original). */
  toDate?: string | null;
  startTime?: string | null;
  endTime?: string | null;
  roomId?: string | null;
  reason?: string | null;
}
export interface SchoolCalendar {
  terms: readonly Term[];
  closures: readonly Closure[];
  changes: readonly SessionChange[];
}

export const EMPTY_CALENDAR: SchoolCalendar = { terms: [], closures: [], changes: [] };

export interface Occurrence {
  /** `${scheduleId}@${originalDate}`: stable even when the session is moved. */
  sessionId: string;
  scheduleId: string;
  classId: string;
  /** The local date it is held on. */
  date: string;
  /** The local date it was due on (differs from `date` when moved). */
  originalDate: string;
  roomId: string;
  startTime: string;
  endTime: string;
  graceMinutes: number;
  /** UTC instants (ISO). */
  startsAt: string;
  endsAt: string;
  lateAfter: string;
  cancelled: boolean;
  /** Why it was cancelled or moved, when the admin said. */
  note: string | null;
}

export type DayOff = { kind: 'closed'; name: string } | { kind: 'no_term' };

/** Why no class meets at the site on `date`, or null on a school day. No terms at all: every day is a school day. */
export function dayOff(calendar: SchoolCalendar, date: string): DayOff | null {
  const closure = calendar.closures.find((c) => c.startDate <= date && date <= c.endDate);
  if (closure) return { kind: 'closed', name: closure.name };
  if (calendar.terms.length > 0 && !calendar.terms.some((t) => t.startDate <= date && date <= t.endDate))
    return { kind: 'no_term' };
  return null;
}

/** The version of a schedule in force on a local date. */
export function versionOn<V extends Pick<ScheduleVersion, 'validFrom' | 'validUntil'>>(
  spec: { versions: readonly V[] },
  date: string,
): V | null {
  return (
    spec.versions.find(
      (v) => (v.validFrom === null || v.validFrom <= date) && (v.validUntil === null || date <= v.validUntil),
    ) ?? null
  );
}

/** Whether a version's weekly or one-off rule falls on the date (calendar not considered). */
export function meetsOn(v: Pick<ScheduleVersion, 'weekday' | 'date'>, date: string): boolean {
  return v.date !== null ? v.date === date : v.weekday === weekdayOf(date);
}

const changeKey = (scheduleId: string, date: string) => `${scheduleId}@${date}`;

/** Looks session changes up by session id; built once per calendar. */
function changesById(calendar: SchoolCalendar): Map<string, SessionChange> {
  return new Map(calendar.changes.map((c) => [changeKey(c.scheduleId, c.date), c]));
}

function build(
  spec: ScheduleSpec,
  v: ScheduleVersion,
  originalDate: string,
  change: SessionChange | undefined,
  clock: SiteClock,
): Occurrence {
  const moved = change?.kind === 'moved';
  const date = moved ? (change.toDate ?? originalDate) : originalDate;
  const startTime = (moved ? change.startTime : null) ?? v.startTime;
  const endTime = (moved ? change.endTime : null) ?? v.endTime;
  const startsAt = clock.instantOf(date, startTime);
  // An end at or before the start is on the next day (a class from 23:30 to 00:30).
  const endsAt = clock.instantOf(endTime > startTime ? date : addDays(date, 1), endTime);
  return {
    sessionId: changeKey(spec.id, originalDate),
    scheduleId: spec.id,
    classId: spec.classId,
    date,
    originalDate,
    roomId: (moved ? change.roomId : null) ?? v.roomId,
    startTime,
    endTime,
    graceMinutes: v.graceMinutes,
    startsAt: startsAt.toISOString(),
    endsAt: endsAt.toISOString(),
    lateAfter: new Date(startsAt.getTime() + v.graceMinutes * 60_000).toISOString(),
    cancelled: change?.kind === 'cancelled',
    note: change?.reason ?? null,
  };
}

/**
 * The session a session id names, if it exists: its schedule's version on that date meets
 * that day, and the day is a school day. A cancelled session exists (flagged); a moved one
 * exists at its new date (unless that is a day off).
 */
export function occurrenceOf(
  spec: ScheduleSpec,
  calendar: SchoolCalendar,
  originalDate: string,
  clock: SiteClock,
): Occurrence | null {
  const v = versionOn(spec, originalDate);
  if (!v || !meetsOn(v, originalDate)) return null;
  const change = calendar.changes.find((c) => c.scheduleId === spec.id && c.date === originalDate);
  const o = build(spec, v, originalDate, change, clock);
  if (dayOff(calendar, o.date) !== null) return null;
  if (spec.createdAt && o.endsAt <= spec.createdAt) return null;
  return o;
}

/**
 * Every session held between two local dates (inclusive), oldest first. Cancelled sessions are
 * included (flagged) only with `includeCancelled`; moved ones are listed at their new date.
 */
export function occurrencesBetween(
  specs: readonly ScheduleSpec[],
  calendar: SchoolCalendar,
  from: string,
  to: string,
  clock: SiteClock,
  options: { includeCancelled?: boolean } = {},
): Occurrence[] {
  const changes = changesById(calendar);
  const out: Occurrence[] = [];
  const keep = (o: Occurrence | null, spec: ScheduleSpec) => {
    if (!o || o.date < from || o.date > to) return;
    if (o.cancelled && !options.includeCancelled) return;
    if (dayOff(calendar, o.date) !== null) return;
    if (spec.createdAt && o.endsAt <= spec.createdAt) return;
    out.push(o);
  };
  for (const date of datesBetween(from, to)) {
    for (const spec of specs) {
      const v = versionOn(spec, date);
      if (!v || !meetsOn(v, date)) continue;
      const change = changes.get(changeKey(spec.id, date));
      if (change?.kind === 'moved') continue; // listed at its new date below
      keep(build(spec, v, date, change, clock), spec);
    }
  }
  // Sessions moved INTO the range (their original date may lie outside it).
  const byId = new Map(specs.map((s) => [s.id, s]));
  for (const change of calendar.changes) {
    const spec = byId.get(change.scheduleId);
    if (change.kind !== 'moved' || !spec) continue;
    const v = versionOn(spec, change.date);
    if (!v || !meetsOn(v, change.date)) continue;
    keep(build(spec, v, change.date, change, clock), spec);
  }
  return out.sort((a, b) =>
    a.startsAt < b.startsAt ? -1 : a.startsAt > b.startsAt ? 1 : a.sessionId < b.sessionId ? -1 : 1,
  );
}

/**
 * Sessions whose door is open at `now`: from `arrivalMinutes` before the start until the end
 * (exclusive), not cancelled, on a school day. Newest start first: with two sessions back to
 * back in one room, the coming one is listed before the one about to end.
 */
export function openSessionsAt(
  specs: readonly ScheduleSpec[],
  calendar: SchoolCalendar,
  now: Date,
  clock: SiteClock,
  siteArrivalMinutes: number = DEFAULT_ARRIVAL_MINUTES,
): Occurrence[] {
  const today = clock.wallClockAt(now).date;
  // Yesterday for a class that runs past midnight; tomorrow for an arrival window that starts
  // before midnight; a moved session is found at its new date by occurrencesBetween.
  const t = now.getTime();
  const arrivalOf = (o: Occurrence) =>
    (specs.find((s) => s.id === o.scheduleId)?.arrivalMinutes ?? siteArrivalMinutes) * 60_000;
  return occurrencesBetween(specs, calendar, addDays(today, -1), addDays(today, 1), clock)
    .filter((o) => Date.parse(o.startsAt) - arrivalOf(o) <= t && t < Date.parse(o.endsAt))
    .sort((a, b) =>
      a.startsAt > b.startsAt ? -1 : a.startsAt < b.startsAt ? 1 : a.sessionId < b.sessionId ? -1 : 1,
    );
}

/**
 * The session a recognised student is marked in, among the open ones (openSessionsAt order):
 * the coming-or-running session they are on the list of that starts last, i.e. a student on
 * both lists of two back-to-back sessions goes to the next one, a student on one list only goes
 * to that one. Null when they are on none of the lists.
 */
export function sessionForStudent(
  open: readonly Occurrence[],
  isEnrolled: (classId: string) => boolean,
): Occurrence | null {
  return open.find((o) => isEnrolled(o.classId)) ?? null;
}

/** Whether an arrival at `at` is late for the session (strictly after start + grace). */
export const isLate = (o: Pick<Occurrence, 'lateAfter'>, at: Date): boolean =>
  at.getTime() > Date.parse(o.lateAfter);

/** A schedule with a single open version (a schedule as stored before versions existed). */
export function singleVersion(
  s: Omit<ScheduleVersion, 'validFrom' | 'validUntil'> & {
    id: string;
    classId: string;
    createdAt?: string | null;
    arrivalMinutes?: number | null;
  },
): ScheduleSpec {
  const { id, classId, createdAt, arrivalMinutes, ...v } = s;
  return {
    id,
    classId,
    createdAt: createdAt ?? null,
    arrivalMinutes: arrivalMinutes ?? null,
    versions: [{ ...v, validFrom: null, validUntil: null }],
  };
}
