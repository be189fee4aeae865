// The security review's server findings, each as a test that failed before the fix:
// authentication before the body (6), report ranges checked before any work (4), a spoofed
// X-Forwarded-For cannot reset the login limit (5), nor one sent past the proxy (32), /metrics
// closed by default (7).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, call, createUser, seed, type Seeded, type TestApp } from '../test/app.js';
import { testDialects, type TestDatabase } from '../test/databases.js';
import { configFromEnv, ConfigError, parseEnv } from './config.js';
import { assertRange } from './reports/service.js';
import { LIST_PAGE_MAX } from './schemas/common.js';
import { METRICS_SCRAPES_PER_MINUTE } from './scrape-limit.js';
import { parse as parseYaml } from 'yaml';

const sqlite = (await testDialects()).find((d) => d.name === 'sqlite');
if (!sqlite) throw new Error('no sqlite dialect');

describe('authentication before the body is read', () => {
  let database: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    database = await sqlite.open();
    t = await buildTestApp(database);
  });
  afterAll(async () => {
    await t.app.close();
    await database.cleanup();
  });

  it('an anonymous attendance push with an empty batch is 401, not the schema complaint', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/sync/attendance', payload: { events: [] } });
    expect(res.statusCode).toBe(401);
  });

  it('an anonymous 15 MB template push is refused 401 without being parsed', async () => {
    const big = JSON.stringify({ templates: [{ junk: 'x'.repeat(15 * 1024 * 1024) }] });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/sync/templates',
      headers: { 'content-type': 'application/json' },
      payload: big,
    });
    expect(res.statusCode).toBe(401);
  });

  it('a bad device token with a malformed body is 401 too', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/sync/attendance',
      headers: { ...bearer('nope'), 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(res.statusCode).toBe(401);
  });

  it('an anonymous admin write is 401 whatever the body', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/students', payload: { bogus: true } });
    expect(res.statusCode).toBe(401);
  });

  it('bodies of routes open to anonymous callers are capped at 16 KiB', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'a@b.example', password: 'x'.repeat(20 * 1024) },
    });
    expect(res.statusCode).toBe(413);
    const pair = await t.app.inject({
      method: 'POST',
      url: '/api/devices/pair',
      payload: { code: 'x'.repeat(20 * 1024), name: 'k', appVersion: '1' },
    });
    expect(pair.statusCode).toBe(413);
  });
});

describe('report ranges are checked before any work', () => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;
  beforeAll(async () => {
    database = await sqlite.open();
    t = await buildTestApp(database);
    s = await seed(t, database, { students: 1 });
  });
  afterAll(async () => {
    await t.app.close();
    await database.cleanup();
  });

  it('assertRange is arithmetic: ten thousand years are refused without listing their days', () => {
    const started = performance.now();
    expect(() => assertRange('0001-01-01', '9999-12-31')).toThrow(/at most 366 days/);
    // Listing 3.65 million dates first took 2.4-5.8 s; the arithmetic takes microseconds. The
    // bound is generous on purpose (a busy CI machine), far below the old cost.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(() => assertRange('2026-01-01', '2026-12-31')).not.toThrow();
    expect(() => assertRange('2024-01-01', '2024-12-31')).not.toThrow(); // 366 days, a leap year
    expect(() => assertRange('2024-01-01', '2025-01-01')).toThrow(/366/);
  });

  it.each(['from=0001-01-01&to=9999-12-31', 'from=0001-01-01'])(
    'a class report with %s is 400 range_too_long',
    async (q) => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/reports/classes/${s.classId}?${q}`,
        headers: bearer(s.teacherToken),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('range_too_long');
    },
  );

  it('a student report with a 10,000-year range is 400 too', async () => {
    const studentId = s.students[0]?.id ?? '';
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/reports/students/${studentId}?from=0001-01-01&to=9999-12-31`,
      headers: bearer(s.adminToken),
    });
    expect(res.statusCode).toBe(400);
  });
});

