// Photos → templates with the same src/ml engine the kiosks use. The engine runs before
// any transaction (it takes hundreds of ms; a SQLite transaction must not wait on it).
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { EngineError, ImageInputError } from '../../../src/ml/errors.js';
import type { FaceEngine, GateFailure } from '../../../src/ml/types.js';
import type { DB } from '../db/schema.js';
import { conflict } from '../errors.js';
import { readSettings } from '../repositories/settings.js';
import { claimUndigestedTwin, photoDigest, templateOfPhoto } from '../repositories/photo-origin.js';
import { getStudent } from '../repositories/students.js';
import { storeTemplates } from '../repositories/templates.js';
import { embeddingToBase64 } from '../../../src/ml/embedding-codec.js';

/**
 * Quality gates that matter for a template. Antispoof and liveness are not applied: an
 * uploaded enrolment photo IS a photo, and it is an admin (not a passer-by) who uploads it.
 */
export const BLOCKING_GATES: readonly GateFailure[] = ['too_small', 'pose', 'blur', 'too_dark'];

/** The face a photo is of: its largest (a passer-by behind the student is smaller). */
export const largestFace = <F extends { box: readonly number[] }>(faces: readonly F[]): F | undefined =>
  [...faces].sort((a, b) => b.box[2]! * b.box[3]! - a.box[2]! * a.box[3]!)[0];

/** A photo's stop code when the face engine failed before it was embedded (ours, not the photo's). */
export const ENGINE_FAILED = 'face_engine_failed';
/**
 * The same, when the engine refused the photo because its queue was full (many uploads at once):
 * the engine works, so it is not dropped (that would fail every other upload in flight too).
 */
export const ENGINE_BUSY = 'face_engine_busy';

/** Why the engine stopped an upload or import: failed (it is dropped) or busy (it is kept). */
export type StopCode = typeof ENGINE_FAILED | typeof ENGINE_BUSY;

export type EmbedResult =
  | { ok: true; embedding: Float32Array; quality: number }
  /**
   * This photo only: no face, a poor one, bytes that are not a readable JPEG or PNG, or an error
   * of the engine's on this image (the engine works; the next photo is tried with it).
   */
  | { ok: false; reason: string; stop?: undefined }
  /**
   * Ours: the engine is unusable (crashed, exited, disposed, stuck) or busy, whatever the photo
   * is. `stop` says which; `reason` begins with it and adds the engine's words.
   */
  | { ok: false; reason: string; stop: StopCode };

/**
 * A photo's reason when the engine threw on it and is still working: a model's or tfjs's error on
 * one odd image (it crosses the worker boundary as a plain Error). Neither a decode fault nor an
 * engine down: this photo is refused and the next one is tried with the same engine; stopping
 * instead would stop every re-run at the same photo.
 */
export const ANALYSIS_FAILED = 'analysis_failed';

/** A photo that never answered: the worker is stuck (not the photo's fault, and no use waiting). */
class AnalysisTimeout extends Error {}

/**
 * How long one photo may take before the engine is given up on. A photo takes a few hundred ms
 * (a large one, or one waiting behind another admin's upload, a few seconds): a worker that has
 * not answered in a minute is stuck, and an upload waiting on it would never end.
 */
export const PHOTO_ANALYSIS_TIMEOUT_MS = 60_000;

export async function embedPhoto(
  engine: FaceEngine,
  bytes: Uint8Array,
  timeoutMs = PHOTO_ANALYSIS_TIMEOUT_MS,
): Promise<EmbedResult> {
  let analysis;
  let timer: NodeJS.Timeout | undefined;
  try {
    analysis = await Promise.race([
      engine.analyse(bytes),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new AnalysisTimeout(`no answer in ${Math.round(timeoutMs / 1000)} s`)),
          timeoutMs,
        );
      }),
    ]);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // A decode error is the photo's. An engine that crashed, exited, was disposed or hangs is
    // ours, whatever the photo: the import stops (a busy one is kept; the rest are dropped).
    // Anything else is the engine's error on this image: only this photo is refused, and never
    // as unreadable (that would send the admin looking for a fault in a good file).
    if (err instanceof ImageInputError) return { ok: false, reason: `unreadable_image: ${message}` };
    if (err instanceof EngineError && err.code === 'busy')
      return { ok: false, reason: `${ENGINE_BUSY}: ${message}`, stop: ENGINE_BUSY };
    if (err instanceof EngineError || err instanceof AnalysisTimeout)
      return { ok: false, reason: `${ENGINE_FAILED}: ${message}`, stop: ENGINE_FAILED };
    return { ok: false, reason: `${ANALYSIS_FAILED}: ${message}` };
  } finally {
    clearTimeout(timer);
  }
  const largest = largestFace(analysis.faces);
  if (!largest) return { ok: false, reason: 'no_face' };
  const blocking = largest.gateFailures.filter((g) => BLOCKING_GATES.includes(g));
  if (blocking.length > 0) return { ok: false, reason: `poor_quality: ${blocking.join(', ')}` };
  return {
    ok: true,
    embedding: largest.embedding,
    quality: Math.max(0, Math.min(1, largest.detectionScore)),
  };
}

export interface PhotoInput {
  filename: string;
  mime: string;
  bytes: Buffer;
}

