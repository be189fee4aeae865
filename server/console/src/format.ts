// Every date and time the console shows goes through here, so one rule holds on every page
// (docs/ui.md, "Dates and times in the staff console"):
// - a day is written out: "Mon 7 Dec 2026". Never 07/12/2026, which reads as 7 December in one
//   country and 12 July in another, and never the laptop's locale: staff share screenshots and
//   printouts, and one school's laptops are set up in different locales;
// - a time is on the 24-hour clock: "08:15", as timetables are written;
// - an instant (a mark, a kiosk's last call) is shown on the wall clock of the school site it
//   belongs to, never the zone of the laptop reading it.
// The names are fixed English words, not Intl's: Intl's short month names change between ICU
// versions ("Sep" or "Sept"). CSV files keep ISO dates (2026-12-07), which spreadsheets read.
import { SiteClock } from '../../../src/contracts/site-time.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const clocks = new Map<string, SiteClock>();
/** One converter per zone (building one costs tens of µs; a table formats hundreds of cells). */
function clockOf(timeZone: string): SiteClock {
  let c = clocks.get(timeZone);
  if (!c) {
    c = new SiteClock(timeZone);
    clocks.set(timeZone, c);
  }
  return c;
}

function parts(date: string): { y: number; m: number; d: number; weekday: number } | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const t = Date.UTC(y, m - 1, d);
  const check = new Date(t);
  if (check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return null;
  return { y, m, d, weekday: check.getUTCDay() };
}

/** A calendar date (YYYY-MM-DD, already the site's) in words: "Mon 7 Dec 2026". Not a date: ''. */
export function longDate(date: string | null | undefined): string {
  const p = date ? parts(date) : null;
  return p ? `${WEEKDAYS[p.weekday]} ${p.d} ${MONTHS[p.m - 1]} ${p.y}` : '';
}

/** A date without its year, for a chart's axis: "7 Dec". */
export function dayMonth(date: string): string {
  const p = parts(date);
  return p ? `${p.d} ${MONTHS[p.m - 1]}` : '';
}

/** The site's calendar date of an instant (YYYY-MM-DD), for arithmetic and links. */
export function siteDateOf(iso: string, timeZone: string): string {
  return clockOf(timeZone).wallClockAt(new Date(iso)).date;
}

/** An instant's time on the site's 24-hour clock: "08:15". */
export const timeIn = (iso: string | null | undefined, timeZone: string): string =>
  iso ? clockOf(timeZone).wallClockAt(new Date(iso)).time : '';

/** An instant's day in words, on the site's calendar: "Mon 7 Dec 2026". */
export const dateIn = (iso: string | null | undefined, timeZone: string): string =>
  iso ? longDate(siteDateOf(iso, timeZone)) : '';

/** An instant on the site's calendar and clock: "Mon 7 Dec 2026, 08:15". */
export function dateTimeIn(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '';
  const w = clockOf(timeZone).wallClockAt(new Date(iso));
  return `${longDate(w.date)}, ${w.time}`;
}

/**
 * A time as typed into a 24-hour field, as HH:MM: "8:15", "0815", "8.15" and "8" become "08:15",
 * "08:15" and "08:00". Anything else (25:00, "quarter past") comes back as typed, for the form's
 * schema to refuse in words.
 */
export function normaliseTime(text: string): string {
  const t = text.trim();
  const m = /^(\d{1,2})(?:[:.h]?(\d{2}))?$/.exec(t);
  if (!m) return t;
  const h = Number(m[1]);
  const min = m[2] === undefined ? 0 : Number(m[2]);
  if (h > 23 || min > 59) return t;
  return `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}`;
}

export const percent = (rate: number | null): string => (rate === null ? '–' : `${Math.round(rate * 100)}%`);
export const score = (s: number | null): string => (s === null ? '' : s.toFixed(2));
