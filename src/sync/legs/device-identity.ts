// The kiosk's own name as the server knows it, on every roster page: an admin may rename the
// device in the console long after pairing, and the Sync tab should name the kiosk the way the
// console does. The page's room is not taken from here: no API moves a device or renames a room,
// and the room's name is the roster's (KioskState.room), which the Sync tab shows.
import type { DeviceIdentity } from '../../contracts/sync.js';
import type { LegContext } from './context.js';

/**
 * Stores a new name and says so once in the history. `undefined` (an older server that does not
 * send it, or a `device` that did not parse) keeps what the kiosk has: the name from pairing.
 */
export function applyDeviceIdentity(
  ctx: Pick<LegContext, 'store' | 'logger'>,
  device: DeviceIdentity | undefined,
  at: string,
): void {
  if (!device) return;
  const { store, logger } = ctx;
  const before = store.sync.get('deviceName');
  if (before === device.name) return;
  store.sync.set('deviceName', device.name);
  // A first name (paired with a server too old to send one) is not news worth a line; the
  // admin's rename of this kiosk is.
  if (before === null) return;
  store.sync.addHistory(at, 'device', true, `renamed on the server: “${before}” → “${device.name}”`);
  logger.info({ event: 'device_renamed', from: before, to: device.name }, 'kiosk renamed on the server');
}
