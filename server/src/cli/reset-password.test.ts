// The sole admin who lost their password on a server without email: the CLI sets a new one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.js';
import { currentPasswordFailureKey, loginFailureKey } from '../services/auth.js';
import { verifyPassword } from '../services/passwords.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const dataDir = mkdtempSync(join(tmpdir(), 'rollcall-reset-password-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

// The SQLite file under DATA_DIR, whatever database the test run itself was given.
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL')),
  DATA_DIR: dataDir,
  LOG_LEVEL: 'silent',
};
const run = (script: string, args: string[], input: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, `server/src/cli/${script}.ts`), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input,
    env,
    timeout: 60_000,
  });

async function account(email: string) {
  const database = openDatabase({ kind: 'sqlite', filename: join(dataDir, 'rollcall.sqlite') });
  try {
    const user = await database.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    const audit = await database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_kind', 'detail'])
      .where('entity_id', '=', user.id)
      .orderBy('at')
      .execute();
    return { user, audit };
  } finally {
    await database.close();
  }
}

describe('npm run server:reset-password', () => {
  it('sets a new password from the server computer, ends the sessions, audits it; refuses what it cannot do', async () => {
    expect(run('create-admin', ['--email', 'solo@school.example'], 'the forgotten passphrase\n').status).toBe(
      0,
    );
    const before = await account('solo@school.example');

    const unknown = run('reset-password', ['--email', 'nobody@school.example'], 'a brand new passphrase\n');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no account has the email nobody@school\.example; nothing was changed/);
    const short = run('reset-password', ['--email', 'solo@school.example'], 'short\n');
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(/that password cannot be used .*nothing was changed/);
    const onTheLine = run('reset-password', ['--email', 'solo@school.example', '--password', 'x'], '');
    expect(onTheLine.status).toBe(2);

    // Wrong guesses counted before the reset (at sign-in, and at a password change).
    const keys = [loginFailureKey('solo@school.example'), currentPasswordFailureKey(before.user.id)];
    const counted = async () => {
      const database = openDatabase({ kind: 'sqlite', filename: join(dataDir, 'rollcall.sqlite') });
      try {
        const db = database.db.withTables<{
          rate_limits: { key: string; count: number; window_start_ms: number };
        }>();
        return (await db.selectFrom('rate_limits').select('key').where('key', 'in', keys).execute()).length;
      } finally {
        await database.close();
      }
    };
    {
      const database = openDatabase({ kind: 'sqlite', filename: join(dataDir, 'rollcall.sqlite') });
      const db = database.db.withTables<{
        rate_limits: { key: string; count: number; window_start_ms: number };
      }>();
      await db
        .insertInto('rate_limits')
        .values(keys.map((key) => ({ key, count: 10, window_start_ms: Date.now() })))
        .execute();
      await database.close();
    }
    expect(await counted()).toBe(2);

    const done = run('reset-password', ['--email', 'solo@school.example'], 'a brand new passphrase\n');
    expect(done.status, done.stderr).toBe(0);
    expect(done.stderr).toContain('every session of the account has ended');
    const after = await account('solo@school.example');
    expect(await verifyPassword('a brand new passphrase', after.user.password_hash)).toBe(true);
    expect(await verifyPassword('the forgotten passphrase', after.user.password_hash)).toBe(false);
    // Older access and refresh tokens are refused from now on.
    expect(after.user.token_version).toBe(before.user.token_version + 1);
    expect(after.audit.map((r) => [r.action, r.actor_kind])).toEqual([
      ['user.create', 'cli'],
      ['user.password_set.cli', 'cli'],
    ]);
    // The guesses before no longer hold the new password back.
    expect(await counted()).toBe(0);
    // What was typed is nowhere in the log.
    expect(JSON.stringify(after.audit)).not.toMatch(/passphrase/);
  }, 120_000);

  it('a disabled account is enabled only when asked', async () => {
    expect(run('create-admin', ['--email', 'gone@school.example'], 'the old passphrase 1\n').status).toBe(0);
    const database = openDatabase({ kind: 'sqlite', filename: join(dataDir, 'rollcall.sqlite') });
    await database.db
      .updateTable('users')
      .set({ disabled: 1 })
      .where('email', '=', 'gone@school.example')
      .execute();
    await database.close();

    const refused = run('reset-password', ['--email', 'gone@school.example'], 'a brand new passphrase\n');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/is disabled; nothing was changed\. Add --enable/);
    expect((await account('gone@school.example')).user.disabled).toBe(1);

    const enabled = run(
      'reset-password',
      ['--email', 'gone@school.example', '--enable'],
      'a brand new passphrase\n',
    );
    expect(enabled.status, enabled.stderr).toBe(0);
    const after = await account('gone@school.example');
    expect(after.user.disabled).toBe(0);
    expect(await verifyPassword('a brand new passphrase', after.user.password_hash)).toBe(true);
  }, 120_000);
});
