// 005: session versions, so that disabling a user, changing their role or their password ends
// their sessions at once instead of when the 15-minute access token lapses.
// `users.token_version` is bumped by each such change; access tokens carry the version they
// were signed with (claim `ver`) and the auth hook compares it with the row it reads by
// primary key. `refresh_tokens.token_version` records the user's version at issue, so a
// refresh token issued before (or racing with) a bump is refused as well.
// Existing rows start at 0 on both sides: sessions alive at upgrade keep working.
// Never edit once shipped: add 006.
import type { Migration } from './types.js';

export const migration005: Migration = {
  version: 5,
  name: 'session-versions',
  async up(db) {
    await db.schema
      .alterTable('users')
      .addColumn('token_version', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('refresh_tokens')
      .addColumn('token_version', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};
