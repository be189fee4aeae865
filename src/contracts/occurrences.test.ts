import { describe, expect, it } from 'vitest';
import {
  dayOff,
  isLate,
  occurrenceOf,
  occurrencesBetween,
  openSessionsAt,
  sessionForStudent,
  singleVersion,
  versionOn,
  EMPTY_CALENDAR,
  type SchoolCalendar,
  type ScheduleSpec,
} from './occurrences.js';
import { SiteClock } from './site-time.js';

// 2026-03-02 is a Monday. Europe/Paris is UTC+1 in winter: 09:00 local = 08:00Z.
const paris = new SiteClock('Europe/Paris');
const weekly = (
  id: string,
  weekday: number,
  startTime: string,
  endTime: string,
  over: Partial<ScheduleSpec> = {},
): ScheduleSpec => ({
  ...singleVersion({
    id,
    classId: id,
    roomId: 'r1',
    weekday,
    date: null,
    startTime,
    endTime,
    graceMinutes: 10,
  }),
  ...over,
});
const at = (iso: string) => new Date(iso);
const open = (specs: ScheduleSpec[], iso: string, calendar: SchoolCalendar = EMPTY_CALENDAR, clock = paris) =>
  openSessionsAt(specs, calendar, at(iso), clock, 10).map((o) => o.sessionId);

describe('arrival window (site default 10 min, per-class override)', () => {
  const maths = weekly('maths', 1, '09:00', '10:00');

  it('opens exactly arrival-minutes before the start and closes at the end (exclusive)', () => {
    expect(open([maths], '2026-03-02T07:49:59Z')).toEqual([]);
    expect(open([maths], '2026-03-02T07:50:00Z')).toEqual(['maths@2026-03-02']);
    expect(open([maths], '2026-03-02T08:59:59Z')).toEqual(['maths@2026-03-02']);
    expect(open([maths], '2026-03-02T09:00:00Z')).toEqual([]);
  });

  it('early and on-time arrivals are present up to start + grace inclusive, late after', () => {
    const [o] = openSessionsAt([maths], EMPTY_CALENDAR, at('2026-03-02T07:55:00Z'), paris, 10);
    expect(o?.lateAfter).toBe('2026-03-02T08:10:00.000Z');
    expect(isLate(o!, at('2026-03-02T07:55:00Z'))).toBe(false); // early
    expect(isLate(o!, at('2026-03-02T08:00:00Z'))).toBe(false); // exactly at start
    expect(isLate(o!, at('2026-03-02T08:10:00Z'))).toBe(false); // exactly at the late cut-off
    expect(isLate(o!, at('2026-03-02T08:10:00.001Z'))).toBe(true);
  });

  it('a class may override the site window, and the site default can be changed', () => {
    const wide = { ...maths, arrivalMinutes: 20 };
    expect(open([wide], '2026-03-02T07:40:00Z')).toEqual(['maths@2026-03-02']);
    expect(openSessionsAt([maths], EMPTY_CALENDAR, at('2026-03-02T07:55:00Z'), paris, 0)).toEqual([]);
    expect(
      openSessionsAt(
        [{ ...maths, arrivalMinutes: 0 }],
        EMPTY_CALENDAR,
        at('2026-03-02T08:00:00Z'),
        paris,
        10,
      ),
    ).toHaveLength(1);
  });
});

describe('back-to-back sessions in one room', () => {
  const first = weekly('first', 1, '09:00', '10:00');
  const next = weekly('next', 1, '10:00', '11:00');
  const lists: Record<string, string[]> = {
    both: ['first', 'next'],
    onlyFirst: ['first'],
    onlyNext: ['next'],
    neither: [],
  };
  const target = (student: string, iso: string) =>
    sessionForStudent(openSessionsAt([first, next], EMPTY_CALENDAR, at(iso), paris, 10), (c) =>
      (lists[student] ?? []).includes(c),
    )?.sessionId ?? null;

  it('in the overlap a student on both lists goes to the next one; on one list, to that one', () => {
    const overlap = '2026-03-02T08:55:00Z'; // 09:55 local: first runs, next's door is open
    expect(open([first, next], overlap)).toEqual(['next@2026-03-02', 'first@2026-03-02']);
    expect(target('both', overlap)).toBe('next@2026-03-02');
    expect(target('onlyFirst', overlap)).toBe('first@2026-03-02');
    expect(target('onlyNext', overlap)).toBe('next@2026-03-02');
    expect(target('neither', overlap)).toBeNull();
  });

  it('before the overlap everyone goes to the running one; at its end only the next remains', () => {
    expect(target('both', '2026-03-02T08:49:59Z')).toBe('first@2026-03-02');
    expect(target('onlyNext', '2026-03-02T08:49:59Z')).toBeNull();
    expect(target('onlyFirst', '2026-03-02T09:00:00Z')).toBeNull(); // first ended exactly now
    expect(target('both', '2026-03-02T09:00:00Z')).toBe('next@2026-03-02');
  });
});

