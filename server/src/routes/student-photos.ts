// POST /api/students/:id/photos (admin): enrolment photos → face templates, read one at a time
// (photo-upload.ts) and embedded with the src/ml engine (services/photo-templates.ts).
//
// The only route that reads multipart: this plugin registers the parser in its own scope, with
// the limits of one photo upload, so every other route answers a multipart body 415 as it does
// any type it does not read.
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ErrorBody } from '../../../src/contracts/sync.js';
import type { FaceEngine } from '../../../src/ml/types.js';
import { badRequest, HttpError } from '../errors.js';
import { userOf } from '../plugins/auth.js';
import { writeAudit } from '../repositories/audit.js';
import { IdParams } from '../schemas/common.js';
import {
  addPhotoTemplate,
  ANALYSIS_FAILED,
  assertConsent,
  ENGINE_BUSY,
  ENGINE_FAILED,
  engineStoppedMessage,
  notProcessed,
  type PhotoResult,
  type StopCode,
} from '../services/photo-templates.js';
import { assertUploadLength, photosOneByOne, photoUploadLimits, PHOTOS_PER_UPLOAD } from './photo-upload.js';
import { typed, type RoutePlugin } from './types.js';

const PhotoResults = z.object({
  results: z.array(
    z.object({
      filename: z.string(),
      /**
       * `duplicate`: this student already has a template from this very file; `templateId` names
       * it. `not_processed`: the face engine failed or was busy before this photo (`stop`
       * `face_engine_failed` or `face_engine_busy`; `reason` begins with it); nothing was stored
       * from it.
       */
      status: z.enum(['accepted', 'duplicate', 'rejected', 'not_processed']),
      templateId: z.string().optional(),
      reason: z.string().optional(),
      /** Only on `not_processed`: why the engine stopped, as a code (never read out of `reason`). */
      stop: z.enum([ENGINE_FAILED, ENGINE_BUSY]).optional(),
    }),
  ),
});
/**
 * A limit crossed part-way (413): `results` are the photos handled before it (stored as they
 * say). The face engine failed or was busy part-way (503): `results` also list the photos not
 * processed.
 */
const PhotoUploadRefused = ErrorBody.extend({ results: PhotoResults.shape.results.optional() });

/** A refusal's code: its reason up to the first colon (`poor_quality: blur` → `poor_quality`). */
const refusalCode = (reason: string | undefined) => reason?.split(':', 1)[0] ?? 'unknown';

const countBy = (codes: readonly string[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const code of codes) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
};

