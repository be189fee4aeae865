// 013: how far each kiosk's clock is from the server's (`devices.clock_offset_ms`, its lead in
// ms, negative when behind), as it reports it with every roster pull, so the console can flag a
// kiosk marking by a wrong clock. Null until a kiosk of this version reports. Never edit once
// shipped: add 014.
import type { Migration } from './types.js';

export const migration013: Migration = {
  version: 13,
  name: 'device-clock-offset',
  async up(db, dialect) {
    await db.schema
      .alterTable('devices')
      .addColumn('clock_offset_ms', dialect === 'sqlite' ? 'integer' : 'bigint')
      .execute();
  },
};