describe('midnight and DST at the site', () => {
  it("an arrival window that starts before midnight belongs to the next day's session", () => {
    const early = weekly('early', 2, '00:05', '01:00'); // Tuesday 00:05
    expect(open([early], '2026-03-02T22:54:59Z')).toEqual([]); // Monday 23:54:59
    expect(open([early], '2026-03-02T22:55:00Z')).toEqual(['early@2026-03-03']); // Monday 23:55
  });

  it('a class that runs past midnight ends the next day and keeps its start date', () => {
    const night = weekly('night', 1, '23:30', '00:30');
    expect(open([night], '2026-03-02T23:15:00Z')).toEqual(['night@2026-03-02']); // Tuesday 00:15
    expect(open([night], '2026-03-02T23:30:00Z')).toEqual([]); // Tuesday 00:30: ended
  });

  it('computes the window in instants across the spring DST change (Europe/Paris, 2026-03-29)', () => {
    // Sunday 03:05 CEST = 01:05Z; the window opens 10 min earlier in real time, 00:55Z, which
    // the wall clock shows as 01:55 CET (02:00-03:00 never happens that night).
    const sunday = weekly('sunday', 0, '03:05', '04:00');
    expect(open([sunday], '2026-03-29T00:54:59Z')).toEqual([]);
    expect(open([sunday], '2026-03-29T00:55:00Z')).toEqual(['sunday@2026-03-29']);
    const [o] = openSessionsAt([sunday], EMPTY_CALENDAR, at('2026-03-29T01:00:00Z'), paris, 10);
    expect(o).toMatchObject({
      startsAt: '2026-03-29T01:05:00.000Z',
      endsAt: '2026-03-29T02:00:00.000Z',
      lateAfter: '2026-03-29T01:15:00.000Z',
    });
    // Monday after: 09:00 is now 07:00Z.
    const [monday] = openSessionsAt(
      [weekly('m', 1, '09:00', '10:00')],
      EMPTY_CALENDAR,
      at('2026-03-30T07:00:00Z'),
      paris,
      10,
    );
    expect(monday?.startsAt).toBe('2026-03-30T07:00:00.000Z');
  });

  it('and across the autumn change (2026-10-25): the repeated hour does not double the session', () => {
    const sunday = weekly('sunday', 0, '09:00', '10:00');
    const list = occurrencesBetween([sunday], EMPTY_CALENDAR, '2026-10-24', '2026-10-26', paris);
    expect(list.map((o) => [o.sessionId, o.startsAt])).toEqual([
      ['sunday@2026-10-25', '2026-10-25T08:00:00.000Z'],
    ]);
  });
});

