// A date range whose end is before its start is refused naming the field to correct, so the
// console shows the message beside "Last day" (closures, terms) rather than at the form's top.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, seed, type Seeded, type TestApp } from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';

const dialects = await testDialects();

describe.each(dialects)('calendar date ranges on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;
  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database);
    s = await seed(t, database, { students: 1 });
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  it.skipIf(!dialect.available)('an end before the start is a 400 naming endDate', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/sites/default/closures',
      headers: bearer(s.adminToken),
      payload: { name: 'Backwards', startDate: '2026-12-24', endDate: '2026-12-20' },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: string; issues?: { path: string; message: string }[] };
    expect(body.error).toBe('bad_range');
    expect(body.issues?.map((i) => i.path)).toEqual(['endDate']);
  });
});
