// The badge beside a lesson's list on Today. "Live" said a lesson that ended hours ago was
// live, because it only echoed the stream's connection. To a teacher "Live" means the lesson is
// on and the door is marking now, so it is said only while both hold: the lesson is running
// and the stream is connected. A connected stream of a lesson not running still refreshes the
// list after a correction, which "Up to date" says; the connection's troubles are said as before.
import type { LiveStatus } from './sse.js';

export interface LiveBadge {
  /** The badge's words. */
  label: string;
  /** Its look: `live` (green) only for a running lesson on a connected stream. */
  tone: 'live' | 'current' | 'connecting' | 'reconnecting' | 'stopped';
}

/** Running at `now`: started and not yet ended. */
export const isRunning = (s: { startsAt: string; endsAt: string }, now: Date): boolean => {
  const t = now.toISOString();
  return s.startsAt <= t && t < s.endsAt;
};

export function liveBadge(
  stream: LiveStatus,
  detail: string | undefined,
  session: { startsAt: string; endsAt: string; cancelled: boolean },
  now: Date,
): LiveBadge {
  switch (stream) {
    case 'live':
      return !session.cancelled && isRunning(session, now)
        ? { label: 'Live', tone: 'live' }
        : { label: 'Up to date', tone: 'current' };
    case 'connecting':
      return { label: 'Connecting…', tone: 'connecting' };
    case 'reconnecting':
      return { label: 'Reconnecting…', tone: 'reconnecting' };
    case 'stopped':
      return { label: `Stopped${detail ? `: ${detail}` : ''}`, tone: 'stopped' };
  }
}
