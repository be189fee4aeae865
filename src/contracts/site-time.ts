// Wall-clock arithmetic at a site's IANA time zone, shared by the kiosk and the server (the one
// converter of both). Schedules are written in the site's local time ("Monday 08:30"), but
// "has this session started yet?" is asked of instants. Intl only (no tz database dependency),
// DST included. Pure: no Node, no DOM.

export interface WallClock {
  /** Local calendar date, YYYY-MM-DD. */
  date: string;
  /** Local time, HH:MM (24 h). */
  time: string;
  /** Minutes since local midnight. */
  minutes: number;
  second: number;
  /** 0 = Sunday. */
  weekday: number;
  /** Milliseconds of this wall-clock reading as if it were UTC. */
  asUtcMs: number;
}

/**
 * Conversions for one site's time zone. Building an Intl formatter costs tens of µs, so a
 * report or a planner tick makes one SiteClock per site and reuses it for every session (and
 * remembers the instants it already converted: schedules share their start times).
 * Throws a RangeError for a zone this runtime does not know.
 */
export class SiteClock {
  private readonly formatter: Intl.DateTimeFormat;
  private readonly instants = new Map<string, Date>();

  constructor(readonly timeZone: string) {
    this.formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  }

  wallClockAt(instant: Date): WallClock {
    const parts: Record<string, string> = {};
    for (const p of this.formatter.formatToParts(instant)) parts[p.type] = p.value;
    const { year = '1970', month = '01', day = '01', hour = '00', minute = '00', second = '00' } = parts;
    const date = `${year}-${month}-${day}`;
    return {
      date,
      time: `${hour}:${minute}`,
      minutes: Number(hour) * 60 + Number(minute),
      second: Number(second),
      weekday: weekdayOf(date),
      asUtcMs: Date.UTC(
        Number(year),
        Number(month) - 1,
        Number(day),
        Number(hour),
        Number(minute),
        Number(second),
      ),
    };
  }

  /**
   * The UTC instant of a wall-clock time at the site. In a DST gap (02:30 that never happens)
   * this gives the instant one offset later; in the repeated hour, the first occurrence.
   */
  instantOf(date: string, time: string): Date {
    const key = `${date} ${time}`;
    const known = this.instants.get(key);
    if (known) return known;
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    const wanted = Date.UTC(y, m - 1, d, 0, minutesOf(time));
    // Offset = wall clock minus UTC at a nearby instant; two rounds settle DST transitions.
    let guess = wanted;
    for (let i = 0; i < 2; i++) {
      const offset = this.wallClockAt(new Date(guess)).asUtcMs - Math.floor(guess / 1000) * 1000;
      guess = wanted - offset;
    }
    const result = new Date(guess);
    this.instants.set(key, result);
    return result;
  }
}

export const wallClockAt = (instant: Date, timeZone: string): WallClock =>
  new SiteClock(timeZone).wallClockAt(instant);

/** The site's calendar date at an instant (YYYY-MM-DD). */
export const localDateAt = (instant: Date, timeZone: string): string => wallClockAt(instant, timeZone).date;

/** The instant at which the site's wall clock shows `date` `time` (DST-safe). */
export const instantOf = (date: string, time: string, timeZone: string): Date =>
  new SiteClock(timeZone).instantOf(date, time);

/** Minutes since midnight of an HH:MM time. */
export const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Weekday of a local calendar date (0 = Sunday): pure date arithmetic, no time zone involved. */
export const weekdayOf = (date: string): number => new Date(`${date}T00:00:00Z`).getUTCDay();

/** A YYYY-MM-DD string that names a real day (not 2026-02-30). */
export function isRealDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date;
}

/** Every calendar date from `from` to `to` inclusive (YYYY-MM-DD strings). */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end; t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** `date` moved by `days` (pure calendar arithmetic). */
export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
