// Schemas for deleting the face templates of a retired model (DELETE /api/templates).
import { z } from 'zod';
import { ModelId } from './people.js';

/** A query-string flag: only the words `true` and `false` (z.coerce.boolean would read "false" as true). */
const QueryFlag = z.enum(['true', 'false']).transform((v) => v === 'true');

/**
 * Strict: an unknown or misspelt parameter (say `onlyIfReplaced=true` or `siteid=`) is a 400
 * rather than silently dropped, since a dropped filter would widen a deletion of biometric data.
 */
export const ModelPurgeQuery = z
  .strictObject({
    /** The retired model whose templates go. */
    modelId: ModelId,
    /** Only students of this site. */
    siteId: z.string().min(1).max(100).optional(),
    /** Only students who already have a template of this model; the others keep theirs. */
    onlyIfReplacedBy: ModelId.optional(),
    /** Count what would be deleted, delete nothing. */
    dryRun: QueryFlag.default(false),
  })
  .refine((q) => q.onlyIfReplacedBy !== q.modelId, {
    message: 'must name another model than modelId',
    path: ['onlyIfReplacedBy'],
  });

export const ModelPurgeResult = z.object({
  dryRun: z.boolean(),
  modelId: z.string(),
  siteId: z.string().nullable(),
  onlyIfReplacedBy: z.string().nullable(),
  /** Templates deleted, or in a dry run, that would be. */
  templates: z.number().int(),
  /** Students those templates belong to. */
  students: z.number().int(),
  /** Students in scope whose `modelId` templates stay: no template of `onlyIfReplacedBy` yet (0 without it). */
  studentsKept: z.number().int(),
});
