// Kiosk devices: created by an admin for a room with a one-time pairing code; paired with
// that code for a device token. Both secrets are stored hashed only.
import { randomUUID } from 'node:crypto';
import type { ExpressionBuilder, Kysely } from 'kysely';
import { CameraStatus, KioskHealth } from '../../../src/contracts/sync.js';
import type { DB, DeviceTable } from '../db/schema.js';
import { conflict, notFound, unauthorized } from '../errors.js';
import type { Device } from '../schemas/devices.js';
import { hashPairingCode, hashToken, pairingCode, randomToken } from '../services/tokens.js';
import { paged, type Executor, type Page } from './executor.js';
import { getRoom } from './rooms.js';

function deviceState(r: DeviceTable, now: string): Device['state'] {
  if (r.revoked_at !== null) return 'revoked';
  if (r.token_hash !== null) return 'paired';
  return r.pairing_expires_at !== null && r.pairing_expires_at > now ? 'awaiting_pairing' : 'pairing_expired';
}

/** The kiosk health stored on the device row (JSON), or null when absent or unreadable. */
export function parseHealth(raw: string | null): KioskHealth | null {
  if (raw === null) return null;
  try {
    const parsed = KioskHealth.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The camera a kiosk last reported with a pull, or null (not reported, or a status unknown here). */
function cameraOf(r: DeviceTable): Device['camera'] {
  const status = CameraStatus.safeParse(r.camera_status);
  return status.success ? { status: status.data, detail: r.camera_detail } : null;
}

export const toDevice = (r: DeviceTable, now: string, silence: Device['silence'] = null): Device => ({
  id: r.id,
  siteId: r.site_id,
  roomId: r.room_id,
  name: r.name,
  nameByAdmin: r.admin_named === 1,
  state: deviceState(r, now),
  pairedAt: r.paired_at,
  revokedAt: r.revoked_at,
  lastSeenAt: r.last_seen_at,
  appVersion: r.app_version,
  queueDepth: r.queue_depth,
  health: parseHealth(r.health),
  modelId: r.face_model_id,
  clockOffsetMs: r.clock_offset_ms === null ? null : Number(r.clock_offset_ms),
  camera: cameraOf(r),
  createdAt: r.created_at,
  silence,
});

export async function getDevice(db: Executor, id: string): Promise<DeviceTable> {
  const row = await db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`device ${id}`);
  return row;
}

export async function listDevices(
  db: Executor,
  now: string,
  siteId?: string,
  page?: Page,
): Promise<Device[]> {
  let q = paged(db.selectFrom('devices').selectAll().orderBy('created_at').orderBy('id'), page);
  if (siteId !== undefined) q = q.where('site_id', '=', siteId);
  return (await q.execute()).map((r) => toDevice(r, now));
}

function expiresAt(now: Date, ttlMinutes: number) {
  return new Date(now.getTime() + ttlMinutes * 60_000).toISOString();
}

export async function createDevice(
  db: Executor,
  input: { roomId: string; name?: string },
  secret: string,
  ttlMinutes: number,
  now: Date,
) {
  const room = await getRoom(db, input.roomId);
  const code = pairingCode();
  const row: DeviceTable = {
    id: randomUUID(),
    site_id: room.site_id,
    room_id: room.id,
    // Without a name from the admin, a placeholder the kiosk's own name replaces when it pairs.
    name: input.name ?? `Kiosk at ${room.name}`,
    admin_named: input.name === undefined ? 0 : 1,
    pairing_code_hash: hashPairingCode(secret, code),
    pairing_expires_at: expiresAt(now, ttlMinutes),
    token_hash: null,
    paired_at: null,
    revoked_at: null,
    app_version: null,
    last_seen_at: null,
    queue_depth: null,
    health: null,
    created_at: now.toISOString(),
    silence_alerted_for: null,
    face_model_id: null,
    clock_offset_ms: null,
    camera_status: null,
    camera_detail: null,
  };
  await db.insertInto('devices').values(row).execute();
  return {
    ...toDevice(row, now.toISOString()),
    pairingCode: code,
    pairingExpiresAt: row.pairing_expires_at as string,
  };
}

/** A new code for a device (re-pairing a replaced kiosk): the old token stops working. */
export async function renewPairingCode(
  db: Executor,
  id: string,
  secret: string,
  ttlMinutes: number,
  now: Date,
) {
  const device = await getDevice(db, id);
  const code = pairingCode();
  const patch = {
    pairing_code_hash: hashPairingCode(secret, code),
    pairing_expires_at: expiresAt(now, ttlMinutes),
    token_hash: null,
    paired_at: null,
    revoked_at: null,
  };
  await db.updateTable('devices').set(patch).where('id', '=', id).execute();
  await retireRecoveryCodes(db, id, now.toISOString());
  return {
    ...toDevice({ ...device, ...patch }, now.toISOString()),
    pairingCode: code,
    pairingExpiresAt: patch.pairing_expires_at,
  };
}

/**
 * Exchanges a pairing code for a device token. The conditional UPDATE makes the code
 * single-use even when two kiosks race with it; an expired or used code gets the same
 * answer as a wrong one (no oracle).
 *
 * `expectedSiteId` (a kiosk pairing again with work of that site unsent): a live code of another
 * site is refused 409 `site_mismatch` and left unused, so the kiosk can ask its admin first. That
 * tells the caller the code is live, which the code itself already lets them use; a wrong,
 * expired or used code still gets the 401 above.
 */
export async function pairDevice(
  db: Kysely<DB>,
  input: { code: string; name: string; appVersion?: string; expectedSiteId?: string | undefined },
  secret: string,
  now: string,
) {
  const codeHash = hashPairingCode(secret, input.code);
  const token = randomToken();
  const { expectedSiteId } = input;
  // The code names a device still waiting to be paired: right code, not expired, not revoked.
  const liveCode = (eb: ExpressionBuilder<DB, 'devices'>) =>
    eb.and([
      eb('pairing_code_hash', '=', codeHash),
      eb('pairing_expires_at', '>', now),
      eb('revoked_at', 'is', null),
    ]);
  const result = await db
    .updateTable('devices')
    .set({
      token_hash: hashToken(token),
      pairing_code_hash: null,
      pairing_expires_at: null,
      paired_at: now,
      // The name an admin gave in the console stays; the kiosk's (typed by whoever holds its PIN)
      // is taken only while no admin named it.
      name: (eb) => eb.case().when('admin_named', '=', 1).then(eb.ref('name')).else(input.name).end(),
      app_version: input.appVersion ?? null,
      last_seen_at: now,
    })
    .where(liveCode)
    .$if(expectedSiteId !== undefined, (q) => q.where('site_id', '=', expectedSiteId as string))
    .returning(['id', 'site_id', 'room_id', 'name', 'admin_named'])
    .executeTakeFirst();
  if (!result && expectedSiteId !== undefined) {
    const elsewhere = await db.selectFrom('devices').select('id').where(liveCode).executeTakeFirst();
    if (elsewhere)
      throw conflict(
        "This pairing code is for another site than the kiosk's; it was not used",
        'site_mismatch',
      );
  }
  if (!result) throw unauthorized('Pairing code is wrong, expired or already used', 'bad_pairing_code');
  return {
    deviceId: result.id,
    siteId: result.site_id,
    roomId: result.room_id,
    token,
    /** The device's name after pairing, and whether it is the admin's (kept) or the kiosk's. */
    name: result.name,
    nameByAdmin: result.admin_named === 1,
  };
}

/**
 * An admin names the kiosk in the console: the name is marked the admin's, so pairing and
 * re-pairing keep it instead of taking the one the kiosk reports.
 */
export async function renameDevice(
  db: Executor,
  id: string,
  name: string,
): Promise<{ device: DeviceTable; previousName: string }> {
  const device = await getDevice(db, id);
  await db.updateTable('devices').set({ name, admin_named: 1 }).where('id', '=', id).execute();
  return { device: { ...device, name, admin_named: 1 }, previousName: device.name };
}

export interface DevicePrincipal {
  kind: 'device';
  id: string;
  siteId: string;
  roomId: string;
  name: string;
}

export async function authenticateDevice(db: Executor, token: string): Promise<DevicePrincipal | null> {
  const row = await db
    .selectFrom('devices')
    .select(['id', 'site_id', 'room_id', 'name'])
    .where('token_hash', '=', hashToken(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row
    ? { kind: 'device', id: row.id, siteId: row.site_id, roomId: row.room_id, name: row.name }
    : null;
}

export async function revokeDevice(db: Executor, id: string, now: string): Promise<void> {
  await getDevice(db, id);
  await db
    .updateTable('devices')
    .set({ revoked_at: now, token_hash: null, pairing_code_hash: null, pairing_expires_at: null })
    .where('id', '=', id)
    .execute();
  await retireRecoveryCodes(db, id, now);
}

/**
 * A PIN recovery code was issued to the machine that held the old token: after a revoke or a
 * re-pair it must not be offered to whatever machine pairs next (pin-recovery.ts).
 */
async function retireRecoveryCodes(db: Executor, id: string, now: string): Promise<void> {
  await db
    .updateTable('pin_recovery_codes')
    .set({ replaced_at: now })
    .where('device_id', '=', id)
    .where('used_at', 'is', null)
    .where('replaced_at', 'is', null)
    .execute();
}

/**
 * A kiosk's own words as admins will read them (the camera detail on the Kiosks page): control
 * and format characters removed, among them the direction overrides (U+202E…) that make text
 * read otherwise than it is stored, so a stolen device token cannot dress a message up; runs of
 * white space made one space. React escapes the rest.
 */
export const plainText = (s: string): string =>
  s
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** What a roster pull reports besides the contact itself (RosterQuery: model, clock, camera). */
export interface PullReport {
  modelId?: string | undefined;
  clockOffsetMs?: number | undefined;
  /** As sent: a status this server does not know is not stored (the last known one stays). */
  camera?: { status: string; detail?: string | undefined } | undefined;
}

/**
 * Stored on the device row (not in memory) so any instance, and /metrics, can read it.
 * `pulled`: what a roster pull reported (a push reports the face model inside its health).
 */
export async function recordHealth(
  db: Executor,
  deviceId: string,
  health: KioskHealth | undefined,
  now: string,
  pulled: PullReport = {},
): Promise<void> {
  const model = health?.modelId ?? pulled.modelId;
  const camera = CameraStatus.safeParse(pulled.camera?.status);
  await db
    .updateTable('devices')
    .set({
      last_seen_at: now,
      ...(health === undefined
        ? {}
        : { app_version: health.appVersion, queue_depth: health.queueDepth, health: JSON.stringify(health) }),
      ...(model === undefined ? {} : { face_model_id: model }),
      ...(pulled.clockOffsetMs === undefined ? {} : { clock_offset_ms: pulled.clockOffsetMs }),
      ...(camera.success
        ? { camera_status: camera.data, camera_detail: plainText(pulled.camera?.detail ?? '') || null }
        : {}),
    })
    .where('id', '=', deviceId)
    .execute();
}
