// 007: one-time recovery codes for a kiosk's forgotten admin PIN (POST /api/devices/:id/pin-recovery).
// One row per code issued, kept as history: the device page shows whether the last code was
// used, replaced by a newer one or left to expire. Only a scrypt hash of the code is stored.
// At most one code per device is live (used_at and replaced_at null, expires_at in the future).
// Never edit once shipped: add 008.
import type { Migration } from './types.js';

export const migration007: Migration = {
  version: 7,
  name: 'pin-recovery-codes',
  async up(db) {
    await db.schema
      .createTable('pin_recovery_codes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
      .addColumn('code_hash', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addColumn('replaced_at', 'text')
      .execute();
    await db.schema
      .createIndex('pin_recovery_codes_device')
      .on('pin_recovery_codes')
      .columns(['device_id', 'created_at'])
      .execute();
  },
};
