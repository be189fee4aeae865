import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ErrorBody } from '../../../src/contracts/sync.js';
import { forbidden } from '../errors.js';
import { userActor, userOf } from '../plugins/auth.js';
import { archiveClass, unarchiveClass } from '../repositories/class-archive.js';
import {
  createClass,
  createSchedule,
  deleteSchedule,
  enrolStudents,
  getClass,
  listClasses,
  listEnrolments,
  listSchedules,
  toClass,
  unenrolStudent,
  updateClass,
  updateSchedule,
} from '../repositories/classes.js';
import { IdParams, ListPage } from '../schemas/common.js';
import {
  Class,
  CreateClass,
  CreateSchedule,
  EnrolRequest,
  Enrolment,
  Schedule,
  UpdateClass,
  UpdateSchedule,
} from '../schemas/people.js';
import { typed, type RoutePlugin } from './types.js';

const classes: RoutePlugin = async (app) => {
  const r = typed(app);
  const admin = { onRequest: app.requireUser('admin') };
  const anyUser = { onRequest: app.requireUser() };
  const security = [{ user: [] }];
  const tags = ['classes'];

  /** Least privilege: a teacher reads only their own classes. */
  async function readableClass(request: FastifyRequest, id: string) {
    const cls = await getClass(app.ctx.db, id);
    const user = userOf(request);
    if (user.role !== 'admin' && cls.teacher_id !== user.id) throw forbidden('Not your class');
    return cls;
  }

  r.get(
    '/api/classes',
    {
      ...anyUser,
      schema: {
        tags,
        security,
        summary: 'Active classes (teachers: their own); `?archived=true` adds archived ones',
        querystring: ListPage.extend({
          siteId: z.string().optional(),
          archived: z.enum(['true', 'false']).optional(),
        }),
        response: { 200: z.array(Class) },
      },
    },
    async (request) => {
      const user = userOf(request);
      const { limit, offset, siteId, archived } = request.query;
      return listClasses(
        app.ctx.db,
        {
          withArchived: archived === 'true',
          ...(siteId !== undefined ? { siteId } : {}),
          ...(user.role === 'teacher' ? { teacherId: user.id } : {}),
        },
        { limit, offset },
      );
    },
  );
  r.post(
    '/api/classes',
    { ...admin, schema: { tags, security, body: CreateClass, response: { 201: Class, 400: ErrorBody } } },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createClass(app.ctx.db, request.body, userActor(request), app.ctx.nowIso())),
  );
  r.get(
    '/api/classes/:id',
    {
      ...anyUser,
      schema: { tags, security, params: IdParams, response: { 200: Class, 403: ErrorBody, 404: ErrorBody } },
    },
    async (request) => toClass(await readableClass(request, request.params.id)),
  );
  r.patch(
    '/api/classes/:id',
    {
      ...admin,
      schema: {
        tags,
        security,
        params: IdParams,
        body: UpdateClass,
        response: { 200: Class, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) =>
      updateClass(app.ctx.db, request.params.id, request.body, userActor(request), app.ctx.nowIso()),
  );
  // No hard delete: a mis-click must not lose a class's sessions and marks (docs/server.md).
  r.delete(
    '/api/classes/:id',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Archives the class (the same as POST …/archive); nothing is deleted',
        params: IdParams,
        response: { 204: z.null(), 404: ErrorBody },
      },
    },
    async (request, reply) => {
      await archiveClass(app.ctx.db, request.params.id, userActor(request), app.ctx.nowIso());
      return reply.status(204).send(null);
    },
  );
  r.post(
    '/api/classes/:id/archive',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Archive: no new sessions, gone from kiosks and the class list; history and reports stay',
        params: IdParams,
        response: { 200: Class, 404: ErrorBody },
      },
    },
    async (request) => archiveClass(app.ctx.db, request.params.id, userActor(request), app.ctx.nowIso()),
  );
  r.post(
    '/api/classes/:id/unarchive',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Make an archived class active again; its schedules meet again from today on',
        params: IdParams,
        response: { 200: Class, 404: ErrorBody },
      },
    },
    async (request) => unarchiveClass(app.ctx.db, request.params.id, userActor(request), app.ctx.nowIso()),
  );

  const History = ListPage.extend({ all: z.enum(['true', 'false']).optional() });
  r.get(
    '/api/classes/:id/enrolments',
    {
      ...anyUser,
      schema: {
        tags,
        security,
        summary: 'Current enrolments; `?all=true` adds those closed (kept for past reports)',
        params: IdParams,
        querystring: History,
        response: { 200: z.array(Enrolment) },
      },
    },
    async (request) => {
      await readableClass(request, request.params.id);
      const { all, limit, offset } = request.query;
      return listEnrolments(app.ctx.db, request.params.id, { all: all === 'true' }, { limit, offset });
    },
  );
  r.post(
    '/api/classes/:id/enrolments',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Enrol students (idempotent)',
        params: IdParams,
        body: EnrolRequest,
        response: {
          200: z.object({ added: z.number(), alreadyEnrolled: z.number() }),
          400: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (request) =>
      enrolStudents(
        app.ctx.db,
        request.params.id,
        request.body.studentIds,
        userActor(request),
        app.ctx.nowIso(),
        request.body.from ? { from: request.body.from } : {},
      ),
  );
  r.delete(
    '/api/classes/:id/enrolments/:studentId',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Remove a student from the class from the next session on (409 once archived)',
        params: z.object({ id: z.string(), studentId: z.string() }),
        response: { 204: z.null(), 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      await unenrolStudent(
        app.ctx.db,
        request.params.id,
        request.params.studentId,
        userActor(request),
        app.ctx.nowIso(),
      );
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/classes/:id/schedules',
    {
      ...anyUser,
      schema: {
        tags,
        security,
        summary: 'Current schedules with their versions; `?all=true` adds removed ones',
        params: IdParams,
        querystring: History,
        response: { 200: z.array(Schedule) },
      },
    },
    async (request) => {
      await readableClass(request, request.params.id);
      const { all, limit, offset } = request.query;
      return listSchedules(app.ctx.db, request.params.id, { all: all === 'true' }, { limit, offset });
    },
  );
  r.post(
    '/api/classes/:id/schedules',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary:
          'Add a weekly (weekday) or one-off (date) schedule entry; sessions are `${scheduleId}@${date}`',
        params: IdParams,
        body: CreateSchedule,
        response: { 201: Schedule, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await createSchedule(
            app.ctx.db,
            request.params.id,
            request.body,
            userActor(request),
            app.ctx.nowIso(),
          ),
        ),
  );
  r.patch(
    '/api/schedules/:id',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary:
          'Edit a timetable entry from a date on: closes the old version, opens a new one (past sessions keep theirs)',
        params: IdParams,
        body: UpdateSchedule,
        response: { 200: Schedule, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) =>
      updateSchedule(app.ctx.db, request.params.id, request.body, userActor(request), app.ctx.nowIso()),
  );
  r.delete(
    '/api/schedules/:id',
    { ...admin, schema: { tags, security, params: IdParams, response: { 204: z.null(), 404: ErrorBody } } },
    async (request, reply) => {
      await deleteSchedule(app.ctx.db, request.params.id, userActor(request), app.ctx.nowIso());
      return reply.status(204).send(null);
    },
  );
};
export default classes;
