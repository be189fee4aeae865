// Accounts and settings in the audit log, each row written in the transaction of the change it
// records (as records are, record-audit.test.ts): a user added, invited or changed, the settings
// changed, a password set from a link. A refused change writes nothing, and a change whose row
// cannot be written is undone: no account, setting or password changes without its row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, call, createUser, login, uniqueEmail, type TestApp } from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';
import type { MailMessage } from '../notifications/mailer.js';

const dialects = await testDialects();
const tokenOf = (url: string | undefined) =>
  /set-password\?token=([A-Za-z0-9_.-]+)/.exec(url ?? '')?.[1] ?? '';

interface Row {
  actorId: string | null;
  action: string;
  entityId: string | null;
  detail: Record<string, unknown> | null;
}

describe.each(dialects)('accounts and settings in the audit log on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let adminId: string;
  let adminToken: string;

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database, { consoleDir: null });
    const admin = await createUser(database, 'admin');
    adminId = admin.id;
    adminToken = await login(t.app, admin.email, admin.password);
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  const rowsOf = async (query: string) =>
    (await call<Row[]>(t.app, adminToken, 'GET', `/api/audit?limit=1000&${query}`))
      .reverse()
      .map((r) => [r.action, r.actorId, r.entityId, r.detail]);
  const rowCount = async () =>
    Number(
      (
        await database.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const linkFor = async (userId: string) =>
    tokenOf(
      (
        await call<{ setPasswordUrl?: string }>(
          t.app,
          adminToken,
          'POST',
          `/api/users/${userId}/password-link`,
        )
      ).setPasswordUrl,
    );
  const setPassword = (token: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/api/auth/set-password', payload: { token, password } });
  const signsIn = async (email: string, password: string) =>
    (await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } }))
      .statusCode === 200;

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it('a user added, invited and changed, a password set from a link, the settings changed: one row each', async () => {
      const email = uniqueEmail('added');
      const added = await call<{ id: string }>(t.app, adminToken, 'POST', '/api/users', {
        email,
        name: 'Added Teacher',
        role: 'teacher',
        password: 'a long enough password',
      });
      t.clock.advance(1000);
      await call(t.app, adminToken, 'PATCH', `/api/users/${added.id}`, {
        name: 'Renamed',
        password: 'another long password',
      });
      t.clock.advance(1000);
      const token = await linkFor(added.id);
      t.clock.advance(1000);
      expect((await setPassword(token, 'from the link at last')).statusCode).toBe(200);
      expect(await signsIn(email, 'from the link at last')).toBe(true);
      expect(await rowsOf(`entityId=${added.id}&action=user.`)).toEqual([
        ['user.create', adminId, added.id, { role: 'teacher' }],
        ['user.update', adminId, added.id, { name: 'Renamed', passwordReset: true }],
        ['user.password_link', adminId, added.id, { emailed: false }],
        ['user.password_set.reset', added.id, added.id, null],
      ]);

      const invited = await call<{ user: { id: string } }>(t.app, adminToken, 'POST', '/api/users/invite', {
        email: uniqueEmail('invited'),
        name: 'Invited Admin',
        role: 'admin',
      });
      expect(await rowsOf(`entityId=${invited.user.id}`)).toEqual([
        ['user.invite', adminId, invited.user.id, { role: 'admin' }],
      ]);

      await call(t.app, adminToken, 'PATCH', '/api/settings', { silentKioskMinutes: 45 });
      expect((await rowsOf('action=settings.update')).at(-1)).toEqual([
        'settings.update',
        adminId,
        null,
        { silentKioskMinutes: 45 },
      ]);
      const log = JSON.stringify(await database.db.selectFrom('audit_log').selectAll().execute());
      expect(log).not.toMatch(/long enough password|another long password|from the link at last/);
    });

    it('a refused change writes nothing', async () => {
      const taken = await createUser(database, 'teacher');
      const token = await linkFor(taken.id);
      const before = await rowCount();
      await call(
        t.app,
        adminToken,
        'POST',
        '/api/users',
        { email: taken.email, name: 'Twin', role: 'teacher', password: 'a long enough password' },
        [409],
      );
      await call(
        t.app,
        adminToken,
        'POST',
        '/api/users/invite',
        { email: taken.email, name: 'Twin', role: 'teacher' },
        [409],
      );
      await call(t.app, adminToken, 'PATCH', `/api/users/${adminId}`, { disabled: true }, [400]);
      await call(t.app, adminToken, 'PATCH', '/api/users/no-such-user', { name: 'Nobody' }, [404]);
      await call(t.app, adminToken, 'PATCH', '/api/settings', { silentKioskMinutes: 1 }, [400]);
      expect((await setPassword(`${token.slice(0, -4)}AAAA`, 'a forged link password')).statusCode).toBe(400);
      expect(await rowCount()).toBe(before);
      // The link still works: it was never used.
      expect((await setPassword(token, 'the real new password')).statusCode).toBe(200);
      expect((await setPassword(token, 'the link a second time')).statusCode).toBe(400);
      expect(await rowCount()).toBe(before + 1);
    });

    it('no account, setting or password change without its audit row: when the row cannot be written, the change is undone', async () => {
      const user = await createUser(database, 'teacher');
      const token = await linkFor(user.id);
      const settingsBefore = await call(t.app, adminToken, 'GET', '/api/settings');
      const usersBefore = await database.db.selectFrom('users').selectAll().orderBy('id').execute();
      const ghost = uniqueEmail('ghost');

      await database.db.schema.alterTable('audit_log').renameTo('audit_log_away').execute();
      try {
        const failing = [500];
        await call(
          t.app,
          adminToken,
          'POST',
          '/api/users',
          { email: ghost, name: 'Ghost', role: 'teacher', password: 'a long enough password' },
          failing,
        );
        await call(t.app, adminToken, 'POST', '/api/users/invite', { email: ghost, name: 'Ghost' }, failing);
        await call(
          t.app,
          adminToken,
          'PATCH',
          `/api/users/${user.id}`,
          { name: 'Ghost', disabled: true },
          failing,
        );
        await call(
          t.app,
          adminToken,
          'PATCH',
          '/api/settings',
          { retainPhotos: true, silentKioskMinutes: 99 },
          failing,
        );
        expect((await setPassword(token, 'a ghost of a password')).statusCode).toBe(500);
      } finally {
        await database.db.schema.alterTable('audit_log_away').renameTo('audit_log').execute();
      }
      expect(await database.db.selectFrom('users').selectAll().orderBy('id').execute()).toEqual(usersBefore);
      expect(await call(t.app, adminToken, 'GET', '/api/settings')).toEqual(settingsBefore);
      expect(await signsIn(user.email, user.password)).toBe(true);
      // The link was not spent either: it works once the log can be written again.
      expect((await setPassword(token, 'a real password now')).statusCode).toBe(200);
      expect(await rowsOf(`entityId=${user.id}&action=user.password_set.`)).toEqual([
        ['user.password_set.reset', user.id, user.id, null],
      ]);
    });

    it('no set-password link leaves the server without its audit row: neither emailed nor answered', async () => {
      const sent: MailMessage[] = [];
      const withMail = await buildTestApp(database, {
        consoleDir: null,
        mailer: { send: async (m) => void sent.push(m), close() {} },
        config: { publicUrl: 'https://rollcall.school.example', jwtSecret: t.config.jwtSecret },
      });
      try {
        const user = await createUser(database, 'teacher');
        const issue = (app: TestApp['app']) =>
          app.inject({
            method: 'POST',
            url: `/api/users/${user.id}/password-link`,
            headers: { authorization: `Bearer ${adminToken}` },
          });
        await database.db.schema.alterTable('audit_log').renameTo('audit_log_away').execute();
        try {
          const emailed = await issue(withMail.app);
          expect(emailed.statusCode).toBe(500);
          const handed = await issue(t.app);
          expect(handed.statusCode).toBe(500);
          expect(handed.body).not.toContain('set-password');
        } finally {
          await database.db.schema.alterTable('audit_log_away').renameTo('audit_log').execute();
        }
        expect(sent).toEqual([]);
        // With the log back, the link goes out with its row.
        expect((await issue(withMail.app)).statusCode).toBe(200);
        expect(sent.map((m) => m.to)).toEqual([[user.email]]);
        expect(await rowsOf(`entityId=${user.id}&action=user.password_link`)).toEqual([
          ['user.password_link', adminId, user.id, { emailed: true }],
        ]);
      } finally {
        await withMail.app.close();
      }
    });
  });
});
