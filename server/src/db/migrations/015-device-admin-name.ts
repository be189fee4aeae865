// 015: `devices.admin_named`, 1 when an admin gave the kiosk its name in the console (when
// creating it, or renaming it later). Pairing and re-pairing keep such a name; the name a kiosk
// reports when it pairs (typed by whoever holds its PIN) is used only while no admin named it.
// Existing paired devices start at 0: until now every pairing replaced the console's name, so the
// name they hold is the kiosk's (an admin renames them to keep one). A device still waiting for
// its first pairing holds what the admin typed when creating it, unless that is the placeholder
// "Kiosk at <room>" the console gives a device created without a name: those start at 1, so the
// pairing the admin is about to do keeps it. Never edit once shipped: add 016.
import type { Migration } from './types.js';

export const migration015: Migration = {
  version: 15,
  name: 'device-admin-name',
  async up(db) {
    await db.schema
      .alterTable('devices')
      .addColumn('admin_named', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db
      .updateTable('devices')
      .set({ admin_named: 1 })
      .where('paired_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('name', 'not like', 'Kiosk at %')
      .execute();
  },
};
