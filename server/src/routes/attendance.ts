import type { FastifyRequest } from 'fastify';
import { ErrorBody } from '../../../src/contracts/sync.js';
import { forbidden } from '../errors.js';
import { userOf } from '../plugins/auth.js';
import {
  recordCorrection,
  resolveSession,
  sessionReport,
  type ResolvedSession,
} from '../repositories/attendance.js';
import {
  CorrectionRequest,
  CorrectionResponse,
  SessionParams,
  SessionReport,
} from '../schemas/attendance.js';
import { typed, type RoutePlugin } from './types.js';

const attendance: RoutePlugin = async (app) => {
  const r = typed(app);
  const anyUser = { onRequest: app.requireUser() };
  const security = [{ user: [] }];
  const tags = ['attendance'];

  function assertOwnClass(request: FastifyRequest, session: ResolvedSession) {
    const user = userOf(request);
    if (user.role !== 'admin' && session.cls.teacher_id !== user.id) throw forbidden('Not your class');
  }

  r.get(
    '/api/sessions/:sessionId/attendance',
    {
      ...anyUser,
      schema: {
        tags,
        security,
        summary:
          'One status per enrolled student for a session (`${scheduleId}@${YYYY-MM-DD}`), derived from all events',
        params: SessionParams,
        response: { 200: SessionReport, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const session = await resolveSession(app.ctx.db, request.params.sessionId);
      assertOwnClass(request, session);
      return sessionReport(app.ctx.db, session);
    },
  );

  r.post(
    '/api/attendance/corrections',
    {
      ...anyUser,
      schema: {
        tags,
        security,
        summary:
          'Correct a status by hand (manual) or cancel an event (undo); stored as an event with who and why',
        body: CorrectionRequest,
        response: { 200: CorrectionResponse, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const user = userOf(request);
      const session = await resolveSession(app.ctx.db, request.body.sessionId);
      assertOwnClass(request, session);
      const result = await recordCorrection(
        app.ctx.db,
        session,
        request.body,
        { kind: 'user', id: user.id, label: user.email },
        app.ctx.nowIso(),
      );
      app.ctx.attendanceFeed.notify([session.sessionId]);
      return result;
    },
  );
};
export default attendance;
