// Which photo file a student's `photo` template was made from, so a photo is enrolled once per
// student and face model however often its folder is imported or it is uploaded again.
//
// Why a digest of the file, and not only a comparison of faces: the digest is looked up BEFORE
// the face engine runs, so re-running an import of a whole school (thousands of photos, hundreds
// of ms each) skips what is already in at the cost of reading the files; it is exact (a new photo
// of the same child, however alike, is a new file and is added); and a unique index holds it when
// two imports race. It is not the photo: a SHA-256 cannot be turned back into an image, and
// whoever could test a photo file against it already holds the template, which tells far more.
// It goes with its template (erasure, consent withdrawal, removal) and never leaves the server
// (the kiosks' roster has no such field).
//
// Photo templates stored before the digest existed (migration 014) have none: a re-import
// recognises them by their embedding instead (the same file gives the same embedding, up to float
// noise between engine backends) and records the digest on them, once.
import { createHash } from 'node:crypto';
import { decodeEmbedding } from '../../../src/ml/embedding-codec.js';
import { isUniqueViolation } from '../db/database.js';
import type { Executor } from './executor.js';

export const photoDigest = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Cosine at or above which a digest-less photo template is taken for the same file. Two different
 * photos of one face stay well below it (even burst shots); the same file embedded by another
 * backend (native or WASM) differs in the 5th decimal.
 */
export const SAME_PHOTO_LIKENESS = 0.999;

/** The student's template of `modelId` made from the photo with this digest, if any. */
export async function templateOfPhoto(
  db: Executor,
  studentId: string,
  modelId: string,
  digest: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('templates')
    .select('id')
    .where('student_id', '=', studentId)
    .where('model_id', '=', modelId)
    .where('photo_sha256', '=', digest)
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * A photo template of the student made before digests were recorded whose embedding is this
 * one's (SAME_PHOTO_LIKENESS): it is given the digest and its id is answered, so the photo is not
 * enrolled a second time and the next import finds it by digest. Null when there is none.
 */
export async function claimUndigestedTwin(
  db: Executor,
  studentId: string,
  modelId: string,
  embedding: Float32Array,
  digest: string,
): Promise<string | null> {
  const rows = await db
    .selectFrom('templates')
    .select(['id', 'embedding'])
    .where('student_id', '=', studentId)
    .where('model_id', '=', modelId)
    .where('source', '=', 'photo')
    .where('photo_sha256', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const row of rows) {
    const stored = decodeEmbedding(row.embedding, embedding.length);
    if (!stored.ok) continue;
    let dot = 0;
    for (let i = 0; i < embedding.length; i++) dot += embedding[i]! * stored.embedding[i]!;
    if (dot < SAME_PHOTO_LIKENESS) continue;
    let claimed;
    try {
      claimed = await db
        .updateTable('templates')
        .set({ photo_sha256: digest })
        .where('id', '=', row.id)
        .where('photo_sha256', 'is', null)
        .executeTakeFirst();
    } catch (err) {
      // An earlier version may have stored this file twice (two twins). Two imports running at
      // once can then claim different twins for one digest: the unique index refuses the second,
      // and the first one's template is the answer.
      if (!isUniqueViolation(err)) throw err;
      const winner = await templateOfPhoto(db, studentId, modelId, digest);
      if (winner !== null) return winner;
      throw err;
    }
    if (Number(claimed.numUpdatedRows) === 1) return row.id;
  }
  return null;
}
