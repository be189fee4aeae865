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
