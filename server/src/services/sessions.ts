// Sessions are derived, never stored: `${scheduleId}@${YYYY-MM-DD}` (sessionIdFor in the
// contract). Whether one exists is the shared rule of src/contracts/occurrences.ts.
import { isRealDate } from '../../../src/contracts/site-time.js';

export interface ParsedSessionId {
  scheduleId: string;
  date: string;
}

export function parseSessionId(sessionId: string): ParsedSessionId | null {
  const at = sessionId.lastIndexOf('@');
  if (at <= 0) return null;
  const scheduleId = sessionId.slice(0, at);
  const date = sessionId.slice(at + 1);
  if (!isRealDate(date)) return null;
  return { scheduleId, date };
}
