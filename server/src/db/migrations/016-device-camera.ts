// 016: each kiosk's camera as it reports it with every roster pull (`devices.camera_status`, one
// of the kiosk's camera statuses, and `devices.camera_detail`, its words), so the console can
// flag a door whose camera is not working: such a door marks nobody, so no push tells. Null
// until a kiosk of this version reports. Never edit once shipped: add 017.
import type { Migration } from './types.js';

export const migration016: Migration = {
  version: 16,
  name: 'device-camera',
  async up(db) {
    await db.schema.alterTable('devices').addColumn('camera_status', 'text').execute();
    await db.schema.alterTable('devices').addColumn('camera_detail', 'text').execute();
  },
};