describe('every list has a capped page (finding 4)', () => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;
  const lists = () => [
    '/api/classes',
    '/api/rooms',
    '/api/sites',
    '/api/users',
    '/api/devices',
    `/api/classes/${s.classId}/enrolments`,
    `/api/classes/${s.classId}/schedules`,
  ];
  beforeAll(async () => {
    database = await sqlite.open();
    t = await buildTestApp(database);
    s = await seed(t, database, { students: 5 });
    for (let i = 0; i < 4; i++) {
      await createUser(database, 'teacher');
      await call(t.app, s.adminToken, 'POST', '/api/sites', { name: `Site ${i}`, timezone: 'Europe/Paris' });
      const room = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/rooms', {
        name: `Extra room ${i}`,
        siteId: 'default',
      });
      await call(t.app, s.adminToken, 'POST', '/api/classes', { name: `Extra ${i}`, siteId: 'default' });
      await call(t.app, s.adminToken, 'POST', '/api/devices', { roomId: room.id });
      await call(t.app, s.adminToken, 'POST', `/api/classes/${s.classId}/schedules`, {
        roomId: room.id,
        weekday: 2 + i,
        startTime: '10:00',
        endTime: '11:00',
        graceMinutes: 5,
      });
    }
  });
  afterAll(async () => {
    await t.app.close();
    await database.cleanup();
  });

  it('a limit above the cap is 400, as on the other paged lists', async () => {
    for (const url of lists()) {
      const res = await t.app.inject({
        method: 'GET',
        url: `${url}?limit=${LIST_PAGE_MAX + 1}`,
        headers: bearer(s.adminToken),
      });
      expect(res.statusCode, url).toBe(400);
      const ok = await t.app.inject({
        method: 'GET',
        url: `${url}?limit=${LIST_PAGE_MAX}`,
        headers: bearer(s.adminToken),
      });
      expect(ok.statusCode, url).toBe(200);
    }
  });

  it('pages of 2 return every row once, in the order of the whole list', async () => {
    for (const url of lists()) {
      const whole = await call<{ id: string }[]>(t.app, s.adminToken, 'GET', url);
      expect(whole.length, url).toBeGreaterThanOrEqual(4); // several pages of 2
      const paged: string[] = [];
      for (let offset = 0; ; offset += 2) {
        const page = await call<{ id: string }[]>(
          t.app,
          s.adminToken,
          'GET',
          `${url}?limit=2&offset=${offset}`,
        );
        expect(page.length, url).toBeLessThanOrEqual(2);
        paged.push(...page.map((r) => r.id));
        if (page.length < 2) break;
      }
      expect(paged, url).toEqual(whole.map((r) => r.id));
    }
  });
});

describe("X-Forwarded-For is believed from the configured proxies' addresses only", () => {
  it('TRUST_PROXY takes addresses and CIDRs; true, hop counts and every-address ranges are refused', () => {
    expect(() => parseEnv({ TRUST_PROXY: 'true' })).toThrow(ConfigError);
    // A hop count believes whoever connects: a client that reaches the server directly names its own address.
    expect(() => parseEnv({ TRUST_PROXY: '1' })).toThrow(/hop count.*TRUST_PROXY=10\.0\.0\.2/s);
    expect(() => parseEnv({ TRUST_PROXY: '0.0.0.0/0' })).toThrow(/every address/);
    expect(() => parseEnv({ TRUST_PROXY: '::/0' })).toThrow(/every address/);
    expect(parseEnv({ TRUST_PROXY: '10.0.0.2,10.0.0.3' }).TRUST_PROXY).toEqual(['10.0.0.2', '10.0.0.3']);
    expect(parseEnv({ TRUST_PROXY: '172.16.0.0/12' }).TRUST_PROXY).toEqual(['172.16.0.0/12']);
    expect(parseEnv({ TRUST_PROXY: '0' }).TRUST_PROXY).toBe(false);
    expect(parseEnv({}).TRUST_PROXY).toBe(false);
  });

  it('TRUST_PROXY refuses every address written another way: every IPv4 address as IPv6 (finding 38)', () => {
    // Fastify's proxy check matches an IPv4 client against an IPv4-mapped range, so this one
    // believed the X-Forwarded-For of every IPv4 client, like 0.0.0.0/0.
    for (const every of ['::ffff:0:0/96', '::ffff:0.0.0.0/96', '0:0:0:0:0:FFFF:0:0/96', '::/1', '0.0.0.0/00'])
      expect(() => parseEnv({ TRUST_PROXY: every }), every).toThrow(/every address/);
    // A proxy's own address, in either spelling, and ranges that are not everything still pass.
    for (const one of [
      '::ffff:172.28.16.10',
      '::ffff:172.28.0.0/112',
      '2001:db8::/32',
      '0.0.0.0/1',
      '10.0.0.0/8',
    ])
      expect(parseEnv({ TRUST_PROXY: one }).TRUST_PROXY, one).toEqual([one]);
  });

  /** Wrong passwords from `remoteAddress` naming `forwarded` (one entry per call); the status codes. */
  async function loginAttempts(
    t: TestApp,
    email: string,
    calls: { remoteAddress: string; forwarded?: string }[],
  ): Promise<number[]> {
    const codes: number[] = [];
    for (const c of calls) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: c.remoteAddress,
        ...(c.forwarded === undefined ? {} : { headers: { 'x-forwarded-for': c.forwarded } }),
        payload: { email, password: 'wrong password!' },
      });
      codes.push(res.statusCode);
    }
    return codes;
  }
  const rotating = (remoteAddress: string, n: number, prefix = '203.0.113') =>
    Array.from({ length: n }, (_, i) => ({ remoteAddress, forwarded: `${prefix}.${i + 1}` }));

  it('with no proxy trusted (the default), a forged X-Forwarded-For does not change the rate-limit key', async () => {
    const database = await sqlite.open();
    const t = await buildTestApp(database, {
      config: { trustProxy: configFromEnv(proxyEnv()).trustProxy, loginRateLimitPerMinute: 5 },
    });
    try {
      const admin = await createUser(database, 'admin');
      const codes = await loginAttempts(t, admin.email, rotating('127.0.0.1', 8));
      expect(codes).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    } finally {
      await t.app.close();
      await database.cleanup();
    }
  });

  it("trusting 127.0.0.1: a request from it is keyed by the address it forwards, anyone else's by its own", async () => {
    const database = await sqlite.open();
    const t = await buildTestApp(database, {
      config: {
        trustProxy: configFromEnv(proxyEnv({ TRUST_PROXY: '127.0.0.1' })).trustProxy,
        loginRateLimitPerMinute: 5,
      },
    });
    try {
      const admin = await createUser(database, 'admin');
      // Through the proxy: one client spends its own budget, the next client has a fresh one.
      const one = Array.from({ length: 6 }, () => ({
        remoteAddress: '127.0.0.1',
        forwarded: '198.51.100.7',
      }));
      expect(await loginAttempts(t, admin.email, one)).toEqual([401, 401, 401, 401, 401, 429]);
      expect(
        await loginAttempts(t, admin.email, [{ remoteAddress: '127.0.0.1', forwarded: '198.51.100.8' }]),
      ).toEqual([401]);
      // The proxy replaces the header, but should one append to a client's own, the entry it adds wins.
      expect(
        await loginAttempts(t, admin.email, [
          { remoteAddress: '127.0.0.1', forwarded: '203.0.113.99, 198.51.100.7' },
        ]),
      ).toEqual([429]);
      // Past the proxy (another container, a LAN client on a published port): its socket address,
      // whatever it forwards, which the compose file's TRUST_PROXY=1 did not do. (Another account:
      // the per-account limit of wrong passwords is not what is tested here.)
      const other = await createUser(database, 'admin');
      expect(await loginAttempts(t, other.email, rotating('10.0.0.9', 7))).toEqual([
        401, 401, 401, 401, 401, 429, 429,
      ]);
    } finally {
      await t.app.close();
      await database.cleanup();
    }
  });
});

