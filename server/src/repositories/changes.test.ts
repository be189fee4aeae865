import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openTestPostgres, testDialects, type TestDatabase } from '../../test/databases.js';
import { appendChanges, changesToJson, readChanges } from './changes.js';

const dialects = await testDialects();
const postgres = dialects.find((d) => d.name === 'postgres');

/** Where the counter stands: a migrated database already logs its sites (migration 006). */
async function lastSeq(database: TestDatabase): Promise<number> {
  return Number(
    (await database.db.selectFrom('change_counter').select('last_seq').executeTakeFirstOrThrow()).last_seq,
  );
}

describe.each(dialects)('change log on $name', (dialect) => {
  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it('numbers changes from one counter, compacts per record and pages by site', async () => {
      const database = await dialect.open();
      try {
        const now = new Date().toISOString();
        const base = await lastSeq(database);
        await database.db.transaction().execute((trx) =>
          appendChanges(
            trx,
            [
              { siteId: 'main', entity: 'student', entityId: 's1', data: { id: 's1', name: 'A' } },
              { siteId: 'main', entity: 'student', entityId: 's2', data: { id: 's2', name: 'B' } },
              { siteId: 'other', entity: 'student', entityId: 's3', data: { id: 's3', name: 'C' } },
            ],
            now,
          ),
        );
        // s1 changes again: it moves to a new, higher seq; its old seq disappears.
        await database.db
          .transaction()
          .execute((trx) =>
            appendChanges(trx, [{ siteId: 'main', entity: 'student', entityId: 's1', data: null }], now),
          );
        const page = await readChanges(database, 'main', 0, 10);
        expect(page.rows.map((r) => [r.entity_id, r.seq, r.op])).toEqual([
          ['s2', base + 2, 'upsert'],
          ['s1', base + 4, 'delete'],
        ]);
        expect(JSON.parse(changesToJson(page.rows).toString('utf8'))).toEqual([
          { seq: base + 2, entity: 'student', op: 'upsert', id: 's2', data: { id: 's2', name: 'B' } },
          { seq: base + 4, entity: 'student', op: 'delete', id: 's1' },
        ]);
        const first = await readChanges(database, 'main', 0, 1);
        expect(first.hasMore).toBe(true);
        expect((await readChanges(database, 'main', base + 2, 1)).hasMore).toBe(false);
      } finally {
        await database.cleanup();
      }
    });

    it('returns the stored JSON byte for byte, whatever the text and the site id hold', async () => {
      const database = await dialect.open();
      try {
        // Quotes, a backslash, control characters and multi-byte UTF-8, in the data, the ids and
        // the site id.
        const siteId = `o'k\\site "x"`;
        const awkward = { id: 's1', name: 'Zoë "Z" O\'Brien \\ Ørsted\t李雷\n😀', studentNumber: '\u0001' };
        const now = new Date().toISOString();
        const base = await lastSeq(database);
        await database.db.transaction().execute((trx) =>
          appendChanges(
            trx,
            [
              { siteId, entity: 'student', entityId: 'é/1', data: awkward },
              { siteId, entity: 'template', entityId: 't1', data: null },
              { siteId: 'default', entity: 'student', entityId: 's9', data: { id: 's9' } },
            ],
            now,
          ),
        );
        const page = await readChanges(database, siteId, 0, 10);
        expect(page.hasMore).toBe(false);
        expect(
          page.rows.map((r) => [r.seq, r.entity, r.entity_id, r.op, r.data?.toString('utf8') ?? null]),
        ).toEqual([
          [base + 1, 'student', 'é/1', 'upsert', JSON.stringify(awkward)],
          [base + 2, 'template', 't1', 'delete', null],
        ]);
        expect(JSON.parse(changesToJson(page.rows).toString('utf8'))).toEqual([
          { seq: base + 1, entity: 'student', op: 'upsert', id: 'é/1', data: awkward },
          { seq: base + 2, entity: 'template', op: 'delete', id: 't1' },
        ]);
        expect((await readChanges(database, 'no such site', 0, 10)).rows).toEqual([]);
      } finally {
        await database.cleanup();
      }
    });

    it('refuses a cursor or page size that is not a whole number', async () => {
      const database = await dialect.open();
      try {
        await expect(readChanges(database, 'default', 1.5, 10)).rejects.toThrow(
          /since must be a non-negative integer/,
        );
        await expect(readChanges(database, 'default', -1, 10)).rejects.toThrow(
          /since must be a non-negative integer/,
        );
        await expect(readChanges(database, 'default', 0, 0)).rejects.toThrow(
          /limit must be a positive integer/,
        );
      } finally {
        await database.cleanup();
      }
    });

    it('writes nothing when the surrounding transaction rolls back', async () => {
      const database = await dialect.open();
      try {
        const before = {
          rows: (await readChanges(database, 'default', 0, 10)).rows,
          seq: await lastSeq(database),
        };
        await expect(
          database.db.transaction().execute(async (trx) => {
            await appendChanges(
              trx,
              [{ siteId: 'default', entity: 'room', entityId: 'r1', data: { id: 'r1', name: 'x' } }],
              new Date().toISOString(),
            );
            throw new Error('the change itself failed');
          }),
        ).rejects.toThrow();
        expect((await readChanges(database, 'default', 0, 10)).rows).toEqual(before.rows);
        expect(await lastSeq(database)).toBe(before.seq);
      } finally {
        await database.cleanup();
      }
    });
  });
});

describe.skipIf(!postgres?.available)('change log ordering with concurrent writers on PostgreSQL', () => {
  it('a reader following the cursor never skips a change that commits later with a smaller seq', async () => {
    const database = await openTestPostgres({ poolSize: 12 });
    try {
      const writers = 8;
      const perWriter = 6;
      let done = false;
      const seen = new Set<number>();
      const reader = (async () => {
        let cursor = 0;
        while (!done) {
          const page = await readChanges(database, 'concurrent', cursor, 1000);
          for (const r of page.rows) {
            seen.add(r.seq);
            cursor = Math.max(cursor, r.seq);
          }
        }
        // One last read after every writer committed.
        const page = await readChanges(database, 'concurrent', cursor, 1000);
        page.rows.forEach((r) => seen.add(r.seq));
      })();
      await Promise.all(
        Array.from({ length: writers }, (_, w) =>
          (async () => {
            for (let i = 0; i < perWriter; i++) {
              await database.db.transaction().execute(async (trx) => {
                await appendChanges(
                  trx,
                  [{ siteId: 'concurrent', entity: 'student', entityId: `w${w}-${i}`, data: { i } }],
                  new Date().toISOString(),
                );
                // Hold the transaction open after taking a seq: with a plain sequence, other
                // writers would commit higher seqs meanwhile and the reader would skip this one.
                await sql`select pg_sleep(${Math.random() * 0.02})`.execute(trx);
              });
            }
          })(),
        ),
      );
      done = true;
      await reader;
      const all = (await readChanges(database, 'concurrent', 0, 1000)).rows.map((r) => r.seq);
      expect(all).toHaveLength(writers * perWriter);
      expect([...seen].sort((a, b) => a - b)).toEqual(all);
    } finally {
      await database.cleanup();
    }
  });
});
