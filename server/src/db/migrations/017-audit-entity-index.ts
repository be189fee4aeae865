// 017: index the audit log by record id (`audit_log.entity_id`). Erasing a student looks up the
// rows of their correction events by id to blank the statuses in them
// (`blankCorrectionStatuses`), and the Audit page filters by a record; with only 001's index on
// `at`, both read the whole log, which only grows. Keyed by the id alone: ids are random UUIDs,
// so one id is a handful of rows, and the `entity = 'attendance_event'` test is done on those.
// Never edit once shipped: add 018.
import type { Migration } from './types.js';

export const migration017: Migration = {
  version: 17,
  name: 'audit-entity-index',
  async up(db) {
    await db.schema.createIndex('audit_log_entity_id').on('audit_log').column('entity_id').execute();
  },
};
