// The kiosk's own name and room as the server knows them, on every roster page: an admin may
// rename the device (or its room) in the console long after pairing, and the Sync tab should
// name the kiosk the way the console does.
import type { DeviceIdentity } from '../../contracts/sync.js';
import type { LegContext } from './context.js';

export interface IdentityOutcome {
  /** The paired room changed: sessions are now those of another room. */
  roomChanged: boolean;
}

/**
 * Stores what changed and says so once in the history. `undefined` (an older server that does
 * not send it) keeps what the kiosk has: the names from pairing.
 */
export function applyDeviceIdentity(
  ctx: Pick<LegContext, 'store' | 'logger'>,
  device: DeviceIdentity | undefined,
  at: string,
): IdentityOutcome {
  if (!device) return { roomChanged: false };
  const { store, logger } = ctx;
  const before = {
    name: store.sync.get('deviceName'),
    roomId: store.sync.get('roomId'),
    roomName: store.sync.get('roomName'),
  };
  const renamed = before.name !== device.name;
  const roomChanged = before.roomId !== device.roomId;
  if (!renamed && !roomChanged && before.roomName === device.roomName) return { roomChanged: false };
  store.sync.setMany({ deviceName: device.name, roomId: device.roomId, roomName: device.roomName });
  // A first name (paired with a server too old to send one) or a room's new name is not news
  // worth a line; the admin's rename of this kiosk, or a move to another room, is.
  if (renamed && before.name !== null) {
    store.sync.addHistory(at, 'device', true, `renamed on the server: “${before.name}” → “${device.name}”`);
    logger.info(
      { event: 'device_renamed', from: before.name, to: device.name },
      'kiosk renamed on the server',
    );
  }
  if (roomChanged) {
    store.sync.addHistory(
      at,
      'device',
      true,
      `moved on the server to room ${device.roomName} (was ${before.roomName ?? before.roomId ?? 'none'})`,
    );
    logger.info(
      { event: 'device_room_changed', from: before.roomId, to: device.roomId },
      'kiosk moved to another room on the server',
    );
  }
  return { roomChanged };
}
