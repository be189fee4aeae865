import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ErrorBody } from '../../../src/contracts/sync.js';
import { forbidden } from '../errors.js';
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
};
export default students;
