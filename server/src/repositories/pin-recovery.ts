// One-time recovery codes for a kiosk's forgotten admin PIN. The admin gets the code once; the
// server keeps only its scrypt hash and hands that to the device on its roster pulls, until the
// kiosk reports the code burnt, a newer code replaces it, or it expires.
import { randomInt, randomUUID } from 'node:crypto';
import { PIN_RECOVERY_CODE_DIGITS, type PinRecoveryOffer } from '../../../src/contracts/sync.js';
import type { PinRecoveryCodeTable } from '../db/schema.js';
import { conflict, notFound } from '../errors.js';
import type { PinRecoveryCode } from '../schemas/devices.js';
import { hashPassword } from '../services/passwords.js';
import type { Executor } from './executor.js';
import { getDevice } from './devices.js';

/** How many past codes the device page lists. */
export const PIN_RECOVERY_HISTORY = 20;

/** Uniform random digits (randomInt is unbiased), shown to the admin in groups of four. */
export function recoveryCode(): string {
  let code = '';
  for (let i = 0; i < PIN_RECOVERY_CODE_DIGITS; i++) code += String(randomInt(10));
  return code;
}

/** A fresh code and its hash; hashed before the issuing transaction, so no lock waits on scrypt. */
export async function newRecoveryCode(): Promise<{ code: string; codeHash: string }> {
  const code = recoveryCode();
  return { code, codeHash: await hashPassword(code) };
}

export const groupRecoveryCode = (code: string): string => code.replace(/(\d{4})(?=\d)/g, '$1 ');

function stateOf(r: PinRecoveryCodeTable, now: string): PinRecoveryCode['state'] {
  if (r.used_at !== null) return 'used';
  if (r.replaced_at !== null) return 'replaced';
  return r.expires_at > now ? 'pending' : 'expired';
}

const toCode = (r: PinRecoveryCodeTable, now: string): PinRecoveryCode => ({
  id: r.id,
  deviceId: r.device_id,
  state: stateOf(r, now),
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
  replacedAt: r.replaced_at,
});

/**
 * A new code for a paired device; any live code of that device is marked replaced. Run in a
 * transaction: the no-op UPDATE of the device row first takes its row lock on PostgreSQL, so
 * two admins issuing at once cannot leave two live codes (SQLite serialises writers anyway).
 */
export async function issuePinRecovery(
  trx: Executor,
  deviceId: string,
  userId: string,
  fresh: { code: string; codeHash: string },
  ttlHours: number,
  now: Date,
) {
  const device = await getDevice(trx, deviceId);
  if (device.revoked_at !== null || device.token_hash === null) {
    throw conflict(
      `device ${deviceId} is not paired: only a paired kiosk can receive a recovery code (by sync)`,
      'device_not_paired',
    );
  }
  await trx
    .updateTable('devices')
    .set((eb) => ({ name: eb.ref('name') }))
    .where('id', '=', deviceId)
    .execute();
  const at = now.toISOString();
  const replaced = await trx
    .updateTable('pin_recovery_codes')
    .set({ replaced_at: at })
    .where('device_id', '=', deviceId)
    .where('used_at', 'is', null)
    .where('replaced_at', 'is', null)
    .where('expires_at', '>', at)
    .returning('id')
    .execute();
  const row: PinRecoveryCodeTable = {
    id: randomUUID(),
    device_id: deviceId,
    code_hash: fresh.codeHash,
    created_by: userId,
    created_at: at,
    expires_at: new Date(now.getTime() + ttlHours * 3_600_000).toISOString(),
    used_at: null,
    replaced_at: null,
  };
  await trx.insertInto('pin_recovery_codes').values(row).execute();
  return { ...toCode(row, at), code: groupRecoveryCode(fresh.code), replacedIds: replaced.map((r) => r.id) };
}

export async function listPinRecovery(
  db: Executor,
  deviceId: string,
  now: string,
): Promise<PinRecoveryCode[]> {
  await getDevice(db, deviceId);
  const rows = await db
    .selectFrom('pin_recovery_codes')
    .selectAll()
    .where('device_id', '=', deviceId)
    .orderBy('created_at', 'desc')
    .limit(PIN_RECOVERY_HISTORY)
    .execute();
  return rows.map((r) => toCode(r, now));
}

/** What the device's roster pulls carry: its live code's hash, or null when it has none. */
export async function livePinRecovery(
  db: Executor,
  deviceId: string,
  now: string,
): Promise<PinRecoveryOffer | null> {
  const row = await db
    .selectFrom('pin_recovery_codes')
    .select(['id', 'code_hash', 'expires_at'])
    .where('device_id', '=', deviceId)
    .where('used_at', 'is', null)
    .where('replaced_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { id: row.id, codeHash: row.code_hash, expiresAt: row.expires_at } : null;
}

/**
 * The kiosk burnt the code at `usedAt` (its clock). Recorded even when the code has since been
 * replaced or has expired here: it was live at the kiosk, and the admin should see it was used.
 * Idempotent (a retried report keeps the first time); another device's code is "not found".
 */
export async function markPinRecoveryUsed(db: Executor, deviceId: string, id: string, usedAt: string) {
  const update = await db
    .updateTable('pin_recovery_codes')
    .set({ used_at: usedAt })
    .where('id', '=', id)
    .where('device_id', '=', deviceId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  const row = await db
    .selectFrom('pin_recovery_codes')
    .select(['id', 'used_at'])
    .where('id', '=', id)
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
  if (!row || row.used_at === null) throw notFound(`recovery code ${id} of this device`);
  return { id: row.id, usedAt: row.used_at, firstReport: update.numUpdatedRows > 0n };
}