interface PhotoVerdict {
  filename: string;
  templateId?: string;
  reason?: string;
}

/**
 * One photo's outcome. `duplicate`: the student already has a template of this face model from
 * this very file (repositories/photo-origin.ts); `templateId` names it and nothing was added.
 * `not_processed`: the face engine failed or was busy before this photo was embedded; `stop` says
 * which (typed: callers never read it out of `reason`, which adds the engine's words), nothing was
 * stored from it, and sending it again is safe.
 */
export type PhotoResult =
  | (PhotoVerdict & { status: 'accepted' | 'duplicate' | 'rejected'; stop?: undefined })
  | (PhotoVerdict & { status: 'not_processed'; stop: StopCode; reason: string });

/** A photo the engine never got to, for the reason it stopped at an earlier one. */
export const notProcessed = (filename: string, stop: StopCode, reason: string = stop): PhotoResult => ({
  filename,
  status: 'not_processed',
  stop,
  reason,
});

/**
 * The sentence an admin reads when the engine stopped part-way. It is honest about whose fault
 * it is, and that sending the same photos again is safe: a photo already stored is recognised by
 * its digest and answered `duplicate`, so only the ones not processed are added. `atMost`: the
 * count is an upper bound (an import counts the photos of the folders it never reached, some of
 * which it would have skipped), said as "up to".
 */
export function engineStoppedMessage(
  notProcessedCount: number,
  again: 'upload' | 'import',
  { busy = false, atMost = false }: { busy?: boolean; atMost?: boolean } = {},
): string {
  const photos =
    (atMost ? 'up to ' : '') + (notProcessedCount === 1 ? '1 photo was' : `${notProcessedCount} photos were`);
  if (busy)
    return `The face engine is busy with other uploads; ${photos} not processed. Nothing was lost: ${again} the same photos again in a minute (those already added are recognised and skipped).`;
  const rerun =
    again === 'upload'
      ? 'upload the same photos again (those already added are recognised and skipped)'
      : 'run the import again (photos already added are recognised and skipped)';
  return `The face engine stopped; ${photos} not processed. Nothing was lost: ${rerun}. If it stops again, the server log says why.`;
}

export async function assertConsent(db: Kysely<DB>, studentId: string): Promise<void> {
  const student = await getStudent(db, studentId);
  if (student.consent !== 1)
    throw conflict(
      `student ${studentId} has not consented to face recognition: no templates can be stored`,
      'no_consent',
    );
}

/**
 * Embeds one photo, stores a template from its face, keeps the photo only if the admin setting
 * says so. A photo the student already has a template from (same file, same face model) is
 * answered `duplicate` and adds nothing: looked up by the file's digest before the engine runs,
 * and, for templates made before digests were kept, by the embedding after it. A `not_processed`
 * answer means the engine is down or busy: the caller stops there (every photo after it would
 * fail the same way, and be reported as if it were its own fault).
 *
 * Callers take photos one at a time (an upload is read, an import folder is opened, one by one),
 * so the student's consent and the settings are read for each: a consent withdrawn part-way
 * stops the photos after it.
 */
export async function addPhotoTemplate(
  db: Kysely<DB>,
  engine: FaceEngine,
  studentId: string,
  photo: PhotoInput,
  now: string,
): Promise<PhotoResult> {
  await assertConsent(db, studentId);
  const digest = photoDigest(photo.bytes);
  const known = await templateOfPhoto(db, studentId, engine.modelId, digest);
  if (known !== null) return { filename: photo.filename, status: 'duplicate', templateId: known };
  const embedded = await embedPhoto(engine, photo.bytes);
  if (!embedded.ok && embedded.stop !== undefined)
    return notProcessed(photo.filename, embedded.stop, embedded.reason);
  if (!embedded.ok) return { filename: photo.filename, status: 'rejected', reason: embedded.reason };
  const twin = await claimUndigestedTwin(db, studentId, engine.modelId, embedded.embedding, digest);
  if (twin !== null) return { filename: photo.filename, status: 'duplicate', templateId: twin };
  const templateId = randomUUID();
  const [stored] = await storeTemplates(
    db,
    [
      {
        id: templateId,
        studentId,
        modelId: engine.modelId,
        embedding: embeddingToBase64(embedded.embedding),
        quality: embedded.quality,
        createdAt: now,
        photoSha256: digest,
      },
    ],
    { source: 'photo', deviceId: null, siteId: null },
    now,
  );
  if (stored?.status === 'duplicate') {
    // Another import stored this file for the student between the look-up and the insert.
    const winner = await templateOfPhoto(db, studentId, engine.modelId, digest);
    if (winner !== null) return { filename: photo.filename, status: 'duplicate', templateId: winner };
  }
  if (stored?.status !== 'accepted')
    return { filename: photo.filename, status: 'rejected', reason: stored?.reason ?? 'not_stored' };
  if ((await readSettings(db)).retainPhotos) {
    await db
      .insertInto('photos')
      .values({
        id: randomUUID(),
        student_id: studentId,
        template_id: templateId,
        mime: photo.mime,
        bytes: photo.bytes,
        created_at: now,
      })
      .execute();
  }
  return { filename: photo.filename, status: 'accepted', templateId };
}
