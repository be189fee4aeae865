// Edits that read a row and then write it must write only what they change. On PostgreSQL
// (read committed) the row read may already be stale when the UPDATE gets the row lock, and
// writing it back whole would undo a concurrent edit: a rename racing an admin's "disable"
// would re-enable the account; a site rename racing a time zone fix would put the old zone
// back, in the database and at every kiosk of the site.
import { sql, type Transaction } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openTestPostgres, testDialects, type TestDatabase } from '../../test/databases.js';
import { backendPid, waitUntilBlockedBy } from '../../test/lock-waits.js';
import type { DB } from '../db/schema.js';
import { readChanges } from './changes.js';
import { createSite, updateSite } from './rooms.js';
import { insertUser, updateUser } from './users.js';

const dialects = await testDialects();
const postgres = dialects.find((d) => d.name === 'postgres');

/**
 * Runs `first` in a transaction kept open (its row lock held) while `second` reads the committed
 * row and reaches its own UPDATE; then commits `first` and lets `second` finish.
 */
async function race(
  database: TestDatabase,
  first: (trx: Transaction<DB>) => Promise<void>,
  second: () => Promise<unknown>,
): Promise<void> {
  let commitFirst!: () => void;
  const held = new Promise<void>((resolve) => (commitFirst = resolve));
  let firstWritten!: (pid: number) => void;
  const written = new Promise<number>((resolve) => (firstWritten = resolve));
  const firstTrx = database.db.transaction().execute(async (trx) => {
    await first(trx);
    firstWritten(await backendPid(trx));
    await held;
  });
  const holder = await written;
  const secondDone = second();
  // The second edit's UPDATE waits on the first's row lock before the first commits.
  await waitUntilBlockedBy(database.db, holder, { racing: secondDone });
  commitFirst();
  await firstTrx;
  await secondDone;
}

// SQLite runs every statement on one connection, so this interleaving needs PostgreSQL.
describe.skipIf(!postgres?.available)('edits racing another edit of the same row on PostgreSQL', () => {
  it('a user rename that read the row before a concurrent disable leaves the account disabled', async () => {
    const database = await openTestPostgres();
    try {
      const now = new Date().toISOString();
      const user = await insertUser(
        database.db,
        { email: 'race@school.example', name: 'Before', role: 'teacher', passwordHash: 'x' },
        now,
      );
      await race(
        database,
        async (trx) => {
          await trx
            .updateTable('users')
            .set({ disabled: 1, token_version: sql`token_version + 1` })
            .where('id', '=', user.id)
            .execute();
        },
        () => updateUser(database.db, user.id, { name: 'After' }, now),
      );
      const row = await database.db
        .selectFrom('users')
        .select(['name', 'disabled', 'token_version'])
        .where('id', '=', user.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ name: 'After', disabled: 1, token_version: 1 });
    } finally {
      await database.cleanup();
    }
  });

  it('a site rename racing a time zone fix keeps the new zone, and so does the record kiosks pull', async () => {
    const database = await openTestPostgres();
    try {
      const now = new Date().toISOString();
      const site = await createSite(
        database.db,
        { name: 'North', timezone: 'UTC' },
        { kind: 'cli', id: null },
        now,
      );
      const renamed = { value: null as unknown };
      await race(
        database,
        async (trx) => {
          await trx.updateTable('sites').set({ timezone: 'Europe/Oslo' }).where('id', '=', site.id).execute();
        },
        async () =>
          (renamed.value = await updateSite(
            database.db,
            site.id,
            { name: 'North campus' },
            { kind: 'system', id: null },
            now,
          )),
      );
      const row = await database.db
        .selectFrom('sites')
        .select(['name', 'timezone'])
        .where('id', '=', site.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ name: 'North campus', timezone: 'Europe/Oslo' });
      expect(renamed.value).toEqual({
        id: site.id,
        name: 'North campus',
        timezone: 'Europe/Oslo',
        arrivalMinutes: 10,
      });
      const logged = (await readChanges(database, site.id, 0, 100)).rows.filter((r) => r.entity === 'site');
      expect(logged.map((r) => JSON.parse(String(r.data)) as unknown)).toEqual([
        { id: site.id, name: 'North campus', timezone: 'Europe/Oslo', arrivalMinutes: 10 },
      ]);
    } finally {
      await database.cleanup();
    }
  });
});
