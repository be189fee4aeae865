// Login limits must hold across server instances: two apps on one database share the count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, type TestApp } from '../test/app.js';
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
