import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ErrorBody } from '../../../src/contracts/sync.js';
import { badRequest, forbidden, HttpError } from '../errors.js';
import { userActor, userOf } from '../plugins/auth.js';
import {
  countTemplates,
  createStudent,
  eraseStudent,
  getStudent,
  isStudentOfTeacher,
  listStudents,
  templateCoverage,
  toStudent,
  updateStudent,
} from '../repositories/students.js';
import { getClass } from '../repositories/classes.js';
import { writeAudit } from '../repositories/audit.js';
import { deleteStudentTemplates, listTemplates } from '../repositories/templates.js';
import { IdParams } from '../schemas/common.js';
import {
  CreateStudent,
  Student,
  StudentListQuery,
  TemplateCoverage,
  TemplateCoverageQuery,
  UpdateStudent,
} from '../schemas/people.js';
import type { FaceEngine } from '../../../src/ml/types.js';
import {
  addPhotoTemplates,
  assertConsent,
  ENGINE_FAILED,
  engineStopped,
  engineStoppedMessage,
  notProcessed,
  type PhotoResult,
} from '../services/photo-templates.js';
import { assertUploadLength, photosOneByOne, photoUploadLimits, PHOTOS_PER_UPLOAD } from './photo-upload.js';
import { typed, type RoutePlugin } from './types.js';

const Template = z.object({
  id: z.string(),
  studentId: z.string(),
  modelId: z.string(),
  quality: z.number().nullable(),
  source: z.enum(['kiosk', 'photo', 'door']),
  deviceId: z.string().nullable(),
  createdAt: z.string(),
});
const PhotoResults = z.object({
  results: z.array(
    z.object({
      filename: z.string(),
      /** `duplicate`: this student already has a template from this very file; `templateId` names it. */
      /** `not_processed`: the face engine failed before this photo; nothing was stored from it. */
      status: z.enum(['accepted', 'duplicate', 'rejected', 'not_processed']),
      templateId: z.string().optional(),
      reason: z.string().optional(),
    }),
  ),
});
/**
 * A limit crossed part-way (413): `results` are the photos handled before it (stored as they
 * say). The face engine failed part-way (503): `results` also list the photos not processed.
 */
const PhotoUploadRefused = ErrorBody.extend({ results: PhotoResults.shape.results.optional() });
const ErasureResult = z.object({
  erased: z.literal(true),
  templates: z.number().int(),
  enrolments: z.number().int(),
  attendanceEvents: z.number().int(),
});

