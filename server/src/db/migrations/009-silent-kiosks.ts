// 009: silent-kiosk alerts. `devices.silence_alerted_for` holds the `last_seen_at` of the silence
// episode admins were last emailed about: a kiosk heard from again has a newer `last_seen_at`,
// so its next silence is a new episode, without the sync hot path writing anything extra.
// Never edit once shipped: add 010.
import type { Migration } from './types.js';

export const migration009: Migration = {
  version: 9,
  name: 'silent-kiosks',
  async up(db) {
    await db.schema.alterTable('devices').addColumn('silence_alerted_for', 'text').execute();
  },
};