const studentPhotos: RoutePlugin = async (app) => {
  const admin = { onRequest: app.requireUser('admin') };
  const security = [{ user: [] }];
  const tags = ['students'];

  /**
   * Adding biometric data leaves the same trail as removing it (template.delete): who, whose,
   * which templates. File names stay out (they can be anything an admin's disk held), and so do
   * the refusals' words: `rejectedFor` counts them by code (`no_face`, `poor_quality`, …), so the
   * log can say why photos were refused without keeping what an engine's error quoted.
   */
  async function auditPhotos(
    request: FastifyRequest,
    studentId: string,
    modelId: string,
    results: PhotoResult[],
  ) {
    const user = userOf(request);
    const rejected = results.filter((x) => x.status === 'rejected');
    await writeAudit(
      app.ctx.db,
      {
        actor: { kind: 'user', id: user.id },
        action: 'students.photos',
        entity: 'student',
        entityId: studentId,
        detail: {
          modelId,
          accepted: results.filter((x) => x.status === 'accepted').map((x) => x.templateId),
          duplicate: results.filter((x) => x.status === 'duplicate').length,
          rejected: rejected.length,
          rejectedFor: countBy(rejected.map((x) => refusalCode(x.reason))),
          notProcessed: results.filter((x) => x.status === 'not_processed').length,
        },
      },
      app.ctx.nowIso(),
    );
  }

  await app.register(multipart, { limits: photoUploadLimits(app.ctx.config.photoLimitBytes) });
  typed(app).post(
    '/api/students/:id/photos',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Upload photos (multipart, one or more image files): each usable face becomes a template',
        description: `The photos are read and embedded one at a time with the src/ml engine, and discarded unless the retainPhotos setting is on. A file the student already has a template from (same face model) is answered \`duplicate\` and adds nothing. 409 when the student has not consented. At most ${PHOTOS_PER_UPLOAD} photos of at most PHOTO_LIMIT_BYTES each: a body declaring more is 413 before it is read; a photo over the limit, or a file beyond the count, is 413 when it arrives, with \`results\` for the photos handled before it (stored as they say; the rest were not read). A photo the engine could not analyse (its error on that image) is \`rejected\` as \`analysis_failed\` and the upload goes on. When the face engine fails part-way (its worker crashed or exited, no answer for a photo within a minute, or it could not start): 503 \`face_engine_failed\` with \`results\`, the photos from there on \`not_processed\` with that \`stop\` code (nothing stored from them; sending the upload again adds only those). When it is busy with other uploads (its queue full): 503 \`face_engine_busy\` in the same way, the photos from there on \`not_processed\` with \`stop\` \`face_engine_busy\`; it works, so send them again in a minute.`,
        consumes: ['multipart/form-data'],
        params: IdParams,
        response: {
          200: PhotoResults,
          400: ErrorBody,
          409: ErrorBody,
          413: PhotoUploadRefused,
          503: PhotoUploadRefused,
        },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw badRequest('Send the photos as multipart/form-data', 'not_multipart');
      const { photoLimitBytes } = app.ctx.config;
      assertUploadLength(request, photoLimitBytes);
      // Before reading any upload: a student without consent gets no templates.
      await assertConsent(app.ctx.db, request.params.id);
      let engine: FaceEngine | null = null;
      /** Set when the engine stopped: the photos after it are listed `not_processed`, never embedded. */
      let stopped: StopCode | null = null;
      const results: PhotoResult[] = [];
      try {
        // One photo at a time: each is embedded and stored (or refused) before the next is read.
        for await (const photo of photosOneByOne(request, photoLimitBytes)) {
          if (stopped !== null) {
            results.push(notProcessed(photo.filename, stopped));
            continue;
          }
          if (engine === null) {
            try {
              engine = await app.ctx.faceEngine();
            } catch (err) {
              request.log.error({ component: 'face-engine', err }, 'the face engine could not start');
              results.push(
                notProcessed(photo.filename, ENGINE_FAILED, `${ENGINE_FAILED}: it could not start`),
              );
              stopped = ENGINE_FAILED;
              continue;
            }
          }
          const done = await addPhotoTemplate(app.ctx.db, engine, request.params.id, photo, app.ctx.nowIso());
          results.push(done);
          // The engine's error on one photo: the upload goes on, but a model failing on an image
          // is worth a line in the log (the admin sees only "could not analyse").
          if (done.reason?.startsWith(`${ANALYSIS_FAILED}:`) === true)
            request.log.warn(
              { component: 'face-engine', reason: done.reason },
              'the face engine could not analyse a photo',
            );
          if (done.status === 'not_processed') {
            // Busy: it works (other uploads are using it), so it is kept. Failed: dropped.
            if (done.stop === ENGINE_BUSY)
              request.log.warn(
                { component: 'face-engine', reason: done.reason },
                'the face engine was busy: photo upload stopped',
              );
            else {
              request.log.error(
                { component: 'face-engine', reason: done.reason },
                'the face engine failed during a photo upload; the next upload starts a new one',
              );
              app.ctx.discardFaceEngine(engine);
            }
            stopped = done.stop;
          }
        }
      } catch (err) {
        // A limit crossed while the photos after a failed engine were being listed only ends
        // the list: the answer is the engine's failure, below.
        if (!(stopped !== null && err instanceof HttpError)) {
          // Part-way through: the photos before the failure are stored, so they are audited, and
          // a limit's refusal names them rather than leaving the admin to guess what to send again.
          if (engine === null || results.length === 0) throw err;
          await auditPhotos(request, request.params.id, engine.modelId, results);
          if (err instanceof HttpError && err.statusCode === 413)
            return reply.status(413).send({ error: err.code, message: err.message, results });
          throw err;
        }
      }
      if (engine === null && stopped === null) throw badRequest('No image files in the upload', 'no_files');
      if (engine !== null) await auditPhotos(request, request.params.id, engine.modelId, results);
      if (stopped !== null) {
        const count = results.filter((x) => x.status === 'not_processed').length;
        return reply.status(503).send({
          error: stopped,
          message: engineStoppedMessage(count, 'upload', { busy: stopped === ENGINE_BUSY }),
          results,
        });
      }
      return { results };
    },
  );
};
export default studentPhotos;
