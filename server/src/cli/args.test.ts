import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = (file: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'server/src/cli', file), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input: '',
    timeout: 60_000,
  });

describe('server CLIs refuse a mistyped option in plain words, before touching the database', () => {
  it('create-admin: names the option meant and does not advertise --password', () => {
    const r = cli('create-admin.ts', '--emial', 'ada@school.example');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^Unknown option --emial\. Did you mean --email\? This command takes: --email, --name\./,
    );
    expect(r.stderr).toContain('Usage: npm run server:create-admin');
    expect(r.stderr).not.toMatch(/positional argument/);
  });

  it('create-admin: a missing --email says it is required', () => {
    const r = cli('create-admin.ts');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--email is required');
  });

  it('import-roster: --dryrun is caught rather than importing for real', () => {
    const r = cli('import-roster.ts', 'students.csv', '--dryrun');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Did you mean --dry-run?');
  });
});
