import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const dataDir = mkdtempSync(join(tmpdir(), 'rollcall-create-admin-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

// The SQLite file under DATA_DIR, whatever database the test run itself was given.
const withoutDatabaseUrl = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL'),
);
const createAdmin = (email: string) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'server/src/cli/create-admin.ts'), '--email', email],
    {
      cwd: ROOT,
      encoding: 'utf8',
      input: 'correct horse battery staple\n',
      env: { ...withoutDatabaseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      timeout: 60_000,
    },
  );

describe('npm run server:create-admin', () => {
  it('for an email that has an account already, changes nothing and says where a lost password is reset', () => {
    const first = createAdmin('ada@school.example');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('"role":"admin"');

    const again = createAdmin('ada@school.example');
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(
      /^create-admin: a user with email ada@school\.example exists; nothing was changed\./,
    );
    expect(again.stderr).toContain('reset link from the Users page');
  }, 120_000);
});
