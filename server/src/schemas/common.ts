import { z } from 'zod';

export { ErrorBody } from '../../../src/contracts/sync.js';

export const IdParams = z.object({ id: z.string().min(1).max(100) });
export const Email = z.string().trim().toLowerCase().email().max(254);
export const Name = z.string().trim().min(1).max(200);
export const Ok = z.object({ ok: z.literal(true) });
export const Pagination = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  offset: z.coerce.number().int().min(0).default(0),
});
/** Most rows one list request returns (classes, rooms, sites, users, devices, enrolments, schedules). */
export const LIST_PAGE_MAX = 500;
/** A page of a list whose size is what admins create: capped; over the cap is 400, like `Pagination`. */
export const ListPage = z.object({
  limit: z.coerce.number().int().min(1).max(LIST_PAGE_MAX).default(LIST_PAGE_MAX),
  offset: z.coerce.number().int().min(0).default(0),
});
