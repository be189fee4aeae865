// Request bodies of the calendar routes (routes/calendar.ts), browser-safe so the staff
// console validates its forms with the same rules.
import { z } from 'zod';
import { LocalDate, LocalTime } from '../../../src/contracts/sync.js';
import { Name } from './common.js';

export const DateRange = z.object({ name: Name, startDate: LocalDate, endDate: LocalDate });
export const Cancel = z.object({ reason: z.string().trim().max(500).optional() });
export const Move = z.object({
  toDate: LocalDate.optional(),
  startTime: LocalTime.optional(),
  endTime: LocalTime.optional(),
  roomId: z.string().min(1).optional(),
  reason: z.string().trim().max(500).optional(),
});
