// Two server instances on one PostgreSQL database: nothing they need to agree on lives in
// process memory, so a kiosk or a user can hit either one at any time.
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, call, createUser, login, seed, type Seeded } from '../test/app.js';
import { openTestPostgres, testDialects, TEST_DATABASE_URL } from '../test/databases.js';
import { openPostgres, type Database } from './db/database.js';

const postgres = (await testDialects()).find((d) => d.name === 'postgres');

describe.skipIf(!postgres?.available)('two instances on one PostgreSQL', () => {
  let primary: Awaited<ReturnType<typeof openTestPostgres>>;
  let secondDb: Database;
  let a: FastifyInstance;
  let b: FastifyInstance;
  let s: Seeded;

  beforeAll(async () => {
    primary = await openTestPostgres();
    secondDb = openPostgres(TEST_DATABASE_URL, { schema: primary.schema, poolSize: 3 });
    const first = await buildTestApp(primary);
    a = first.app;
    // Same JWT secret, separate pool, separate process state.
    b = (await buildTestApp(secondDb, { config: { jwtSecret: first.config.jwtSecret } })).app;
    s = await seed(first, primary);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await secondDb?.close();
    await primary?.cleanup();
  });

  it('pairs on one, syncs on the other, and revocation on either is seen by both', async () => {
    const device = await call<{ id: string; pairingCode: string }>(a, s.adminToken, 'POST', '/api/devices', {
      roomId: s.roomId,
    });
    const paired = await call<{ token: string }>(b, null, 'POST', '/api/devices/pair', {
      code: device.pairingCode,
      name: 'Kiosk',
    });
    const reuse = await a.inject({
      method: 'POST',
      url: '/api/devices/pair',
      payload: { code: device.pairingCode, name: 'Thief' },
    });
    expect(reuse.statusCode).toBe(401);

    const event = {
      id: randomUUID(),
      kind: 'mark',
      studentId: s.students[0]?.id,
      sessionId: s.sessionId,
      status: 'present',
      occurredAt: `${s.date}T08:31:00Z`,
    };
    const first = await a.inject({
      method: 'POST',
      url: '/api/sync/attendance',
      headers: bearer(paired.token),
      payload: { events: [event] },
    });
    expect(first.json()).toEqual({ results: [{ id: event.id, status: 'accepted' }] });
    const retried = await b.inject({
      method: 'POST',
      url: '/api/sync/attendance',
      headers: bearer(paired.token),
      payload: { events: [event] },
    });
    expect(retried.json()).toEqual({ results: [{ id: event.id, status: 'duplicate' }] });

    const pageA = await a.inject({
      method: 'GET',
      url: '/api/sync/roster?since=0',
      headers: bearer(paired.token),
    });
    const pageB = await b.inject({
      method: 'GET',
      url: '/api/sync/roster?since=0',
      headers: bearer(paired.token),
    });
    expect(pageA.json()).toEqual(pageB.json());

    await call(b, s.adminToken, 'POST', `/api/devices/${device.id}/revoke`);
    const after = await a.inject({ method: 'GET', url: '/api/sync/roster', headers: bearer(paired.token) });
    expect(after.statusCode).toBe(401);
  });

  it('a refresh token from one instance rotates on the other, and its replay is caught there', async () => {
    const admin = await createUser(primary, 'admin');
    await login(a, admin.email, admin.password);
    const tokens = (
      await a.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: admin.email, password: admin.password },
      })
    ).json() as { refreshToken: string };
    const rotated = await b.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refreshToken: tokens.refreshToken },
    });
    expect(rotated.statusCode).toBe(200);
    const replay = await a.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refreshToken: tokens.refreshToken },
    });
    expect(replay.json()).toMatchObject({ error: 'refresh_token_reused' });
  });

  it('a user disabled or demoted through one instance is refused by the other on the next request', async () => {
    const teacher = await createUser(primary, 'teacher');
    const teacherToken = await login(b, teacher.email, teacher.password);
    const admin = await createUser(primary, 'admin');
    const demotedToken = await login(b, admin.email, admin.password);
    expect(
      (await b.inject({ method: 'GET', url: '/api/users', headers: bearer(demotedToken) })).statusCode,
    ).toBe(200);

    await call(a, s.adminToken, 'PATCH', `/api/users/${teacher.id}`, { disabled: true });
    await call(a, s.adminToken, 'PATCH', `/api/users/${admin.id}`, { role: 'teacher' });
    const disabled = await b.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(teacherToken) });
    expect(disabled.statusCode).toBe(401);
    expect(disabled.json()).toMatchObject({ error: 'account_disabled' });
    const demoted = await b.inject({ method: 'GET', url: '/api/users', headers: bearer(demotedToken) });
    expect(demoted.statusCode).toBe(401);
    expect(demoted.json()).toMatchObject({ error: 'session_revoked' });
  });

  it('settings changed on one instance apply on the other', async () => {
    await call(a, s.adminToken, 'PATCH', '/api/settings', { retainPhotos: true });
    expect(await call(b, s.adminToken, 'GET', '/api/settings')).toEqual({
      retainPhotos: true,
      silentKioskMinutes: 30,
      doorTemplates: false,
    });
  });
});
