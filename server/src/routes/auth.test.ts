import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, createUser, login, type TestApp } from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';
import { signAccessToken } from '../services/tokens.js';

const dialects = await testDialects();

describe.each(dialects)('auth on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof createUser>>;
  let teacher: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database);
    admin = await createUser(database, 'admin');
    teacher = await createUser(database, 'teacher');
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it('logs in and answers who the token belongs to', async () => {
      const token = await login(t.app, admin.email.toUpperCase(), admin.password);
      const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) });
      expect(me.json()).toMatchObject({ id: admin.id, role: 'admin' });
    });

    it('refuses a wrong password and an unknown email alike', async () => {
      const wrong = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: admin.email, password: 'wrong password' },
      });
      const unknown = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'ghost@school.example', password: 'wrong password' },
      });
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(wrong.json()).toEqual(unknown.json());
    });

    it('answers 401 to a missing, forged or expired token and 403 to the wrong role', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/api/users' })).statusCode).toBe(401);
      const forged = signAccessToken(
        'another-secret-another-secret-another',
        { sub: admin.id, role: 'admin', email: admin.email, ver: 0 },
        900,
      );
      const f = await t.app.inject({ method: 'GET', url: '/api/users', headers: bearer(forged) });
      expect(f.statusCode).toBe(401);
      expect(f.json()).toMatchObject({ error: 'bad_token' });
      const expired = signAccessToken(
        t.config.jwtSecret,
        { sub: admin.id, role: 'admin', email: admin.email, ver: 0 },
        900,
        t.clock.now().getTime() - 16 * 60_000,
      );
      const e = await t.app.inject({ method: 'GET', url: '/api/users', headers: bearer(expired) });
      expect(e.statusCode).toBe(401);
      expect(e.json()).toMatchObject({ error: 'token_expired' });
      const teacherToken = await login(t.app, teacher.email, teacher.password);
      const forbidden = await t.app.inject({
        method: 'GET',
        url: '/api/users',
        headers: bearer(teacherToken),
      });
      expect(forbidden.statusCode).toBe(403);
      const createStudent = await t.app.inject({
        method: 'POST',
        url: '/api/students',
        headers: bearer(teacherToken),
        payload: { studentNumber: 'X1', name: 'X' },
      });
      expect(createStudent.statusCode).toBe(403);
    });

    it('access tokens expire after 15 minutes', async () => {
      const token = await login(t.app, admin.email, admin.password);
      t.clock.advance(15 * 60_000 + 1000);
      try {
        const res = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) });
        expect(res.statusCode).toBe(401);
      } finally {
        t.clock.advance(-(15 * 60_000 + 1000));
      }
    });

    it('rotates refresh tokens and revokes the family when an old one is replayed', async () => {
      const first = (
        await t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: admin.email, password: admin.password },
        })
      ).json() as { refreshToken: string };
      const second = await t.app.inject({
        method: 'POST',
        url: '/api/auth/refresh',
        payload: { refreshToken: first.refreshToken },
      });
      expect(second.statusCode).toBe(200);
      const rotated = second.json() as { refreshToken: string; accessToken: string };
      expect(rotated.refreshToken).not.toBe(first.refreshToken);
      const replay = await t.app.inject({
        method: 'POST',
        url: '/api/auth/refresh',
        payload: { refreshToken: first.refreshToken },
      });
      expect(replay.statusCode).toBe(401);
      expect(replay.json()).toMatchObject({ error: 'refresh_token_reused' });
      // The thief's replay also kills the legitimate, rotated token.
      const afterTheft = await t.app.inject({
        method: 'POST',
        url: '/api/auth/refresh',
        payload: { refreshToken: rotated.refreshToken },
      });
      expect(afterTheft.statusCode).toBe(401);
    });

    it('an admin creates a teacher account that can log in; duplicates are 409', async () => {
      const adminToken = await login(t.app, admin.email, admin.password);
      const email = `new-teacher-${Date.now()}@school.example`;
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/users',
        headers: bearer(adminToken),
        payload: { email, name: 'New Teacher', password: 'long enough pw' },
      });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ email, role: 'teacher', disabled: false });
      expect(created.body).not.toContain('password');
      await login(t.app, email, 'long enough pw');
      const dup = await t.app.inject({
        method: 'POST',
        url: '/api/users',
        headers: bearer(adminToken),
        payload: { email, name: 'Again', password: 'long enough pw' },
      });
      expect(dup.statusCode).toBe(409);
      const weak = await t.app.inject({
        method: 'POST',
        url: '/api/users',
        headers: bearer(adminToken),
        payload: { email: 'x@school.example', name: 'X', password: 'short' },
      });
      expect(weak.statusCode).toBe(400);
      expect((weak.json() as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['password']);
    });

    it('disabling a user ends their refresh tokens and logins; an admin cannot disable themselves', async () => {
      const adminToken = await login(t.app, admin.email, admin.password);
      const victim = await createUser(database, 'teacher');
      const tokens = (
        await t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: victim.email, password: victim.password },
        })
      ).json() as { refreshToken: string };
      const res = await t.app.inject({
        method: 'PATCH',
        url: `/api/users/${victim.id}`,
        headers: bearer(adminToken),
        payload: { disabled: true },
      });
      expect(res.json()).toMatchObject({ disabled: true });
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: '/api/auth/refresh',
            payload: { refreshToken: tokens.refreshToken },
          })
        ).statusCode,
      ).toBe(401);
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: '/api/auth/login',
            payload: { email: victim.email, password: victim.password },
          })
        ).statusCode,
      ).toBe(401);
      const self = await t.app.inject({
        method: 'PATCH',
        url: `/api/users/${admin.id}`,
        headers: bearer(adminToken),
        payload: { disabled: true },
      });
      expect(self.statusCode).toBe(400);
      expect(self.json()).toMatchObject({ error: 'self_lockout' });
      const missing = await t.app.inject({
        method: 'PATCH',
        url: '/api/users/nobody',
        headers: bearer(adminToken),
        payload: { name: 'X' },
      });
      expect(missing.statusCode).toBe(404);
    });

    it('stores refresh tokens hashed', async () => {
      const res = (
        await t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: admin.email, password: admin.password },
        })
      ).json() as { refreshToken: string };
      const raw = await database.db
        .selectFrom('refresh_tokens')
        .select('token_hash')
        .where('token_hash', '=', res.refreshToken)
        .execute();
      expect(raw).toHaveLength(0);
    });

    it('logout revokes the refresh token', async () => {
      const res = (
        await t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: admin.email, password: admin.password },
        })
      ).json() as { refreshToken: string };
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/logout',
        payload: { refreshToken: res.refreshToken },
      });
      const after = await t.app.inject({
        method: 'POST',
        url: '/api/auth/refresh',
        payload: { refreshToken: res.refreshToken },
      });
      expect(after.statusCode).toBe(401);
    });
  });
});

describe('login rate limit', () => {
  it('answers 429 with Retry-After after too many attempts', async () => {
    const { openTestSqlite } = await import('../../test/databases.js');
    const database = await openTestSqlite();
    const t = await buildTestApp(database, { config: { loginRateLimitPerMinute: 3 } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: 'x@school.example', password: 'guess guess' },
        });
        codes.push(res.statusCode);
        if (res.statusCode === 429) {
          expect(res.headers['retry-after']).toBeDefined();
          expect(res.json()).toMatchObject({ error: 'too_many_requests' });
        }
      }
      expect(codes).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await t.app.close();
      await database.cleanup();
    }
  });
});
