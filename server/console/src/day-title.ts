// The heading of the Today page: it names the day it shows. "Today" said a teacher stepping
// back to Mon 7 Dec was still looking at today's lessons.
import { longDate } from './format.js';

/**
 * "Today" when no day was asked for (the server lists today at the school) or the day asked
 * for is today at the school; else that day in words, "Mon 7 Dec 2026". `todayAtSchool` is
 * null when unknown (no lesson listed to read the site's zone from): the date in words is then
 * shown, which is right on any day.
 */
export function dayTitle(asked: string | undefined, todayAtSchool: string | null): string {
  if (asked === undefined || asked === todayAtSchool) return 'Today';
  return longDate(asked) || 'Today';
}
