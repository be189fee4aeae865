// Sessions are derived, never stored: `${scheduleId}@${YYYY-MM-DD}` (sessionIdFor in the
// contract). A session id is valid when its schedule exists and occurs on that local date.
import type { ScheduleTable } from '../db/schema.js';

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

export function isRealDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date;
}

/** Weekday of a local calendar date (0 = Sunday): pure date arithmetic, no time zone involved. */
export const weekdayOf = (date: string): number => new Date(`${date}T00:00:00Z`).getUTCDay();

export function scheduleOccursOn(schedule: Pick<ScheduleTable, 'weekday' | 'date'>, date: string): boolean {
  if (schedule.date !== null) return schedule.date === date;
  return schedule.weekday === weekdayOf(date);
}
