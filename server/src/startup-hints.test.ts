// The first words of `npm run server`: where the console is and, until an admin can sign in,
// the command that creates the first one.
import { describe, expect, it } from 'vitest';
import { testDialects } from '../test/databases.js';
import { insertUser } from './repositories/users.js';
import { startupHints } from './startup-hints.js';

const dialects = await testDialects();

describe.each(dialects)('startup hints on $name', (dialect) => {
  it.skipIf(!dialect.available)(
    'name the console, and the create-admin command while no admin can sign in',
    async () => {
      const database = await dialect.open();
      try {
        const hints = () => startupHints(database.db, 'http://127.0.0.1:8000');
        const fresh = await hints();
        expect(fresh.consoleUrl).toBe('http://127.0.0.1:8000/');
        expect(fresh.noAdmin).toMatch(/npm run server:create-admin -- --email <your email>/);
        expect(fresh.noAdmin).toMatch(/then sign in at http:\/\/127\.0\.0\.1:8000\/$/);

        const now = new Date().toISOString();
        // A teacher cannot set the school up: still no admin.
        await insertUser(
          database.db,
          { email: 'tess@school.example', name: 'Tess', role: 'teacher', passwordHash: 'x' },
          now,
        );
        expect((await hints()).noAdmin).not.toBeNull();

        const admin = await insertUser(
          database.db,
          { email: 'ada@school.example', name: 'Ada', role: 'admin', passwordHash: 'x' },
          now,
        );
        expect((await hints()).noAdmin).toBeNull();

        // The only admin disabled: nobody can sign in to manage the school any more.
        await database.db.updateTable('users').set({ disabled: 1 }).where('id', '=', admin.id).execute();
        expect((await hints()).noAdmin).not.toBeNull();
      } finally {
        await database.cleanup();
      }
    },
  );
});
