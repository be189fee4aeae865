// Sign-ins in the audit log: each sign-in, sign-out and password change (and one refused for a
// wrong current password), each failed sign-in to an account (its id, never what was typed), the
// lockout after too many, and a session ended because its refresh token came back after use, on
// the API's routes and the console's. What a stranger can make the server write is bounded:
// throttled attempts write nothing, emails with no account are counted, not written, and never
// kept, and a session's reuse is written once.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildTestApp, createUser, type TestApp } from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';
import { ACCOUNT_FAILURES, isPowerOfTen } from '../services/auth.js';

const dialects = await testDialects();
const csrf = { 'x-rollcall-console': '1' };

interface AuditRow {
  actor_kind: string;
  actor_id: string | null;
  action: string;
  entity_id: string | null;
  detail: string | null;
}

describe.each(dialects)('sign-ins in the audit log on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let client = 0;
  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database);
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  /** Each call from a new address: the per-client limit never applies here. */
  const signIn = (email: string, password: string, url = '/api/auth/login') =>
    t.app.inject({
      method: 'POST',
      url,
      remoteAddress: `203.0.113.${++client % 250}`,
      headers: csrf,
      payload: { email, password },
    });
  const cookieOf = (res: LightMyRequestResponse) =>
    /rollcall_session=([^;]*)/.exec(String(res.headers['set-cookie'] ?? ''))?.[1] ?? '';
  const rowsAbout = async (userId: string): Promise<AuditRow[]> =>
    (await database.db
      .selectFrom('audit_log')
      .select(['actor_kind', 'actor_id', 'action', 'entity_id', 'detail'])
      .where('entity_id', '=', userId)
      .orderBy('at')
      .orderBy('id')
      .execute()) as AuditRow[];
  const allRows = async () => (await database.db.selectFrom('audit_log').selectAll().execute()) as unknown[];
  const detailOf = (row: AuditRow | undefined) =>
    JSON.parse(row?.detail ?? 'null') as Record<string, unknown>;

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it('writes each sign-in and sign-out with the door it came through; a second sign-out with the same token writes nothing', async () => {
      const user = await createUser(database, 'teacher');
      const api = await signIn(user.email, user.password);
      expect(api.statusCode).toBe(200);
      t.clock.advance(1000); // rows in a known order
      const consoleSession = await signIn(user.email, user.password, '/api/auth/session');
      expect(consoleSession.statusCode).toBe(200);
      const cookie = cookieOf(consoleSession);

      for (let i = 0; i < 2; i++) {
        t.clock.advance(1000);
        expect(
          (
            await t.app.inject({
              method: 'POST',
              url: '/api/auth/session/logout',
              headers: { ...csrf, cookie: `rollcall_session=${cookie}` },
            })
          ).statusCode,
        ).toBe(200);
        t.clock.advance(1000);
        expect(
          (
            await t.app.inject({
              method: 'POST',
              url: '/api/auth/logout',
              payload: { refreshToken: (api.json() as { refreshToken: string }).refreshToken },
            })
          ).statusCode,
        ).toBe(200);
      }

      const rows = await rowsAbout(user.id);
      expect(rows.map((r) => [r.action, r.actor_kind, r.actor_id, detailOf(r)])).toEqual([
        ['auth.sign_in', 'user', user.id, { via: 'api' }],
        ['auth.sign_in', 'user', user.id, { via: 'console' }],
        ['auth.sign_out', 'user', user.id, { via: 'console' }],
        ['auth.sign_out', 'user', user.id, { via: 'api' }],
      ]);
    });

    it('writes a wrong password with the account and its count, never the password or the email', async () => {
      const user = await createUser(database, 'teacher');
      const typed = 'Tr0ub4dor&3 wrong';
      expect((await signIn(user.email, typed, '/api/auth/session')).statusCode).toBe(401);
      t.clock.advance(1000);
      expect((await signIn(user.email, `${typed} again`)).statusCode).toBe(401);

      const rows = await rowsAbout(user.id);
      expect(rows.map((r) => [r.action, r.actor_kind, r.actor_id, detailOf(r)])).toEqual([
        [
          'auth.sign_in_failed',
          'anonymous',
          null,
          { reason: 'wrong_password', via: 'console', failures: 1, limit: ACCOUNT_FAILURES.max },
        ],
        [
          'auth.sign_in_failed',
          'anonymous',
          null,
          { reason: 'wrong_password', via: 'api', failures: 2, limit: ACCOUNT_FAILURES.max },
        ],
      ]);
      const log = JSON.stringify(await allRows());
      expect(log).not.toContain(typed);
      expect(log).not.toContain(user.email);
    });

    it('a wrong password writes its row in one statement, no transaction, as an unknown email does (no timing tell)', async () => {
      const user = await createUser(database, 'teacher');
      const transactions = vi.spyOn(database.db, 'transaction');
      try {
        expect((await signIn(user.email, 'wrong')).statusCode).toBe(401);
        expect((await signIn('nobody-here@school.example', 'wrong')).statusCode).toBe(401);
        expect(transactions).not.toHaveBeenCalled();
      } finally {
        transactions.mockRestore();
      }
      expect((await rowsAbout(user.id)).map((r) => r.action)).toEqual(['auth.sign_in_failed']);
    });

    it('says a disabled account was tried, and the right password of a disabled account is still refused', async () => {
      const user = await createUser(database, 'teacher');
      await database.db.updateTable('users').set({ disabled: 1 }).where('id', '=', user.id).execute();
      expect((await signIn(user.email, user.password)).statusCode).toBe(401);
      const [row] = await rowsAbout(user.id);
      expect(row?.action).toBe('auth.sign_in_failed');
      expect(detailOf(row)).toMatchObject({ reason: 'account_disabled' });
    });

    it('writes one lockout when the limit is reached, and nothing for the throttled attempts after it', async () => {
      const user = await createUser(database, 'teacher');
      for (let i = 0; i < ACCOUNT_FAILURES.max; i++)
        expect((await signIn(user.email, `guess ${i}`)).statusCode).toBe(401);
      for (let i = 0; i < 5; i++) expect((await signIn(user.email, user.password)).statusCode).toBe(429);

      const rows = await rowsAbout(user.id);
      expect(rows.filter((r) => r.action === 'auth.sign_in_failed')).toHaveLength(ACCOUNT_FAILURES.max);
      const lockouts = rows.filter((r) => r.action === 'auth.lockout');
      expect(lockouts).toHaveLength(1);
      expect(lockouts[0]?.actor_kind).toBe('system');
      expect(detailOf(lockouts[0])).toEqual({
        failures: ACCOUNT_FAILURES.max,
        minutes: ACCOUNT_FAILURES.windowMs / 60_000,
        until: new Date(t.clock.now().getTime() + ACCOUNT_FAILURES.windowMs).toISOString(),
      });
      expect(rows).toHaveLength(ACCOUNT_FAILURES.max + 1);

      // The next window: signing in works again and is written as such.
      t.clock.advance(ACCOUNT_FAILURES.windowMs);
      expect((await signIn(user.email, user.password)).statusCode).toBe(200);
      expect((await rowsAbout(user.id)).at(-1)?.action).toBe('auth.sign_in');
    });

    it('emails with no account: nothing typed is kept, and a flood writes a row at the 1st and 10th attempt of the window only', async () => {
      // A fresh window of the school-wide count.
      t.clock.advance(ACCOUNT_FAILURES.windowMs);
      const start = t.clock.now().toISOString();
      const before = (await allRows()).length;
      for (let i = 1; i <= 12; i++) {
        // A new name each time, as a guesser would: the per-email throttle never applies.
        const res = await signIn(`call-0800-it-help-${i}@evil.example`, `password-${i}`);
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ error: 'bad_credentials' });
      }
      const rows = (await database.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'auth.sign_in_failed')
        .where('entity_id', 'is', null)
        .where('at', '>=', start)
        .orderBy('at')
        .orderBy('id')
        .execute()) as (AuditRow & { entity: string })[];
      rows.sort((a, b) => Number(detailOf(a).attempts) - Number(detailOf(b).attempts));
      expect(rows.map((r) => detailOf(r).attempts)).toEqual([1, 10]);
      expect(rows[0]).toMatchObject({ actor_kind: 'anonymous', actor_id: null, entity: 'user' });
      expect(detailOf(rows[0])).toEqual({ reason: 'no_account', via: 'api', attempts: 1, since: start });
      expect((await allRows()).length - before).toBe(2);
      // Match what was typed, whole: a bare "0800" also turns up inside random row ids.
      const log = JSON.stringify(await allRows());
      expect(log).not.toMatch(/evil\.example|call-0800|it-help|password-\d/);
    });

    it('writes a reused refresh token once per session, with the account and the door, never the token', async () => {
      const user = await createUser(database, 'teacher');
      const api = (await signIn(user.email, user.password)).json() as { refreshToken: string };
      const refresh = (refreshToken: string) =>
        t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken } });
      const rotated = await refresh(api.refreshToken);
      expect(rotated.statusCode).toBe(200);
      // The old token again (a copy): the session ends. Again and again: refused, written once.
      for (let i = 0; i < 3; i++) expect((await refresh(api.refreshToken)).statusCode).toBe(401);
      expect((await refresh((rotated.json() as { refreshToken: string }).refreshToken)).statusCode).toBe(401);

      t.clock.advance(1000);
      const session = await signIn(user.email, user.password, '/api/auth/session');
      const first = cookieOf(session);
      const consoleRefresh = (cookie: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/auth/session/refresh',
          headers: { ...csrf, cookie: `rollcall_session=${cookie}` },
        });
      expect((await consoleRefresh(first)).statusCode).toBe(200);
      t.clock.advance(1000);
      const replay = await consoleRefresh(first);
      expect(replay.statusCode).toBe(401);
      expect(replay.json()).toMatchObject({ error: 'refresh_token_reused' });

      const reuses = (await rowsAbout(user.id)).filter((r) => r.action === 'auth.refresh_reuse');
      expect(reuses.map((r) => [r.actor_kind, r.actor_id, r.entity_id, detailOf(r)])).toEqual([
        ['system', null, user.id, { via: 'api', outcome: 'session_ended' }],
        ['system', null, user.id, { via: 'console', outcome: 'session_ended' }],
      ]);
      const log = JSON.stringify(await allRows());
      expect(log).not.toContain(api.refreshToken);
      expect(log).not.toContain(first);
    });

    it('writes a password change, from the API and from the console, once each', async () => {
      const user = await createUser(database, 'teacher');
      const api = await signIn(user.email, user.password);
      const { accessToken } = api.json() as { accessToken: string };
      const changed = await t.app.inject({
        method: 'POST',
        url: '/api/auth/password',
        headers: { authorization: `Bearer ${accessToken}` },
        payload: { currentPassword: user.password, newPassword: 'a brand new passphrase' },
      });
      expect(changed.statusCode).toBe(200);
      const session = await signIn(user.email, 'a brand new passphrase', '/api/auth/session');
      const consoleToken = (session.json() as { accessToken: string }).accessToken;
      const again = await t.app.inject({
        method: 'POST',
        url: '/api/auth/session/password',
        headers: { ...csrf, authorization: `Bearer ${consoleToken}` },
        payload: { currentPassword: 'a brand new passphrase', newPassword: 'and another passphrase' },
      });
      expect(again.statusCode).toBe(200);
      const changes = (await rowsAbout(user.id)).filter((r) => r.action === 'user.password_change');
      expect(changes.map((r) => [r.actor_id, r.entity_id])).toEqual([
        [user.id, user.id],
        [user.id, user.id],
      ]);
    });

    it('a wrong current password on a password change: written with the account and the door, never what was typed, and nothing changes', async () => {
      const user = await createUser(database, 'teacher');
      const api = (await signIn(user.email, user.password)).json() as { accessToken: string };
      const session = (await signIn(user.email, user.password, '/api/auth/session')).json() as {
        accessToken: string;
      };
      const typed = 'Hunter2 not my password';
      t.clock.advance(1000);
      const viaApi = await t.app.inject({
        method: 'POST',
        url: '/api/auth/password',
        headers: { authorization: `Bearer ${api.accessToken}` },
        payload: { currentPassword: typed, newPassword: 'never to be set 1' },
      });
      expect(viaApi.statusCode).toBe(403);
      t.clock.advance(1000);
      const viaConsole = await t.app.inject({
        method: 'POST',
        url: '/api/auth/session/password',
        headers: { ...csrf, authorization: `Bearer ${session.accessToken}` },
        payload: { currentPassword: `${typed} either`, newPassword: 'never to be set 2' },
      });
      expect(viaConsole.statusCode).toBe(403);

      const rows = (await rowsAbout(user.id)).filter((r) => r.action !== 'auth.sign_in');
      expect(rows.map((r) => [r.action, r.actor_kind, r.actor_id, detailOf(r)])).toEqual([
        ['user.password_change_failed', 'user', user.id, { reason: 'wrong_password', via: 'api' }],
        ['user.password_change_failed', 'user', user.id, { reason: 'wrong_password', via: 'console' }],
      ]);
      const log = JSON.stringify(await allRows());
      expect(log).not.toMatch(/Hunter2|never to be set/);
      // The password is as it was, and both sessions go on.
      expect((await signIn(user.email, user.password)).statusCode).toBe(200);
      for (const token of [api.accessToken, session.accessToken]) {
        const me = await t.app.inject({
          method: 'GET',
          url: '/api/auth/me',
          headers: { authorization: `Bearer ${token}` },
        });
        expect(me.statusCode).toBe(200);
      }
    });
    it('wrong current passwords are counted per account, from any client: after the limit even the right one waits for the window', async () => {
      const user = await createUser(database, 'teacher');
      const token = ((await signIn(user.email, user.password)).json() as { accessToken: string }).accessToken;
      const change = (currentPassword: string, newPassword: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/auth/password',
          headers: { authorization: `Bearer ${token}` },
          payload: { currentPassword, newPassword },
        });
      // A right one first: it gives its slot back, so an owner's own changes never count.
      expect((await change(user.password, 'the first new passphrase')).statusCode).toBe(200);
      const fresh = ((await signIn(user.email, 'the first new passphrase')).json() as { accessToken: string })
        .accessToken;
      // Each guess from another address, as from a botnet: only a per-account count stops them.
      let address = 0;
      const guess = (currentPassword: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/auth/password',
          remoteAddress: `192.0.2.${++address}`,
          headers: { authorization: `Bearer ${fresh}` },
          payload: { currentPassword, newPassword: 'taken over passphrase' },
        });
      for (let i = 1; i <= ACCOUNT_FAILURES.max; i++)
        expect((await guess(`guess number ${i}`)).statusCode).toBe(403);
      const refused = await guess('the first new passphrase');
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toMatchObject({ error: 'account_throttled' });
      // Signing in is a separate count: the session's holder cannot lock the owner out this way.
      expect((await signIn(user.email, 'the first new passphrase')).statusCode).toBe(200);
      t.clock.advance(ACCOUNT_FAILURES.windowMs);
      const later = ((await signIn(user.email, 'the first new passphrase')).json() as { accessToken: string })
        .accessToken;
      const afterWindow = await t.app.inject({
        method: 'POST',
        url: '/api/auth/password',
        headers: { authorization: `Bearer ${later}` },
        payload: { currentPassword: 'the first new passphrase', newPassword: 'the second new passphrase' },
      });
      expect(afterWindow.statusCode).toBe(200);
    });
  });
});

