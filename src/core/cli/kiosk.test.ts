import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/core/cli/kiosk.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('headless kiosk runner', () => {
  it('refuses a bad camera spec with a clear message and exit code 2', () => {
    const r = run('--camera', 'replay:/x?fps=fast');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad camera spec .*fps/);
  });

  it.runIf(process.platform === 'linux')(
    'refuses a camera spec carrying shell syntax, with a fake fswebcam on PATH, and runs nothing',
    () => {
      const bin = mkdtempSync(join(tmpdir(), 'kiosk-cli-bin-'));
      writeFileSync(join(bin, 'fswebcam'), '#!/bin/sh\nexit 1\n');
      chmodSync(join(bin, 'fswebcam'), 0o755);
      const marker = join(bin, 'pwned');
      const data = join(mkdtempSync(join(tmpdir(), 'kiosk-cli-')), 'kiosk');
      const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
      const spec = `webcam:/dev/video0;touch ${marker};#`;
      const r = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(ROOT, 'src/core/cli/kiosk.ts'),
          '--camera',
          spec,
          '--data',
          data,
          '--log-level',
          'silent',
        ],
        {
          cwd: ROOT,
          env,
          encoding: 'utf8',
          timeout: 20_000,
        },
      );
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(spec);
      expect(r.stderr).toMatch(/camera/);
      expect(existsSync(marker)).toBe(false);
    },
    30_000,
  );

  it('refuses a bad server URL', () => {
    const r = run('--server', 'not a url', '--pair', 'ABCD1234');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--server/);
  });

  it('refuses a guessable --admin-pin with the policy sentence', () => {
    const r = run('--admin-pin', '123456');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--admin-pin: That PIN is too easy to guess: the digits count up or down/);
  });

  it('set-up without pairing details fails clearly (and loads no face engine)', () => {
    const data = join(mkdtempSync(join(tmpdir(), 'kiosk-cli-')), 'kiosk');
    const r = run('--setup-only', '--data', data);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/not paired: give --server and --pair/);
  });
});