/** The environment of a server started from `env` (config.ts), with a throw-away data folder. */
function proxyEnv(env: Record<string, string> = {}) {
  return { DATA_DIR: mkdtempSync(join(tmpdir(), 'rollcall-proxy-')), JWT_SECRET: 'x'.repeat(40), ...env };
}

describe('/metrics and the listen address are closed by default', () => {
  it('/metrics answers 401 without METRICS_TOKEN unless explicitly opened', async () => {
    const database = await sqlite.open();
    const t = await buildTestApp(database, { processMetrics: false });
    const open = await buildTestApp(database, { processMetrics: false, config: { metricsOpen: true } });
    try {
      expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      expect((await open.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    } finally {
      await t.app.close();
      await open.app.close();
      await database.cleanup();
    }
  });

  it("/metrics takes a scraper's calls but refuses a flood from one address, wrong tokens included", async () => {
    const database = await sqlite.open();
    const open = await buildTestApp(database, { processMetrics: false, config: { metricsOpen: true } });
    const closed = await buildTestApp(database, {
      processMetrics: false,
      config: { metricsToken: 'a-scrape-token-of-some-length' },
    });
    const scrape = (t: TestApp, remoteAddress: string, authorization?: string) =>
      t.app.inject({
        method: 'GET',
        url: '/metrics',
        remoteAddress,
        ...(authorization === undefined ? {} : { headers: { authorization } }),
      });
    try {
      for (let i = 0; i < METRICS_SCRAPES_PER_MINUTE; i++)
        expect((await scrape(open, '10.0.0.9')).statusCode).toBe(200);
      const refused = await scrape(open, '10.0.0.9');
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      // Another address (the real scraper) is not affected; a minute later the flooder may call again.
      expect((await scrape(open, '10.0.0.7')).statusCode).toBe(200);
      open.clock.advance(60_000);
      expect((await scrape(open, '10.0.0.9')).statusCode).toBe(200);

      // Guessing the token counts too: after the allowance even the right token waits.
      for (let i = 0; i < METRICS_SCRAPES_PER_MINUTE; i++)
        expect((await scrape(closed, '10.0.0.9', `Bearer guess-${i}`)).statusCode).toBe(401);
      expect((await scrape(closed, '10.0.0.9', 'Bearer guess-again')).statusCode).toBe(429);
      expect((await scrape(closed, '10.0.0.7', 'Bearer a-scrape-token-of-some-length')).statusCode).toBe(200);
    } finally {
      await open.app.close();
      await closed.app.close();
      await database.cleanup();
    }
  });

  it('the server listens on 127.0.0.1 unless HOST says otherwise', () => {
    expect(parseEnv({}).HOST).toBe('127.0.0.1');
    expect(parseEnv({ HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
    expect(parseEnv({ METRICS_OPEN: '1' }).METRICS_OPEN).toBe(true);
  });
});

describe('the compose deployment', () => {
  const ROOT = join(import.meta.dirname, '../..');
  const compose = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
  const nginx = readFileSync(join(ROOT, 'deploy/nginx.conf'), 'utf8');

  it('passes the server every setting docs/deployment.md tells an operator to set', () => {
    // A variable exported in the shell reaches a container only through compose's environment:
    // one left out there (PUBLIC_URL was) is silently ignored.
    const doc = parseYaml(compose) as { services: Record<string, { environment?: Record<string, string> }> };
    const passed = Object.keys(doc.services.server?.environment ?? {});
    const deployment = readFileSync(join(ROOT, 'docs/deployment.md'), 'utf8');
    const table = deployment.slice(
      deployment.indexOf('### Settings for scale'),
      deployment.indexOf('### What is shared'),
    );
    const documented = [...table.matchAll(/^\| `([A-Z_]+)` /gm)].map((m) => m[1]);
    expect(documented).toContain('PUBLIC_URL');
    expect(documented.filter((v) => !passed.includes(v!))).toEqual([]);
  });

  it("trusts the proxy's fixed address only, and nginx replaces X-Forwarded-For and X-Forwarded-Host instead of passing on what a client sent", () => {
    const doc = parseYaml(compose) as {
      services: Record<
        string,
        {
          environment?: Record<string, string>;
          networks?: Record<string, { ipv4_address?: string }>;
          ports?: unknown;
        }
      >;
      networks: { default: { ipam: { config: { subnet: string; ip_range: string }[] } } };
    };
    // Compose's own defaults, as `docker compose` reads them with nothing set.
    const resolved = (v: string | undefined) => v?.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
    const trust = resolved(doc.services.server?.environment?.TRUST_PROXY);
    const proxyAddress = resolved(doc.services.proxy?.networks?.default?.ipv4_address);
    expect(trust).toBeDefined();
    expect(parseEnv({ TRUST_PROXY: trust }).TRUST_PROXY).toEqual([proxyAddress]);
    // The proxy's address is in the network, outside the range other containers get theirs from.
    const [pool] = doc.networks.default.ipam.config;
    const inCidr = (ip: string, cidr: string) => {
      const [base, bits] = cidr.split('/');
      const n = (a: string) => a.split('.').reduce((x, o) => x * 256 + Number(o), 0);
      const size = 2 ** (32 - Number(bits));
      return Math.floor(n(ip) / size) === Math.floor(n(base ?? '') / size);
    };
    expect(inCidr(proxyAddress ?? '', resolved(pool?.subnet) ?? '')).toBe(true);
    expect(inCidr(proxyAddress ?? '', resolved(pool?.ip_range) ?? '')).toBe(false);
    expect(doc.services.server?.ports).toBeUndefined();
    expect(nginx).toMatch(/proxy_set_header X-Forwarded-For \$remote_addr;/);
    expect(nginx).not.toMatch(/\$proxy_add_x_forwarded_for/);
    expect(nginx).toMatch(/proxy_set_header X-Forwarded-Host \$host;/);
  });

  it('serves HTTPS: nginx on 443 with a certificate from TLS_DIR or one generated on first start, fingerprint printed', () => {
    expect(nginx).toMatch(/listen 443 ssl;/);
    expect(nginx).toMatch(/ssl_certificate \/etc\/rollcall-tls\/tls\.crt;/);
    expect(nginx).toMatch(/location \/ \{ return 301 https:/);
    expect(compose).toMatch(/:443"/);
    expect(compose).toMatch(/tls-cert\.sh:\/docker-entrypoint\.d\//);
    const script = readFileSync(join(ROOT, 'deploy/tls-cert.sh'), 'utf8');
    expect(script).toMatch(/openssl req -x509/);
    expect(script).toMatch(/-fingerprint -sha256/);
  });

  it('sets HOST for the container (the server alone binds loopback)', () => {
    expect(compose).toMatch(/HOST:\s*"?0\.0\.0\.0/);
  });
});
