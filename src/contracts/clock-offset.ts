// A kiosk clock's difference from its server's, as the kiosk's Sync screen and the console put
// it. The kiosk decides by its own clock which lesson is running and when an arrival is late, and
// the server refuses marks for lessons whose door has not opened by its clock plus ten minutes;
// a kiosk whose clock is off (no network time, a flat clock battery, a wrong time zone set on the
// machine) marks students into the wrong lesson or has its marks refused, without a word. The
// sync client measures the difference on every contact (src/sync/clock-offset.ts).

/** From this difference on, the kiosk's Sync screen and the console warn: marks are judged to the minute. */
export const CLOCK_WARNING_MS = 2 * 60_000;

/** Whether an offset is large enough to warn about. */
export const clockIsOff = (offsetMs: number | null | undefined): offsetMs is number =>
  typeof offsetMs === 'number' && Math.abs(offsetMs) >= CLOCK_WARNING_MS;

/** "12 minutes fast", "1 hour 5 minutes slow": how an admin reads an offset. */
export function describeClockOffset(offsetMs: number): string {
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const size =
    hours === 0
      ? unit(minutes, 'minute')
      : rest === 0
        ? unit(hours, 'hour')
        : `${unit(hours, 'hour')} ${unit(rest, 'minute')}`;
  return `${size} ${offsetMs > 0 ? 'fast' : 'slow'}`;
}
