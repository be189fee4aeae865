// The kiosk sync API (DESIGN.md "Sync protocol"), parsed with the shared contract schemas.
import {
  DoorTemplateResult,
  DoorTemplateUpload,
  ErrorBody,
  PinRecoveryUsedRequest,
  PinRecoveryUsedResponse,
  PushAttendanceRequest,
  PushResponse,
  PushTemplatesRequest,
  RosterPage,
  RosterQuery,
  SYNC_PATHS,
} from '../../../src/contracts/sync.js';
import { deviceOf } from '../plugins/auth.js';
import { ingestAttendance } from '../repositories/attendance.js';
import { badRequest } from '../errors.js';
import { readChanges, rosterPageJson } from '../repositories/changes.js';
import { getDevice, recordHealth } from '../repositories/devices.js';
import { getRoom } from '../repositories/rooms.js';
import { storeDoorTemplate } from '../repositories/door-templates.js';
import { readSettings } from '../repositories/settings.js';
import { livePinRecovery, markPinRecoveryUsed } from '../repositories/pin-recovery.js';
import { writeAudit } from '../repositories/audit.js';
import { storeTemplates } from '../repositories/templates.js';
import { typed, type RoutePlugin } from './types.js';

/** 200 templates of up to 64 kB of base64 each, with room for the JSON around them. */
export const TEMPLATE_PUSH_BODY_LIMIT = 16 * 1024 * 1024;

