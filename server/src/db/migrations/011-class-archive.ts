// 011: archived classes. A class is archived instead of deleted so its sessions, marks and
// reports stay (docs/server.md, "Archived classes").
// - `classes.archived_at`: when an admin archived it; null for an active class.
// - `schedules.archived_with_class`: 1 for a schedule that archiving ended (ended_on set),
//   so unarchiving reopens exactly those and not the ones an admin had removed before.
// Existing classes stay active, existing schedules were not ended by an archive.
// Never edit once shipped: add 012.
import type { Migration } from './types.js';

export const migration011: Migration = {
  version: 11,
  name: 'class-archive',
  async up(db) {
    await db.schema.alterTable('classes').addColumn('archived_at', 'text').execute();
    await db.schema
      .alterTable('schedules')
      .addColumn('archived_with_class', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};
