// Times as the school reads them: in the site's zone, never the laptop's.
const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, kind: 'time' | 'datetime' | 'date'): Intl.DateTimeFormat {
  const key = `${timeZone}|${kind}`;
  let f = cache.get(key);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions =
      kind === 'time'
        ? { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
        : kind === 'date'
          ? { timeZone, year: 'numeric', month: 'short', day: 'numeric', weekday: 'short' }
          : {
              timeZone,
              year: 'numeric',
              month: '2-digit',
              day: '2-digit',
              hour: '2-digit',
              minute: '2-digit',
              hourCycle: 'h23',
            };
    f = new Intl.DateTimeFormat('en-GB', opts);
    cache.set(key, f);
  }
  return f;
}

export const timeIn = (iso: string | null | undefined, timeZone: string): string =>
  iso ? formatter(timeZone, 'time').format(new Date(iso)) : '';
export const dateTimeIn = (iso: string | null | undefined, timeZone: string): string =>
  iso ? formatter(timeZone, 'datetime').format(new Date(iso)) : '';
/** A local calendar date (YYYY-MM-DD) as words; no zone conversion (it is already local). */
export const longDate = (date: string): string =>
  formatter('UTC', 'date').format(new Date(`${date}T12:00:00Z`));
export const percent = (rate: number | null): string => (rate === null ? '–' : `${Math.round(rate * 100)}%`);
export const score = (s: number | null): string => (s === null ? '' : s.toFixed(2));
