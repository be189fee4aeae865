import { z } from 'zod';
import { KioskHealth } from '../../../src/contracts/sync.js';
import { Name } from './common.js';

export const CreateDevice = z.object({ roomId: z.string().min(1), name: Name.optional() });
export const Device = z.object({
  id: z.string(),
  siteId: z.string(),
  roomId: z.string(),
  name: z.string(),
  state: z.enum(['awaiting_pairing', 'pairing_expired', 'paired', 'revoked']),
  pairedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  appVersion: z.string().nullable(),
  queueDepth: z.number().int().nullable(),
  health: KioskHealth.nullable(),
  createdAt: z.string(),
});
export type Device = z.infer<typeof Device>;
export const DeviceWithCode = Device.extend({
  /** Shown once: type it at the kiosk. Only its HMAC is stored. */
  pairingCode: z.string(),
  pairingExpiresAt: z.string(),
});