it('an email with no account is written at the 1st, 10th, 100th, ... attempt of a window', () => {
  const written = Array.from({ length: 20_000 }, (_, i) => i + 1).filter(isPowerOfTen);
  expect(written).toEqual([1, 10, 100, 1000, 10_000]);
});

describe.each(dialects)('a client over the sign-in rate limit on $name', (dialect) => {
  it.skipIf(!dialect.available)(
    'writes nothing: the limit answers before the password is looked at',
    async () => {
      const database = await dialect.open();
      const t = await buildTestApp(database, { config: { loginRateLimitPerMinute: 3 } });
      try {
        const user = await createUser(database, 'teacher');
        const codes: number[] = [];
        for (let i = 0; i < 8; i++)
          codes.push(
            (
              await t.app.inject({
                method: 'POST',
                url: i % 2 ? '/api/auth/login' : '/api/auth/session',
                remoteAddress: '198.51.100.7',
                headers: csrf,
                payload: { email: user.email, password: `guess ${i}` },
              })
            ).statusCode,
          );
        expect(codes).toEqual([401, 401, 401, 429, 429, 429, 429, 429]);
        const rows = await database.db
          .selectFrom('audit_log')
          .select('action')
          .where('entity_id', '=', user.id)
          .execute();
        expect(rows).toHaveLength(3);
      } finally {
        await t.app.close();
        await database.cleanup();
      }
    },
  );
});
