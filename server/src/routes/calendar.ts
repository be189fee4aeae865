// The school calendar (admin): terms, closures (holidays, single days or ranges), cancelled or
// moved single sessions. See docs/school-year.md for the rules and docs/server.md for the API.
import { z } from 'zod';
import { ErrorBody, RosterCalendar } from '../../../src/contracts/sync.js';
import { userActor, userOf } from '../plugins/auth.js';
import {
  addClosure,
  addTerm,
  changeSession,
  deleteCalendarEntry,
  loadCalendar,
  restoreSession,
} from '../repositories/calendar.js';
import { scheduleIdsOfTeacher } from '../repositories/classes.js';
import { getSite } from '../repositories/rooms.js';
import { Cancel, DateRange, Move } from '../schemas/calendar.js';
import { IdParams } from '../schemas/common.js';
import { typed, type RoutePlugin } from './types.js';

const CalendarEntry = z.object({
  id: z.string(),
  name: z.string(),
  startDate: z.string(),
  endDate: z.string(),
});
const SessionParams = z.object({ sessionId: z.string().min(3).max(200) });
const SessionChangeOut = z.object({
  sessionId: z.string(),
  scheduleId: z.string(),
  date: z.string(),
  kind: z.enum(['cancelled', 'moved']),
  toDate: z.string().nullable().optional(),
  startTime: z.string().nullable().optional(),
  endTime: z.string().nullable().optional(),
  roomId: z.string().nullable().optional(),
  reason: z.string().nullable().optional(),
});

const calendar: RoutePlugin = async (app) => {
  const r = typed(app);
  const admin = { onRequest: app.requireUser('admin') };
  const anyUser = { onRequest: app.requireUser() };
  const security = [{ user: [] }];
  const tags = ['calendar'];

  r.get(
    '/api/sites/:id/calendar',
    {
      ...anyUser,
      schema: {
        tags,
        security,
        summary:
          "The site's terms, closures and session changes (what its kiosks get); a teacher sees the changes of their own classes' sessions only",
        params: IdParams,
        response: { 200: RosterCalendar, 404: ErrorBody },
      },
    },
    async (request) => {
      await getSite(app.ctx.db, request.params.id);
      const cal = await loadCalendar(app.ctx.db, request.params.id);
      // Terms and closures are the whole school's; a cancelled or moved session, with its reason
      // ("teacher ill"), is its class's business, and a teacher reads only their own classes.
      const user = userOf(request);
      const own = user.role === 'admin' ? null : await scheduleIdsOfTeacher(app.ctx.db, user.id);
      return {
        siteId: request.params.id,
        version: cal.version,
        terms: [...cal.terms],
        closures: [...cal.closures],
        changes: cal.changes.filter((c) => own === null || own.has(c.scheduleId)),
      };
    },
  );
  r.post(
    '/api/sites/:id/terms',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Add a term: once a site has terms, no session is held outside them',
        params: IdParams,
        body: DateRange,
        response: { 201: CalendarEntry, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await addTerm(app.ctx.db, request.params.id, request.body, userActor(request), app.ctx.nowIso()),
        ),
  );
  r.delete(
    '/api/terms/:id',
    { ...admin, schema: { tags, security, params: IdParams, response: { 204: z.null(), 404: ErrorBody } } },
    async (request, reply) => {
      await deleteCalendarEntry(app.ctx.db, 'terms', request.params.id, userActor(request), app.ctx.nowIso());
      return reply.status(204).send(null);
    },
  );
  r.post(
    '/api/sites/:id/closures',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Add a holiday or closure (one day: startDate = endDate)',
        params: IdParams,
        body: DateRange,
        response: { 201: CalendarEntry, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await addClosure(app.ctx.db, request.params.id, request.body, userActor(request), app.ctx.nowIso()),
        ),
  );
  r.delete(
    '/api/closures/:id',
    { ...admin, schema: { tags, security, params: IdParams, response: { 204: z.null(), 404: ErrorBody } } },
    async (request, reply) => {
      await deleteCalendarEntry(
        app.ctx.db,
        'closures',
        request.params.id,
        userActor(request),
        app.ctx.nowIso(),
      );
      return reply.status(204).send(null);
    },
  );
  r.post(
    '/api/sessions/:sessionId/cancel',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Cancel one session (marks already taken are kept; its report says cancelled)',
        params: SessionParams,
        body: Cancel,
        response: { 200: SessionChangeOut, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) =>
      changeSession(
        app.ctx.db,
        request.params.sessionId,
        { kind: 'cancelled', reason: request.body.reason ?? null },
        userActor(request),
        app.ctx.nowIso(),
      ),
  );
  r.post(
    '/api/sessions/:sessionId/move',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Move one session to another date, time or room (it keeps its id)',
        params: SessionParams,
        body: Move,
        response: { 200: SessionChangeOut, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) =>
      changeSession(
        app.ctx.db,
        request.params.sessionId,
        { kind: 'moved', ...request.body },
        userActor(request),
        app.ctx.nowIso(),
      ),
  );
  r.delete(
    '/api/sessions/:sessionId/change',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Undo a cancellation or move',
        params: SessionParams,
        response: { 204: z.null(), 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      await restoreSession(app.ctx.db, request.params.sessionId, userActor(request), app.ctx.nowIso());
      return reply.status(204).send(null);
    },
  );
};
export default calendar;
