// The kiosk clock's difference from the server's, read off the `Date` header of the server's
// answers (why it matters: src/contracts/clock-offset.ts).

/**
 * The kiosk clock's lead over the server's (negative: behind), in ms, or null when the answer has
 * no readable `Date` header. The header has whole seconds, so the server's time when it answered
 * is taken as the middle of that second, and the kiosk's as the middle of the round trip: the
 * estimate is good to about a second plus half the round trip, far finer than the warning.
 */
export function clockOffsetMs(dateHeader: unknown, sentAtMs: number, receivedAtMs: number): number | null {
  if (typeof dateHeader !== 'string' || dateHeader.length === 0) return null;
  const serverMs = Date.parse(dateHeader);
  if (Number.isNaN(serverMs)) return null;
  return Math.round((sentAtMs + receivedAtMs) / 2 - (serverMs + 500));
}
