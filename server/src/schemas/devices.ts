import { z } from 'zod';
import { CameraStatus, KioskHealth } from '../../../src/contracts/sync.js';
import { Name } from './common.js';

export const CreateDevice = z.object({ roomId: z.string().min(1), name: Name.optional() });
export const RenameDevice = z.object({ name: Name });
export const Device = z.object({
  id: z.string(),
  siteId: z.string(),
  roomId: z.string(),
  name: z.string(),
  /**
   * True when an admin named the kiosk in the console (creating or renaming it): pairing keeps
   * that name. False: the name is the one the kiosk reported when it paired (or, before it paired,
   * a placeholder after its room), and its next pairing replaces it.
   */
  nameByAdmin: z.boolean(),
  state: z.enum(['awaiting_pairing', 'pairing_expired', 'paired', 'revoked']),
  pairedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  appVersion: z.string().nullable(),
  queueDepth: z.number().int().nullable(),
  health: KioskHealth.nullable(),
  /** The face model the kiosk last reported running (null: not reported yet, or an older kiosk). */
  modelId: z.string().nullable(),
  /**
   * How far the kiosk's clock was ahead of the server's (negative: behind) at its last roster pull,
   * in ms, as it measured it (null: not reported yet, or an older kiosk).
   */
  clockOffsetMs: z.number().int().nullable(),
  /**
   * The kiosk's camera at its last roster pull (every sync), as its own screen shows it: `missing`
   * or `error` is a door that cannot take attendance; `detail` says why in the kiosk's words.
   * Null: not reported yet, or an older kiosk.
   */
  camera: z.object({ status: CameraStatus, detail: z.string().nullable() }).nullable(),
  createdAt: z.string(),
  /**
   * Set while the kiosk has been silent in school hours for the admin's `silentKioskMinutes` or
   * more: since when the silence counts (the later of its last contact and today's first
   * arrival window) and for how many minutes. Null otherwise.
   */
  silence: z.object({ since: z.string(), minutes: z.number().int() }).nullable(),
});
export type Device = z.infer<typeof Device>;
export const DeviceWithCode = Device.extend({
  /** Shown once: type it at the kiosk. Only its HMAC is stored. */
  pairingCode: z.string(),
  pairingExpiresAt: z.string(),
});

/** A kiosk admin-PIN recovery code as the admin sees it (never the code itself, except once at issue). */
export const PinRecoveryCode = z.object({
  id: z.string(),
  deviceId: z.string(),
  /** pending: waiting for the kiosk to use it (it gets it on its next sync); used: the kiosk reported it burnt. */
  state: z.enum(['pending', 'used', 'replaced', 'expired']),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  usedAt: z.string().nullable(),
  replacedAt: z.string().nullable(),
});
export type PinRecoveryCode = z.infer<typeof PinRecoveryCode>;
export const PinRecoveryCodeIssued = PinRecoveryCode.extend({
  /** Shown once, in groups of four; type the digits on the kiosk's PIN pad. Only its scrypt hash is stored. */
  code: z.string(),
});
