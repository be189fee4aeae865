// What `npm run server` tells whoever just started it, once it listens: where the staff console
// is, and, while nobody can sign in to it as an admin, the command that creates the first admin
// (a fresh server's console otherwise only says "wrong email or password").
import type { Kysely } from 'kysely';
import type { DB } from './db/schema.js';

export const CREATE_ADMIN_COMMAND =
  'npm run server:create-admin -- --email <your email> [--name <your name>]';

export interface StartupHints {
  /** The console's address: the one the server listens on, with `/`. */
  consoleUrl: string;
  /** Set while the database holds no admin who can sign in (none, or all disabled). */
  noAdmin: string | null;
}

export async function startupHints(db: Kysely<DB>, address: string): Promise<StartupHints> {
  const admin = await db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'admin')
    .where('disabled', '=', 0)
    .limit(1)
    .executeTakeFirst();
  const consoleUrl = `${address.replace(/\/+$/, '')}/`;
  return {
    consoleUrl,
    noAdmin: admin
      ? null
      : `no admin can sign in yet: create the first one with \`${CREATE_ADMIN_COMMAND}\` ` +
        `(in the same environment as this server: DATA_DIR or DATABASE_URL), then sign in at ${consoleUrl}`,
  };
}
