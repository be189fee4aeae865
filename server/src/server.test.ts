// The real entry points as a user runs them: create-admin, then `npm run server` with zero
// set-up (SQLite + generated secret in DATA_DIR), /health, /docs, login, and a clean exit on SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const dataDir = mkdtempSync(join(tmpdir(), 'rollcall-server-'));
const { DATABASE_URL: _db, JWT_SECRET: _secret, ...inherited } = process.env;
// Zero set-up: no database URL, no secret.
const env: NodeJS.ProcessEnv = {
  ...inherited,
  DATA_DIR: dataDir,
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
};

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const tsx = (file: string, args: string[] = []) =>
  [process.execPath, ['--import', 'tsx', join(ROOT, file), ...args]] as const;

describe('npm run server and server:create-admin', () => {
  it('creates an admin, refuses a weak password, and starts with zero set-up', async () => {
    // The password is read from stdin (or a prompt), never argv: argv is visible in `ps`.
    const [node, args] = tsx('server/src/cli/create-admin.ts', ['--email', 'admin@school.example']);
    const onArgv = spawnSync(node, [...args, '--password', 'a long enough password'], {
      env,
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(onArgv.status).toBe(2);
    expect(onArgv.stderr).toMatch(/--password is not accepted.*stdin/);

    const weak = spawnSync(node, args, { env, cwd: ROOT, encoding: 'utf8', input: 'short\n' });
    expect(weak.status).toBe(2);
    expect(weak.stderr).toMatch(
      /that password cannot be used \(at least 10 characters\); nothing was created/,
    );

    const created = spawnSync(node, args, {
      env,
      cwd: ROOT,
      encoding: 'utf8',
      input: 'a long enough password\n',
    });
    expect(created.status, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      created: { email: 'admin@school.example', role: 'admin' },
    });

    const [, serverArgs] = tsx('server/src/server.ts');
    const child = spawn(node, serverArgs, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    // Everything the server printed, so a failure shows why it exited as it did.
    const printed: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => printed.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const address = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('server did not log "listening" in time')), 60_000);
        createInterface({ input: child.stdout }).on('line', (line) => {
          printed.push(line);
          try {
            const entry = JSON.parse(line) as { msg?: string; address?: string };
            if (entry.msg === 'listening' && entry.address) {
              clearTimeout(timer);
              resolve(entry.address);
            }
          } catch {
            // not a log line
          }
        });
        child.on('exit', (code) => reject(new Error(`server exited early with ${code}`)));
      });
      const health = await fetch(`${address}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', database: 'sqlite' });
      // Each body is read to its end, as a browser would: a response left half-read keeps its
      // connection busy, and the server rightly waits for it on close.
      for (const path of ['/docs', '/docs/json']) {
        const page = await fetch(`${address}${path}`);
        expect(page.status).toBe(200);
        await page.arrayBuffer();
      }
      const login = await fetch(`${address}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@school.example', password: 'a long enough password' }),
      });
      expect(login.status).toBe(200);
      await login.arrayBuffer();
      expect(existsSync(join(dataDir, 'rollcall.sqlite'))).toBe(true);
      expect(existsSync(join(dataDir, 'jwt-secret'))).toBe(true);
      child.kill('SIGTERM');
      expect(await exited, printed.join('\n')).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses to start with a bad environment and names the variable', () => {
    const [node, args] = tsx('server/src/server.ts');
    const res = spawnSync(node, args, {
      env: { ...env, PORT: 'eighty' },
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/PORT/);
  });
});
