import { z } from 'zod';
import { userOf } from '../plugins/auth.js';
import { withNames } from '../repositories/audit-names.js';
import { listAudit, writeAudit } from '../repositories/audit.js';
import { readSettings, Settings, SettingsPatch, writeSettings } from '../repositories/settings.js';
import { typed, type RoutePlugin } from './types.js';

const AuditRow = z.object({
  id: z.string(),
  at: z.string(),
  actorKind: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string().nullable(),
  detail: z.unknown(),
  /** What the row's ids (actor, record, the detail's studentId, sessionId, ...) are called today. */
  names: z.record(z.string(), z.string()),
});

/** [console] filters and paging of the audit page. */
export const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  /** Ids are uuids or short slugs: a longer one matches nothing and is refused, not searched. */
  entityId: z.string().max(100).optional(),
  actorId: z.string().max(100).optional(),
  /** An action (`user.invite`) or a prefix ending with a dot (`attendance.`). */
  action: z.string().max(100).optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
});

const admin: RoutePlugin = async (app) => {
  const r = typed(app);
  const onlyAdmin = { onRequest: app.requireUser('admin') };
  const security = [{ user: [] }];
  const tags = ['admin'];

  r.get(
    '/api/settings',
    { ...onlyAdmin, schema: { tags, security, response: { 200: Settings } } },
    async () => readSettings(app.ctx.db),
  );
  r.patch(
    '/api/settings',
    { ...onlyAdmin, schema: { tags, security, body: SettingsPatch, response: { 200: Settings } } },
    async (request) => {
      const user = userOf(request);
      const now = app.ctx.nowIso();
      // The settings and their audit row in one transaction: neither without the other.
      return app.ctx.db.transaction().execute(async (trx) => {
        const settings = await writeSettings(trx, request.body, now);
        await writeAudit(
          trx,
          {
            actor: { kind: 'user', id: user.id },
            action: 'settings.update',
            entity: 'settings',
            entityId: null,
            detail: request.body,
          },
          now,
        );
        return settings;
      });
    },
  );

  r.get(
    '/api/audit',
    {
      ...onlyAdmin,
      schema: {
        tags,
        security,
        summary: 'Audit log, newest first',
        description:
          "Each row's `names` maps the ids it mentions (actor, record, and the detail's studentId, deviceId, sessionId, siteId, roomId, classId, teacherId, also inside its before and after) to their names today; a session is named by its class. An id whose record is gone (an erased student) has no name.",
        querystring: AuditQuery,
        response: { 200: z.array(AuditRow) },
      },
    },
    async (request) => withNames(app.ctx.db, await listAudit(app.ctx.db, request.query)),
  );
};
export default admin;