const students: RoutePlugin = async (app) => {
  const r = typed(app);
  const admin = { onRequest: app.requireUser('admin') };
  const anyUser = { onRequest: app.requireUser() };
  const security = [{ user: [] }];
  const tags = ['students'];

  /** Teachers may read only students enrolled in one of their classes. */
  async function assertCanRead(request: FastifyRequest, studentId: string) {
    const user = userOf(request);
    if (user.role === 'admin') return;
    if (!(await isStudentOfTeacher(app.ctx.db, studentId, user.id)))
      throw forbidden('Not a student of your classes');
  }

  /**
   * A teacher's list is the students of their classes; a class filter narrows it only to one of
   * those. Another teacher's class would otherwise answer which of one's own students are in it.
   */
  async function teacherScope(request: FastifyRequest, classId: string | undefined) {
    const user = userOf(request);
    if (user.role === 'admin') return {};
    if (classId !== undefined && (await getClass(app.ctx.db, classId)).teacher_id !== user.id)
      throw forbidden('Not your class');
    return { teacherId: user.id };
  }

  /**
   * Adding biometric data leaves the same trail as removing it (template.delete): who, whose,
   * which templates. File names stay out (they can be anything an admin's disk held).
   */
  async function auditPhotos(
    request: FastifyRequest,
    studentId: string,
    modelId: string,
    results: PhotoResult[],
  ) {
    const user = userOf(request);
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
          rejected: results.filter((x) => x.status === 'rejected').length,
          notProcessed: results.filter((x) => x.status === 'not_processed').length,
        },
      },
      app.ctx.nowIso(),
    );
  }

  /** Who removes templates, and when: the audit entry's actor. */
  const removal = (request: FastifyRequest) => {
    const user = userOf(request);
    return { actor: { kind: 'user' as const, id: user.id, label: user.email }, now: app.ctx.nowIso() };
  };

  r.get(
    '/api/students',
    {
      ...anyUser,
      schema: {
        tags,
        security,
        summary: "List students (teachers: only their classes' students)",
        querystring: StudentListQuery,
        response: { 200: z.array(Student), 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) =>
      listStudents(app.ctx.db, {
        ...request.query,
        ...(await teacherScope(request, request.query.classId)),
      }),
  );

  r.get(
    '/api/students/template-coverage',
    {
      ...anyUser,
      schema: {
        tags,
        security,
        summary: 'How many students (teachers: of their classes) have templates of a face model',
        description:
          'Templates of different face models cannot be compared: after a model upgrade, kiosks ignore the old templates. ' +
          '`needReEnrolment` counts the students enrolled only under other models; list them with GET /api/students?withoutTemplatesFor=<modelId>.',
        querystring: TemplateCoverageQuery,
        response: { 200: TemplateCoverage, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { modelId, ...scope } = request.query;
      return templateCoverage(
        app.ctx.db,
        { ...scope, ...(await teacherScope(request, scope.classId)) },
        modelId,
      );
    },
  );

  r.post(
    '/api/students',
    { ...admin, schema: { tags, security, body: CreateStudent, response: { 201: Student, 409: ErrorBody } } },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createStudent(app.ctx.db, request.body, userActor(request), app.ctx.nowIso())),
  );

  r.get(
    '/api/students/:id',
    {
      ...anyUser,
      schema: {
        tags,
        security,
        params: IdParams,
        response: { 200: Student, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const student = await getStudent(app.ctx.db, request.params.id);
      await assertCanRead(request, student.id);
      return { ...toStudent(student), templateCount: await countTemplates(app.ctx.db, student.id) };
    },
  );

  r.patch(
    '/api/students/:id',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Update; withdrawing consent deletes the templates',
        params: IdParams,
        body: UpdateStudent,
        response: { 200: Student, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) =>
      updateStudent(app.ctx.db, request.params.id, request.body, userActor(request), app.ctx.nowIso()),
  );

  r.delete(
    '/api/students/:id',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary:
          'Erase a student: personal data, templates, photos, enrolments and attendance; kiosks purge them on their next pull',
        params: IdParams,
        response: { 200: ErasureResult, 404: ErrorBody },
      },
    },
    async (request) => {
      const user = userOf(request);
      const detail = await eraseStudent(
        app.ctx.db,
        request.params.id,
        { kind: 'user', id: user.id, label: user.email },
        app.ctx.nowIso(),
      );
      return { erased: true as const, ...detail };
    },
  );

  r.get(
    '/api/students/:id/templates',
    { ...anyUser, schema: { tags, security, params: IdParams, response: { 200: z.array(Template) } } },
    async (request) => {
      await getStudent(app.ctx.db, request.params.id);
      await assertCanRead(request, request.params.id);
      return listTemplates(app.ctx.db, request.params.id);
    },
  );

  r.delete(
    '/api/students/:id/templates',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: "Remove all of a student's face templates (kiosk, photo and door templates)",
        description:
          'In one transaction, with tombstones so every kiosk drops them at its next roster pull; audited as `templates.delete_all` (template ids and counts, never an embedding). ' +
          'For a face that changed so much that a kiosk enrolment is refused (`unlike_enrolment`): afterwards the student can be enrolled again at a kiosk or with photos.',
        params: IdParams,
        response: { 200: z.object({ deleted: z.number().int() }), 404: ErrorBody },
      },
    },
    async (request) => {
      await getStudent(app.ctx.db, request.params.id);
      const deleted = await deleteStudentTemplates(app.ctx.db, request.params.id, {}, removal(request));
      return { deleted };
    },
  );

  r.delete(
    '/api/students/:id/templates/:templateId',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: "Remove one of a student's face templates (audited as `template.delete`)",
        params: z.object({ id: z.string(), templateId: z.string() }),
        response: { 204: z.null(), 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { id, templateId } = request.params;
      await deleteStudentTemplates(app.ctx.db, id, { templateId }, removal(request));
      return reply.status(204).send(null);
    },
  );

  // Only this route reads multipart: the parser is registered in this route's own scope, with
  // the limits of a photo upload, so every other route answers a multipart body 415 as it does
  // any type it does not read.
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: photoUploadLimits(app.ctx.config.photoLimitBytes) });
    typed(scope).post(
      '/api/students/:id/photos',
      {
        ...admin,
        schema: {
          tags,
          security,
          summary: 'Upload photos (multipart, one or more image files): each usable face becomes a template',
          description: `The photos are read and embedded one at a time with the src/ml engine, and discarded unless the retainPhotos setting is on. A file the student already has a template from (same face model) is answered \`duplicate\` and adds nothing. 409 when the student has not consented. At most ${PHOTOS_PER_UPLOAD} photos of at most PHOTO_LIMIT_BYTES each: a body declaring more is 413 before it is read; a photo over the limit, or a file beyond the count, is 413 when it arrives, with \`results\` for the photos handled before it (stored as they say; the rest were not read). When the face engine fails part-way (its worker crashed or exited, no answer for a photo within a minute, or it could not start): 503 \`face_engine_failed\` with \`results\`, the photos from there on \`not_processed\` (nothing stored from them; sending the upload again adds only those).`,
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
        if (!request.isMultipart())
          throw badRequest('Send the photos as multipart/form-data', 'not_multipart');
        const { photoLimitBytes } = app.ctx.config;
        assertUploadLength(request, photoLimitBytes);
        // Before reading any upload: a student without consent gets no templates.
        await assertConsent(app.ctx.db, request.params.id);
        let engine: FaceEngine | null = null;
        /** Set when the engine failed: the photos after it are listed `not_processed`, never embedded. */
        let stopped = false;
        const results: PhotoResult[] = [];
        try {
          // One photo at a time: each is embedded and stored (or refused) before the next is read.
          for await (const photo of photosOneByOne(request, photoLimitBytes)) {
            if (stopped) {
              results.push(notProcessed(photo.filename));
              continue;
            }
            if (engine === null) {
              try {
                engine = await app.ctx.faceEngine();
              } catch (err) {
                request.log.error({ component: 'face-engine', err }, 'the face engine could not start');
                results.push({
                  ...notProcessed(photo.filename),
                  reason: `${ENGINE_FAILED}: it could not start`,
                });
                stopped = true;
                continue;
              }
            }
            const done = await addPhotoTemplates(
              app.ctx.db,
              engine,
              request.params.id,
              [photo],
              app.ctx.nowIso(),
            );
            results.push(...done);
            if (engineStopped(done)) {
              request.log.error(
                { component: 'face-engine', reason: done.find((r) => r.status === 'not_processed')?.reason },
                'the face engine failed during a photo upload; the next upload starts a new one',
              );
              app.ctx.discardFaceEngine(engine);
              stopped = true;
            }
          }
        } catch (err) {
          // A limit crossed while the photos after a failed engine were being listed only ends
          // the list: the answer is the engine's failure, below.
          if (!(stopped && err instanceof HttpError)) {
            // Part-way through: the photos before the failure are stored, so they are audited, and
            // a limit's refusal names them rather than leaving the admin to guess what to send again.
            if (engine === null || results.length === 0) throw err;
            await auditPhotos(request, request.params.id, engine.modelId, results);
            if (err instanceof HttpError && err.statusCode === 413)
              return reply.status(413).send({ error: err.code, message: err.message, results });
            throw err;
          }
        }
        if (engine === null && !stopped) throw badRequest('No image files in the upload', 'no_files');
        if (engine !== null) await auditPhotos(request, request.params.id, engine.modelId, results);
        if (stopped) {
          const count = results.filter((x) => x.status === 'not_processed').length;
          return reply.status(503).send({
            error: ENGINE_FAILED,
            message: engineStoppedMessage(count, 'upload'),
            results,
          });
        }
        return { results };
      },
    );
  });
};
export default students;
