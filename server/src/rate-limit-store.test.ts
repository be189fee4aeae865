// Login limits must hold across server instances: two apps on one database share the count; so
// must the expiring slots that bound a user's live streams.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, TestClock, type TestApp } from '../test/app.js';
import { slotLeases } from './rate-limit-store.js';
import { testDialects, type TestDatabase } from '../test/databases.js';

const dialects = await testDialects();

describe.each(dialects)('rate limits across instances on $name', (dialect) => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let email: string;

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    a = await buildTestApp(database, { config: { loginRateLimitPerMinute: 3 }, processMetrics: false });
    b = await buildTestApp(database, { config: { loginRateLimitPerMinute: 3 }, processMetrics: false });
    b.clock.t = a.clock.t;
    email = (await createUser(database, 'teacher')).email;
  });
  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    await database?.cleanup();
  });

  const attempt = (t: TestApp, ip = '203.0.113.7') =>
    t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: ip,
      payload: { email, password: 'wrong password!' },
    });

  it.skipIf(!dialect.available)(
    'counts attempts on every instance together, per client, per window',
    async () => {
      const codes = [];
      for (const t of [a, b, a, b, a]) codes.push((await attempt(t)).statusCode);
      expect(codes).toEqual([401, 401, 401, 429, 429]);
      const limited = await attempt(b);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Another client is not affected.
      expect((await attempt(a, '198.51.100.9')).statusCode).toBe(401);
      // A new window starts after a minute, on both instances' clocks.
      a.clock.advance(61_000);
      b.clock.advance(61_000);
      expect((await attempt(b)).statusCode).toBe(401);
    },
  );

  it.skipIf(!dialect.available)('keeps the counters of different routes apart', async () => {
    // Pairing has its own counter: the login attempts above do not use it up.
    const res = await b.app.inject({
      method: 'POST',
      url: '/api/devices/pair',
      remoteAddress: '203.0.113.7',
      payload: { code: 'WRONGCODE', name: 'x' },
    });
    expect(res.statusCode).toBe(401);
  });
});

describe.each(dialects)('expiring slots on $name', (dialect) => {
  let database: TestDatabase;
  const clock = new TestClock();
  const TTL = 60_000;

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  it.skipIf(!dialect.available)(
    'gives an owner at most the limit, frees a released slot, and lets an unrenewed one lapse to another holder',
    async () => {
      // Two instances' views of one table.
      const a = slotLeases(database.db, clock, 'test-slot', TTL);
      const b = slotLeases(database.db, clock, 'test-slot', TTL);
      const held = [await a.claim('u1', 3), await b.claim('u1', 3), await a.claim('u1', 3)];
      expect(held.every((l) => l !== null)).toBe(true);
      expect(await b.claim('u1', 3)).toBeNull();
      // Another owner, or another kind of slot, has its own.
      expect(await b.claim('u2', 3)).not.toBeNull();
      expect(await slotLeases(database.db, clock, 'other-slot', TTL).claim('u1', 3)).not.toBeNull();

      await a.release(held[0]!);
      const again = await b.claim('u1', 3);
      expect(again).not.toBeNull();
      expect(await a.claim('u1', 3)).toBeNull();

      // Renewed slots stay held past the lifetime; the one not renewed lapses.
      clock.advance(TTL / 2);
      expect(await b.renew(held[1]!)).toBe(true);
      expect(await a.renew(held[2]!)).toBe(true);
      clock.advance(TTL / 2);
      const taken = await b.claim('u1', 3);
      expect(taken?.key).toBe(again?.key);
      expect(await b.claim('u1', 3)).toBeNull();
      // Its first holder learns it is no longer theirs, and giving it back leaves the new holder's alone.
      expect(await b.renew(again!)).toBe(false);
      await b.release(again!);
      expect(await a.claim('u1', 3)).toBeNull();
      expect(await b.renew(taken!)).toBe(true);
    },
  );
});
