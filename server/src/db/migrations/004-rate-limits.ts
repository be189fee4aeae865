// 004: rate-limit counters in the database (server/src/rate-limit-store.ts), so that login,
// refresh and pairing limits hold across all server instances instead of N× per process.
// Never edit once shipped: add 005.
import { columnTypes, type Migration } from './types.js';

export const migration004: Migration = {
  version: 4,
  name: 'rate-limits',
  async up(db, dialect) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable('rate_limits')
      // "<method> <route>\n<client key>"
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('window_start_ms', t.bigint, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rate_limits_window').on('rate_limits').column('window_start_ms').execute();
  },
};
