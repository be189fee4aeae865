// `npm run bench:server` is run by hand, so nothing else notices when a server change breaks
// it (it once stopped at the template push when pushes became judged). A small run on SQLite
// must still seed, ingest, re-send and pull the roster. Figures are not checked here: the
// bench prints them.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

describe('npm run bench:server', () => {
  it('runs end to end on a small school (SQLite)', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/bench-server.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, BENCH_DATABASES: 'sqlite', BENCH_EVENTS: '400', BENCH_STUDENTS: '100' },
    });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as {
      sqlite: {
        error?: string;
        ingest: { accepted: number; rowsStored: number };
        resend: { duplicate: number };
      };
    };
    expect(out.sqlite.error).toBeUndefined();
    expect(out.sqlite.ingest).toMatchObject({ accepted: 400, rowsStored: 400 });
    expect(out.sqlite.resend.duplicate).toBe(400);
  });
});
