// The evaluation tools name a dataset folder the way the user gave it: a relative folder stays
// relative in their reports and messages, never this machine's absolute path. Checked on the
// fast path every tool takes before loading a model (a folder that is not there).
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');
const FOLDER = 'no-such-dataset-folder';

function run(script: string, ...args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join('eval', 'src', script), ...args], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stderr: r.stderr };
}

describe('a dataset folder is named as given', () => {
  it.each([
    ['eval.ts', [FOLDER]],
    ['eval-spoof.ts', [FOLDER]],
    ['spoof-dump.ts', [FOLDER, join(tmpdir(), 'never-written.json')]],
  ])('%s', (script, args) => {
    const { status, stderr } = run(script, ...args);
    expect(status).not.toBe(0);
    expect(stderr).toContain(FOLDER);
    expect(stderr).not.toContain(join(REPO, FOLDER));
  });
});
