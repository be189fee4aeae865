import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const run = (...args: string[]) => runWithin(60_000, ...args);
const runWithin = (timeout: number, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/core/cli/kiosk.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout,
  });
const logLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { event?: string; msg?: string; err?: string });

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

  it('names a mistyped option and the one meant, instead of a stack trace', () => {
    const r = run('--camra', 'none');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^kiosk: Unknown option --camra\. Did you mean --camera\?/);
    expect(r.stderr).toContain('Usage: npm run kiosk');
    expect(r.stderr).not.toMatch(/ERR_PARSE_ARGS|at parseArgs/);
  });

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

  it('refuses a replay folder that does not exist or holds no frames, before starting anything', () => {
    const parent = mkdtempSync(join(tmpdir(), 'kiosk-cli-replay-'));
    const missing = run('--camera', `replay:${join(parent, 'nope')}?fps=10`, '--exit-when-done');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/replay folder .*nope does not exist/);
    mkdirSync(join(parent, 'empty'));
    writeFileSync(join(parent, 'empty', 'notes.txt'), 'not a frame');
    const empty = run('--camera', `replay:${join(parent, 'empty')}`, '--exit-when-done');
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/replay folder .*empty holds no \.jpg or \.png frames/);
  });

  it('a pairing that fails ends the run with the reason instead of running a door that marks nobody', () => {
    const data = join(mkdtempSync(join(tmpdir(), 'kiosk-cli-')), 'kiosk');
    // Nothing listens on port 9: the code cannot be used, and the kiosk must not start unpaired.
    const r = runWithin(
      30_000,
      '--server',
      'http://127.0.0.1:9',
      '--pair',
      'ABCD2345',
      '--camera',
      'none',
      '--data',
      data,
      '--timeout',
      '2000',
    );
    expect(r.status).toBe(1);
    expect(logLines(r.stdout)).toContainEqual(
      expect.objectContaining({
        event: 'pairing_failed',
        err: expect.stringMatching(/unreachable.*Check that the server is running/),
      }),
    );
  });

  it('an unpaired kiosk says so, and --exit-when-done ends after the replay instead of waiting for a server', () => {
    const parent = mkdtempSync(join(tmpdir(), 'kiosk-cli-unpaired-'));
    mkdirSync(join(parent, 'door'));
    copyFileSync(join(ROOT, 'test/fixtures/faces/person-a-1.jpg'), join(parent, 'door', '001.jpg'));
    const r = runWithin(
      90_000,
      '--camera',
      `replay:${join(parent, 'door')}?fps=10`,
      '--data',
      join(parent, 'kiosk'),
      '--exit-when-done',
    );
    expect(r.status).toBe(0);
    const events = logLines(r.stdout);
    expect(events).toContainEqual(
      expect.objectContaining({
        event: 'not_paired',
        msg: expect.stringMatching(/--server <url> --pair <code>/),
      }),
    );
    expect(events.map((e) => e.event)).toContain('replay_done');
  }, 100_000);

  it('set-up without pairing details fails clearly (and loads no face engine)', () => {
    const data = join(mkdtempSync(join(tmpdir(), 'kiosk-cli-')), 'kiosk');
    const r = run('--setup-only', '--data', data);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/not paired: give --server and --pair/);
  });
});
