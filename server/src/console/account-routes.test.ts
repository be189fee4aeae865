// Invitations, admin reset links and "forgot password": signed one-time links that work once,
// expire, never reveal whether an address has an account, and are emailed only to a
// configured PUBLIC_URL (never one built from a request's Host header).
import { ColumnNode, TableNode, UpdateQueryNode, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailMessage, Mailer } from '../notifications/mailer.js';
import { buildTestApp, call, createUser, login, type TestApp } from '../../test/app.js';
import { RESET_EMAILS_PER_ACCOUNT_PER_HOUR } from './account-routes.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';

const dialects = await testDialects();
const csrf = { 'x-rollcall-console': '1' };

function fakeMailer(): Mailer & { sent: MailMessage[] } {
  const sent: MailMessage[] = [];
  return {
    sent,
    async send(m) {
      sent.push(m);
    },
    close() {},
  };
}
const tokenOf = (text: string) => /set-password\?token=([A-Za-z0-9_.-]+)/.exec(text)?.[1] ?? '';

describe.each(dialects)('account links on $name', (dialect) => {
  let database: TestDatabase;
  let withMail: TestApp;
  let noMail: TestApp;
  let mailer: ReturnType<typeof fakeMailer>;
  let adminToken: string;

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    mailer = fakeMailer();
    withMail = await buildTestApp(database, {
      mailer,
      consoleDir: null,
      config: { publicUrl: 'https://rollcall.school.example' },
    });
    noMail = await buildTestApp(database, {
      consoleDir: null,
      config: { jwtSecret: withMail.config.jwtSecret },
    });
    const admin = await createUser(database, 'admin');
    adminToken = await login(withMail.app, admin.email, admin.password);
  });
  afterAll(async () => {
    if (!dialect.available) return;
    await withMail.app.close();
    await noMail.app.close();
    await database.close();
  });

  it.skipIf(!dialect.available)(
    'invites by email; the link sets a password once, then signs in',
    async () => {
      const email = `invited-${Date.now()}@school.example`;
      const res = await call<{
        user: { id: string; role: string };
        link: { emailed: boolean; setPasswordUrl?: string };
      }>(withMail.app, adminToken, 'POST', '/api/users/invite', { email, name: 'New Teacher' });
      expect(res.link).toMatchObject({ emailed: true });
      expect(res.link.setPasswordUrl).toBeUndefined();
      const mail = mailer.sent.at(-1);
      expect(mail?.to).toEqual([email]);
      expect(mail?.text).toContain('https://rollcall.school.example/#/set-password?token=');
      // Before the link is used, no password works.
      expect(
        (
          await withMail.app.inject({
            method: 'POST',
            url: '/api/auth/login',
            payload: { email, password: 'anything at all' },
          })
        ).statusCode,
      ).toBe(401);
      const token = tokenOf(mail?.text ?? '');
      const short = await withMail.app.inject({
        method: 'POST',
        url: '/api/auth/set-password',
        payload: { token, password: 'short' },
      });
      expect(short.statusCode).toBe(400);
      expect(short.json().issues[0].path).toBe('password');
      const ok = await withMail.app.inject({
        method: 'POST',
        url: '/api/auth/set-password',
        payload: { token, password: 'my own good password' },
      });
      expect(ok.statusCode).toBe(200);
      await login(withMail.app, email, 'my own good password');
      const again = await withMail.app.inject({
        method: 'POST',
        url: '/api/auth/set-password',
        payload: { token, password: 'another good password' },
      });
      expect(again.statusCode).toBe(400);
      expect(again.json()).toMatchObject({ error: 'bad_password_link' });
    },
  );

  it.skipIf(!dialect.available)(
    'a link used twice at the same moment sets one password; the other use is refused as used',
    async () => {
      const email = `twice-${Date.now()}@school.example`;
      await call(withMail.app, adminToken, 'POST', '/api/users/invite', { email, name: 'Twice' });
      const token = tokenOf(mailer.sent.at(-1)?.text ?? '');
      const use = (password: string) =>
        withMail.app.inject({ method: 'POST', url: '/api/auth/set-password', payload: { token, password } });
      // Both read the account before either writes (hashing the password takes a while).
      const answers = await Promise.all([use('the first good password'), use('the second good password')]);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 400]);
      const refused = answers.find((a) => a.statusCode === 400)!;
      expect(refused.json()).toMatchObject({ error: 'bad_password_link' });
      const won = answers[0]!.statusCode === 200 ? 'the first good password' : 'the second good password';
      await login(withMail.app, email, won);
      const rows = await database.db
        .selectFrom('audit_log')
        .innerJoin('users', 'users.id', 'audit_log.entity_id')
        .select('action')
        .where('users.email', '=', email)
        .where('action', 'like', 'user.password_set%')
        .execute();
      expect(rows).toHaveLength(1);
    },
  );

  it.skipIf(!dialect.available)(
    "a link sets the password in one write: the hash and the version that ends the account's sessions together",
    async () => {
      // Every UPDATE of the users table that writes a password hash, as the app sends it.
      const passwordWrites: string[] = [];
      const watching: KyselyPlugin = {
        transformQuery({ node }) {
          if (
            UpdateQueryNode.is(node) &&
            node.table !== undefined &&
            TableNode.is(node.table) &&
            node.table.table.identifier.name === 'users' &&
            (node.updates ?? []).some(
              (u) => ColumnNode.is(u.column) && u.column.column.name === 'password_hash',
            )
          )
            passwordWrites.push(
              (node.updates ?? [])
                .map((u) => (ColumnNode.is(u.column) ? u.column.column.name : '?'))
                .join(','),
            );
          return node;
        },
        transformResult: async ({ result }) => result,
      };
      const watched = await buildTestApp(
        { ...database, db: database.db.withPlugin(watching) },
        { consoleDir: null, config: { jwtSecret: withMail.config.jwtSecret } },
      );
      try {
        const user = await createUser(database, 'teacher');
        const session = await login(watched.app, user.email, user.password);
        const link = await call<{ setPasswordUrl?: string }>(
          watched.app,
          adminToken,
          'POST',
          `/api/users/${user.id}/password-link`,
        );
        const token = tokenOf(link.setPasswordUrl ?? '');
        const before = passwordWrites.length;
        const set = await watched.app.inject({
          method: 'POST',
          url: '/api/auth/set-password',
          payload: { token, password: 'one write is enough' },
        });
        expect(set.statusCode).toBe(200);
        expect(passwordWrites.slice(before)).toEqual(['password_hash,token_version']);
        await login(watched.app, user.email, 'one write is enough');
        // The sessions from before the link ended with that one write.
        const old = await watched.app.inject({
          method: 'GET',
          url: '/api/auth/me',
          headers: { authorization: `Bearer ${session}` },
        });
        expect(old.statusCode).toBe(401);
      } finally {
        await watched.app.close();
      }
    },
  );

  it.skipIf(!dialect.available)(
    'without SMTP an invite answers the link for the admin to hand over',
    async () => {
      const res = await call<{ link: { emailed: boolean; setPasswordUrl?: string } }>(
        noMail.app,
        adminToken,
        'POST',
        '/api/users/invite',
        { email: `handover-${Date.now()}@school.example`, name: 'Handed Over', role: 'admin' },
      );
      expect(res.link.emailed).toBe(false);
      expect(res.link.setPasswordUrl).toMatch(/^http:\/\/localhost(:\d+)?\/#\/set-password\?token=/);
      const teacherUser = await createUser(database, 'teacher');
      const teacher = await login(noMail.app, teacherUser.email, teacherUser.password);
      expect(
        (
          await noMail.app.inject({
            method: 'POST',
            url: '/api/users/invite',
            headers: { authorization: `Bearer ${teacher}` },
            payload: { email: 'x@school.example', name: 'X' },
          })
        ).statusCode,
      ).toBe(403);
    },
  );

  it.skipIf(!dialect.available)(
    'forgot password: same answer for known and unknown addresses; one link, one hour, ends the sessions',
    async () => {
      const user = await createUser(database, 'teacher');
      const session = await login(withMail.app, user.email, user.password);
      const before = mailer.sent.length;
      const unknown = await withMail.app.inject({
        method: 'POST',
        url: '/api/auth/forgot-password',
        headers: csrf,
        payload: { email: 'nobody@school.example' },
      });
      const known = await withMail.app.inject({
        method: 'POST',
        url: '/api/auth/forgot-password',
        headers: csrf,
        payload: { email: user.email },
      });
      expect(unknown.statusCode).toBe(200);
      expect(known.body).toBe(unknown.body);
      await new Promise((r) => setTimeout(r, 200)); // the email is sent after the answer
      expect(mailer.sent.length).toBe(before + 1);
      const token = tokenOf(mailer.sent.at(-1)?.text ?? '');
      // An hour later the link is dead.
      withMail.clock.advance(3_601_000);
      expect(
        (
          await withMail.app.inject({
            method: 'POST',
            url: '/api/auth/set-password',
            payload: { token, password: 'a brand new password' },
          })
        ).statusCode,
      ).toBe(400);
      withMail.clock.advance(-3_601_000);
      expect(
        (
          await withMail.app.inject({
            method: 'POST',
            url: '/api/auth/set-password',
            payload: { token, password: 'a brand new password' },
          })
        ).statusCode,
      ).toBe(200);
      expect(
        (
          await withMail.app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${session}` } })
        ).json(),
      ).toMatchObject({ error: 'session_revoked' });
      // Without PUBLIC_URL (noMail has neither), nothing is sent and the answer is the same.
      const quiet = await noMail.app.inject({
        method: 'POST',
        url: '/api/auth/forgot-password',
        headers: csrf,
        payload: { email: user.email },
      });
      expect(quiet.body).toBe(unknown.body);
    },
  );

  it.skipIf(!dialect.available)(
    'forgot password from many addresses: one account gets at most a few emails an hour, with the same answer',
    async () => {
      const user = await createUser(database, 'teacher');
      const before = mailer.sent.length;
      const answers = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const res = await withMail.app.inject({
          method: 'POST',
          url: '/api/auth/forgot-password',
          headers: csrf,
          remoteAddress: `198.51.100.${i + 1}`,
          payload: { email: user.email },
        });
        expect(res.statusCode).toBe(200);
        answers.add(res.body);
        await new Promise((r) => setTimeout(r, 50)); // the email is sent after the answer
      }
      expect(answers.size).toBe(1);
      await new Promise((r) => setTimeout(r, 200));
      const toUser = mailer.sent.slice(before).filter((m) => m.to.includes(user.email));
      expect(toUser).toHaveLength(RESET_EMAILS_PER_ACCOUNT_PER_HOUR);
      // An hour later they can ask again.
      withMail.clock.advance(3_601_000);
      await withMail.app.inject({
        method: 'POST',
        url: '/api/auth/forgot-password',
        headers: csrf,
        payload: { email: user.email },
      });
      await new Promise((r) => setTimeout(r, 200));
      withMail.clock.advance(-3_601_000);
      expect(mailer.sent.slice(before).filter((m) => m.to.includes(user.email))).toHaveLength(
        RESET_EMAILS_PER_ACCOUNT_PER_HOUR + 1,
      );
    },
  );

  it.skipIf(!dialect.available)(
    'an admin reset link; a disabled account cannot use one; forged tokens fail',
    async () => {
      const user = await createUser(database, 'teacher');
      const link = await call<{ emailed: boolean }>(
        withMail.app,
        adminToken,
        'POST',
        `/api/users/${user.id}/password-link`,
      );
      expect(link.emailed).toBe(true);
      const token = tokenOf(mailer.sent.at(-1)?.text ?? '');
      await call(withMail.app, adminToken, 'PATCH', `/api/users/${user.id}`, { disabled: true });
      expect(
        (
          await withMail.app.inject({
            method: 'POST',
            url: '/api/auth/set-password',
            payload: { token, password: 'a brand new password' },
          })
        ).statusCode,
      ).toBe(400);
      const [payload] = token.split('.');
      const forged = `${payload}.${'A'.repeat(43)}`;
      expect(
        (
          await withMail.app.inject({
            method: 'POST',
            url: '/api/auth/set-password',
            payload: { token: forged, password: 'a brand new password' },
          })
        ).statusCode,
      ).toBe(400);
      expect(
        (
          await withMail.app.inject({
            method: 'POST',
            url: '/api/users/nope/password-link',
            headers: { authorization: `Bearer ${adminToken}` },
          })
        ).statusCode,
      ).toBe(404);
    },
  );
});
