// The Time column of a lesson's list: when the door saw the student, or, for a mark changed by
// hand, when the correction was made, said as such. A bare "10:30" on a correction typed the next
// morning read as the student's arrival time in yesterday's lesson.
import { dateTimeIn, siteDateOf, timeIn } from './format.js';

export function markTime(
  row: { markedAt: string | null; decidedBy: 'mark' | 'manual' | 'none' },
  lessonDate: string,
  timeZone: string,
): string {
  if (row.markedAt === null) return '';
  if (row.decidedBy !== 'manual') return timeIn(row.markedAt, timeZone);
  return siteDateOf(row.markedAt, timeZone) === lessonDate
    ? `corrected ${timeIn(row.markedAt, timeZone)}`
    : `corrected ${dateTimeIn(row.markedAt, timeZone)}`;
}