describe('calendar', () => {
  const maths = weekly('maths', 1, '09:00', '10:00');
  const calendar: SchoolCalendar = {
    terms: [{ id: 't1', name: 'Spring', startDate: '2026-01-05', endDate: '2026-03-27' }],
    closures: [
      { id: 'h1', name: 'Winter break', startDate: '2026-02-16', endDate: '2026-02-20' },
      { id: 'h2', name: 'Staff day', startDate: '2026-03-09', endDate: '2026-03-09' },
    ],
    changes: [
      { scheduleId: 'maths', date: '2026-03-16', kind: 'cancelled', reason: 'trip' },
      {
        scheduleId: 'maths',
        date: '2026-03-23',
        kind: 'moved',
        toDate: '2026-03-24',
        startTime: '14:00',
        endTime: '15:00',
        roomId: 'r2',
      },
    ],
  };

  it('knows days off: closures (days and ranges) and days outside every term', () => {
    expect(dayOff(calendar, '2026-02-18')).toEqual({ kind: 'closed', name: 'Winter break' });
    expect(dayOff(calendar, '2026-03-09')).toEqual({ kind: 'closed', name: 'Staff day' });
    expect(dayOff(calendar, '2026-03-30')).toEqual({ kind: 'no_term' });
    expect(dayOff(calendar, '2026-03-02')).toBeNull();
    expect(dayOff(EMPTY_CALENDAR, '2026-12-25')).toBeNull(); // no terms at all: every day counts
  });

  it('lists no session on a day off, flags cancelled ones and moves moved ones (same id)', () => {
    const list = occurrencesBetween([maths], calendar, '2026-02-09', '2026-03-31', paris, {
      includeCancelled: true,
    });
    expect(
      list.map(
        (o) => `${o.sessionId} ${o.date} ${o.startTime} ${o.roomId}${o.cancelled ? ' cancelled' : ''}`,
      ),
    ).toEqual([
      'maths@2026-02-09 2026-02-09 09:00 r1',
      // 02-16 winter break, 03-09 staff day
      'maths@2026-02-23 2026-02-23 09:00 r1',
      'maths@2026-03-02 2026-03-02 09:00 r1',
      'maths@2026-03-16 2026-03-16 09:00 r1 cancelled',
      'maths@2026-03-23 2026-03-24 14:00 r2',
      // 03-30 is after the term
    ]);
    expect(occurrencesBetween([maths], calendar, '2026-03-16', '2026-03-16', paris)).toEqual([]);
    expect(occurrenceOf(maths, calendar, '2026-03-23', paris)?.date).toBe('2026-03-24');
    expect(occurrenceOf(maths, calendar, '2026-03-09', paris)).toBeNull();
    expect(occurrenceOf(maths, calendar, '2026-03-16', paris)?.cancelled).toBe(true);
  });

  it('the door is shut on a holiday and for a cancelled session, open for a moved one at its new time', () => {
    expect(open([maths], '2026-03-09T08:05:00Z', calendar)).toEqual([]);
    expect(open([maths], '2026-03-16T08:05:00Z', calendar)).toEqual([]);
    expect(open([maths], '2026-03-23T08:05:00Z', calendar)).toEqual([]);
    expect(open([maths], '2026-03-24T13:05:00Z', calendar)).toEqual(['maths@2026-03-23']);
  });
});

describe('schedule versions', () => {
  const edited: ScheduleSpec = {
    id: 'maths',
    classId: 'maths',
    versions: [
      {
        validFrom: null,
        validUntil: '2026-03-08',
        roomId: 'r1',
        weekday: 1,
        date: null,
        startTime: '09:00',
        endTime: '10:00',
        graceMinutes: 10,
      },
      {
        validFrom: '2026-03-09',
        validUntil: null,
        roomId: 'r1',
        weekday: 2,
        date: null,
        startTime: '13:00',
        endTime: '14:00',
        graceMinutes: 5,
      },
    ],
  };

  it('each date uses the version in force on it', () => {
    expect(versionOn(edited, '2026-03-08')?.startTime).toBe('09:00');
    expect(versionOn(edited, '2026-03-09')?.startTime).toBe('13:00');
    const list = occurrencesBetween([edited], EMPTY_CALENDAR, '2026-03-01', '2026-03-17', paris);
    expect(list.map((o) => `${o.sessionId} ${o.startTime}`)).toEqual([
      'maths@2026-03-02 09:00',
      'maths@2026-03-10 13:00',
      'maths@2026-03-17 13:00',
    ]);
  });

  it('a session never happened before its schedule was created', () => {
    const late = { ...weekly('maths', 1, '09:00', '10:00'), createdAt: '2026-03-02T08:30:00.000Z' };
    expect(
      occurrencesBetween([late], EMPTY_CALENDAR, '2026-03-02', '2026-03-09', paris).map((o) => o.sessionId),
    ).toEqual(['maths@2026-03-02', 'maths@2026-03-09']);
    expect(
      occurrencesBetween(
        [{ ...late, createdAt: '2026-03-02T09:00:00.000Z' }],
        EMPTY_CALENDAR,
        '2026-03-02',
        '2026-03-09',
        paris,
      ).map((o) => o.sessionId),
    ).toEqual(['maths@2026-03-09']);
  });
});