const sync: RoutePlugin = async (app) => {
  const r = typed(app);
  const device = { onRequest: app.requireDevice };
  const security = [{ device: [] }];
  const tags = ['sync'];

  r.get(
    SYNC_PATHS.roster,
    {
      ...device,
      schema: {
        tags,
        security,
        summary:
          "Roster changes after a cursor, for the device's site, oldest first (tombstones for deletions)",
        description:
          "Send back `cursor` as `since` until `hasMore` is false. Each change is a RosterChange of the contract. Every page also carries this device's state: its live PIN recovery offer, the template freshness setting and `device` (its name and room as the server knows them now, so a rename in the console reaches the kiosk).",
        querystring: RosterQuery,
        response: { 200: RosterPage, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request, reply) => {
      const d = deviceOf(request);
      const since = Number(request.query.since);
      if (!Number.isSafeInteger(since)) throw badRequest('since is not a cursor this server handed out');
      // The last-seen write does not change the page: run it alongside the read instead of
      // after it (on PostgreSQL it is a commit, a WAL flush, per page of a long first pull).
      const now = app.ctx.nowIso();
      const [page, pinRecovery, settings, room] = await Promise.all([
        readChanges(app.ctx.database, d.siteId, since, request.query.limit),
        livePinRecovery(app.ctx.db, d.id, now),
        readSettings(app.ctx.db),
        getRoom(app.ctx.db, d.roomId),
        recordHealth(app.ctx.db, d.id, undefined, now, {
          modelId: request.query.model,
          clockOffsetMs: request.query.clock,
          camera:
            request.query.camera === undefined
              ? undefined
              : { status: request.query.camera, detail: request.query.cameraDetail },
        }),
      ]);
      // Pre-serialised from the stored JSON bytes (see rosterPageJson); a Buffer body is sent as
      // is, without a serializer, and the cast only tells the typed reply so.
      return reply.type('application/json; charset=utf-8').send(
        rosterPageJson(
          page,
          since,
          {
            pinRecovery,
            doorTemplates: settings.doorTemplates,
            // The name as of this request's authentication: an admin's rename shows at the next pull.
            device: { name: d.name, roomId: d.roomId, roomName: room.name },
          },
          request.query.feed,
        ) as never,
      );
    },
  );

  r.post(
    SYNC_PATHS.attendance,
    {
      ...device,
      schema: {
        tags,
        security,
        summary: 'Push attendance events (idempotent by event id); answers per id',
        body: PushAttendanceRequest,
        response: { 200: PushResponse, 400: ErrorBody, 401: ErrorBody, 413: ErrorBody },
      },
    },
    async (request) => {
      const d = deviceOf(request);
      const now = app.ctx.nowIso();
      const results = await ingestAttendance(
        app.ctx.db,
        request.body.events,
        { deviceId: d.id, siteId: d.siteId },
        now,
      );
      await recordHealth(app.ctx.db, d.id, request.body.health, now);
      const accepted = results.filter((x) => x.status === 'accepted').length;
      // [console] live session views on this instance refresh at once (others poll).
      if (accepted > 0) app.ctx.attendanceFeed.notify(request.body.events.map((e) => e.sessionId));
      request.log.debug(
        { component: 'sync', deviceId: d.id, events: results.length, accepted },
        'attendance pushed',
      );
      return { results };
    },
  );

  r.post(
    SYNC_PATHS.templates,
    {
      ...device,
      bodyLimit: TEMPLATE_PUSH_BODY_LIMIT,
      schema: {
        tags,
        security,
        summary: 'Push face templates enrolled at the kiosk (idempotent by template id); answers per id',
        description:
          "A template of a student who already has templates of its face model must look like them (best cosine with the student's kiosk and photo templates of that model at least the model's class threshold), each judged against the templates from before the push: otherwise `rejected` / `unlike_enrolment` (a model with no calibrated point: `uncalibrated_model`), not stored, audited `template.enrol_refused`. A student's first templates of a model are accepted. An admin re-enrols a face that changed a lot by removing the old templates (or uploading a photo) first.",
        body: PushTemplatesRequest,
        response: { 200: PushResponse, 400: ErrorBody, 401: ErrorBody, 413: ErrorBody },
      },
    },
    async (request) => {
      const d = deviceOf(request);
      const now = app.ctx.nowIso();
      const results = await storeTemplates(
        app.ctx.db,
        request.body.templates,
        { source: 'kiosk', deviceId: d.id, siteId: d.siteId },
        now,
      );
      await recordHealth(app.ctx.db, d.id, undefined, now);
      return { results };
    },
  );

  r.post(
    SYNC_PATHS.doorTemplates,
    {
      ...device,
      schema: {
        tags,
        security,
        summary: 'Offer a door capture as an extra template of a student (template freshness; admin opt-in)',
        description:
          "One capture per request (an embedding, never a photo), idempotent by id. 403 when the admin setting is off, 404 for a student not of the device's site, 400 for a model other than the device's or a bad embedding. A face whose best cosine with the student's enrolment templates is below the model's class threshold is answered `rejected` / `unlike_enrolment` (a model with no calibrated point: `uncalibrated_model`), audited. A second door template for the student within 24 hours is answered `rejected` / `daily_limit`; beyond the cap the oldest door template is replaced (`replaced`) and tombstoned.",
        body: DoorTemplateUpload,
        response: {
          200: DoorTemplateResult,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (request) => {
      const d = deviceOf(request);
      const now = app.ctx.nowIso();
      const row = await getDevice(app.ctx.db, d.id);
      return storeDoorTemplate(
        app.ctx.db,
        app.ctx.dialect,
        request.body,
        { id: d.id, siteId: d.siteId, modelId: row.face_model_id },
        now,
      );
    },
  );

  r.post(
    SYNC_PATHS.pinRecoveryUsed,
    {
      ...device,
      schema: {
        tags,
        security,
        summary: 'The kiosk burnt an admin-PIN recovery code (it opened its admin area with it); idempotent',
        body: PinRecoveryUsedRequest,
        response: { 200: PinRecoveryUsedResponse, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const d = deviceOf(request);
      const now = app.ctx.nowIso();
      return app.ctx.db.transaction().execute(async (trx) => {
        const { firstReport, ...used } = await markPinRecoveryUsed(
          trx,
          d.id,
          request.body.id,
          request.body.usedAt,
        );
        // A retried report (the answer was lost) is not a second use.
        if (firstReport)
          await writeAudit(
            trx,
            {
              actor: { kind: 'device', id: d.id },
              action: 'device.pin_recovery.used',
              entity: 'device',
              entityId: d.id,
              detail: used,
            },
            now,
          );
        return used;
      });
    },
  );
};
export default sync;
