import { z } from 'zod';
import { ErrorBody, PairRequest, PairResponse, SYNC_PATHS } from '../../../src/contracts/sync.js';
import { userOf } from '../plugins/auth.js';
import { writeAudit } from '../repositories/audit.js';
import {
  createDevice,
  listDevices,
  pairDevice,
  renameDevice,
  renewPairingCode,
  revokeDevice,
  toDevice,
  getDevice,
} from '../repositories/devices.js';
import { issuePinRecovery, listPinRecovery, newRecoveryCode } from '../repositories/pin-recovery.js';
import { getRoom, getSite } from '../repositories/rooms.js';
import { readSettings } from '../repositories/settings.js';
import { findSilentKiosks } from '../services/silent-kiosks.js';
import { IdParams, ListPage } from '../schemas/common.js';
import {
  CreateDevice,
  Device,
  DeviceWithCode,
  PinRecoveryCode,
  PinRecoveryCodeIssued,
  RenameDevice,
} from '../schemas/devices.js';
import { typed, type RoutePlugin } from './types.js';

const devices: RoutePlugin = async (app) => {
  const r = typed(app);
  const admin = { onRequest: app.requireUser('admin') };
  const security = [{ user: [] }];
  const tags = ['devices'];
  const { config } = app.ctx;

  /** Kiosks silent in school hours past the admin's threshold, by device id. */
  async function silenceByDevice(now: Date, siteId?: string) {
    const { silentKioskMinutes } = await readSettings(app.ctx.db);
    const silent = await findSilentKiosks(app.ctx.db, now, silentKioskMinutes, siteId);
    return new Map(silent.map((k) => [k.deviceId, { since: k.since, minutes: k.minutes }]));
  }

  r.get(
    '/api/devices',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Kiosks with their last-seen time, reported health and silence in school hours',
        querystring: ListPage.extend({ siteId: z.string().optional() }),
        response: { 200: z.array(Device) },
      },
    },
    async (request) => {
      const { siteId, limit, offset } = request.query;
      const now = app.ctx.clock.now();
      const [list, silent] = await Promise.all([
        listDevices(app.ctx.db, now.toISOString(), siteId, { limit, offset }),
        silenceByDevice(now, siteId),
      ]);
      return list.map((d) => ({ ...d, silence: silent.get(d.id) ?? null }));
    },
  );
  r.get(
    '/api/devices/:id',
    { ...admin, schema: { tags, security, params: IdParams, response: { 200: Device, 404: ErrorBody } } },
    async (request) => {
      const now = app.ctx.clock.now();
      const row = await getDevice(app.ctx.db, request.params.id);
      const silent = await silenceByDevice(now, row.site_id);
      return toDevice(row, now.toISOString(), silent.get(row.id) ?? null);
    },
  );

  r.post(
    '/api/devices',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Create a kiosk for a room; answers a one-time pairing code',
        body: CreateDevice,
        response: { 201: DeviceWithCode, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      const device = await createDevice(
        app.ctx.db,
        request.body,
        config.jwtSecret,
        config.pairingCodeTtlMinutes,
        app.ctx.clock.now(),
      );
      await writeAudit(
        app.ctx.db,
        {
          actor: { kind: 'user', id: user.id },
          action: 'device.create',
          entity: 'device',
          entityId: device.id,
        },
        app.ctx.nowIso(),
      );
      return reply.status(201).send(device);
    },
  );

  r.patch(
    '/api/devices/:id',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: "Rename a kiosk: the admin's name is kept when the kiosk pairs or pairs again",
        params: IdParams,
        body: RenameDevice,
        response: { 200: Device, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const user = userOf(request);
      const now = app.ctx.clock.now();
      // The name and its audit row together: a rename without a trace is not possible.
      const row = await app.ctx.db.transaction().execute(async (trx) => {
        const renamed = await renameDevice(trx, request.params.id, request.body.name);
        await writeAudit(
          trx,
          {
            actor: { kind: 'user', id: user.id },
            action: 'device.rename',
            entity: 'device',
            entityId: renamed.device.id,
            detail: { from: renamed.previousName, to: renamed.device.name },
          },
          now.toISOString(),
        );
        return renamed.device;
      });
      const silent = await silenceByDevice(now, row.site_id);
      return toDevice(row, now.toISOString(), silent.get(row.id) ?? null);
    },
  );

  r.post(
    '/api/devices/:id/pairing-code',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'A new pairing code (re-pair a replaced kiosk); the current token stops working',
        params: IdParams,
        response: { 200: DeviceWithCode, 404: ErrorBody },
      },
    },
    async (request) => {
      const user = userOf(request);
      const device = await renewPairingCode(
        app.ctx.db,
        request.params.id,
        config.jwtSecret,
        config.pairingCodeTtlMinutes,
        app.ctx.clock.now(),
      );
      await writeAudit(
        app.ctx.db,
        {
          actor: { kind: 'user', id: user.id },
          action: 'device.repair',
          entity: 'device',
          entityId: device.id,
        },
        app.ctx.nowIso(),
      );
      return device;
    },
  );

  r.post(
    '/api/devices/:id/revoke',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Revoke a kiosk: its next call gets 401',
        params: IdParams,
        response: { 200: Device, 404: ErrorBody },
      },
    },
    async (request) => {
      const user = userOf(request);
      const now = app.ctx.nowIso();
      await revokeDevice(app.ctx.db, request.params.id, now);
      await writeAudit(
        app.ctx.db,
        {
          actor: { kind: 'user', id: user.id },
          action: 'device.revoke',
          entity: 'device',
          entityId: request.params.id,
        },
        now,
      );
      return toDevice(await getDevice(app.ctx.db, request.params.id), now);
    },
  );

  r.post(
    '/api/devices/:id/pin-recovery',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary:
          "A one-time recovery code for the kiosk's forgotten admin PIN (shown once; replaces any earlier code)",
        description:
          "The kiosk receives the code's hash on its next sync (an offline kiosk cannot), and accepts the code once on its PIN pad: " +
          'it opens the admin area at "change PIN" and reports the code used. Expires after PIN_RECOVERY_TTL_HOURS.',
        params: IdParams,
        response: { 201: PinRecoveryCodeIssued, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      const now = app.ctx.clock.now();
      const fresh = await newRecoveryCode();
      const issued = await app.ctx.db.transaction().execute(async (trx) => {
        const { replacedIds, ...code } = await issuePinRecovery(
          trx,
          request.params.id,
          user.id,
          fresh,
          config.pinRecoveryTtlHours,
          now,
        );
        await writeAudit(
          trx,
          {
            actor: { kind: 'user', id: user.id },
            action: 'device.pin_recovery.issue',
            entity: 'device',
            entityId: request.params.id,
            detail: { codeId: code.id, expiresAt: code.expiresAt, replaced: replacedIds },
          },
          now.toISOString(),
        );
        return code;
      });
      request.log.info(
        { component: 'devices', deviceId: request.params.id, codeId: issued.id },
        'PIN recovery code issued',
      );
      return reply.status(201).send(issued);
    },
  );

  r.get(
    '/api/devices/:id/pin-recovery',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary:
          "The kiosk's recovery codes, newest first: pending, used (by the kiosk), replaced or expired",
        params: IdParams,
        response: { 200: z.array(PinRecoveryCode), 404: ErrorBody },
      },
    },
    async (request) => listPinRecovery(app.ctx.db, request.params.id, app.ctx.nowIso()),
  );

  r.post(
    SYNC_PATHS.pair,
    {
      config: { rateLimit: { max: config.loginRateLimitPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary:
          "A kiosk exchanges its one-time pairing code (+ name) for a device token; the kiosk's name is taken only when no admin named the device in the console. With expectedSiteId, a code of another site is refused (409 site_mismatch) and stays unused",
        body: PairRequest,
        response: { 200: PairResponse, 401: ErrorBody, 409: ErrorBody, 429: ErrorBody },
      },
    },
    async (request) => {
      const now = app.ctx.nowIso();
      const { name, nameByAdmin, ...paired } = await pairDevice(
        app.ctx.db,
        request.body,
        config.jwtSecret,
        now,
      );
      const [site, room] = await Promise.all([
        getSite(app.ctx.db, paired.siteId),
        getRoom(app.ctx.db, paired.roomId),
      ]);
      await writeAudit(
        app.ctx.db,
        {
          actor: { kind: 'device', id: paired.deviceId },
          action: 'device.pair',
          entity: 'device',
          entityId: paired.deviceId,
          // The name the kiosk reported, and the one the device has now (the admin's, if any).
          detail: { reportedName: request.body.name, name, nameByAdmin },
        },
        now,
      );
      request.log.info({ component: 'devices', deviceId: paired.deviceId }, 'device paired');
      return { ...paired, timezone: site.timezone, serverTime: now, name, roomName: room.name };
    },
  );
};
export default devices;
