// Wall-clock arithmetic at the site's IANA time zone, with Intl only (no tz library):
// schedules are written in local time, the kiosk's clock is an instant.

export interface LocalParts {
  date: string; // YYYY-MM-DD
  time: string; // HH:MM
  minutes: number; // minutes since local midnight
  weekday: number; // 0 = Sunday
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function formatter(timeZone: string) {
  return new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
}

/** Throws a RangeError for an unknown zone, which callers turn into a clear status. */
export function localParts(at: Date, timeZone: string): LocalParts & { second: number } {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(at).map((p) => [p.type, p.value]));
  const hour = Number(parts.hour), minute = Number(parts.minute);
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`,
    minutes: hour * 60 + minute,
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ''),
  };
}

export const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** The instant at which the site's wall clock shows `date` `hh:mm` (DST-safe to the minute). */
export function zonedToUtc(date: string, hhmm: string, timeZone: string): Date {
  const [y, mo, d] = date.split('-').map(Number);
  const wall = Date.UTC(y ?? 1970, (mo ?? 1) - 1, d ?? 1, 0, minutesOf(hhmm));
  let guess = wall;
  // Two rounds of "how far off is the wall clock at my guess" converge across DST changes.
  for (let i = 0; i < 2; i++) {
    const p = localParts(new Date(guess), timeZone);
    const [py, pm, pd] = p.date.split('-').map(Number);
    const shown = Date.UTC(py ?? 1970, (pm ?? 1) - 1, pd ?? 1, 0, p.minutes) + p.second * 1000;
    guess += wall - shown;
  }
  return new Date(guess);
}
