// The server image runs plain Node on JavaScript that esbuild transpiled file by file (the
// Dockerfile's build stage): no bundler resolves imports there, so every relative import must
// name a file Node can find (`./site-time.js`, not `./site-time`). Typecheck, vitest and tsx all
// accept the extensionless form, which is how the image once shipped a server that could not
// start. This test rebuilds the image's layout from the directories the Dockerfile itself lists
// and imports the server's app module under plain Node.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const out = mkdtempSync(join(tmpdir(), 'rollcall-image-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The directories of the Dockerfile's `RUN find <dirs> -name '*.ts' … | xargs npx esbuild` line. */
export function transpiledDirs(dockerfile: string): string[] {
  const line = /RUN find ((?:[\w./-]+ )+)-name '\*\.ts'/.exec(dockerfile);
  if (!line?.[1]) throw new Error('the Dockerfile has no `RUN find <dirs> -name *.ts` transpile step');
  return line[1].trim().split(/\s+/);
}

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter(keep)
    .map((f) => join(root, dir, f));
}

describe('server image layout', () => {
  it('reads the transpiled directories from the Dockerfile', () => {
    const dirs = transpiledDirs(readFileSync(join(root, 'Dockerfile'), 'utf8'));
    expect(dirs).toContain('server/src');
    expect(() => transpiledDirs('FROM node:20\n')).toThrow(/no `RUN find/);
  });

  it('starts under plain Node: every relative import resolves after per-file transpilation', async () => {
    const dirs = transpiledDirs(readFileSync(join(root, 'Dockerfile'), 'utf8'));
    const isSource = (f: string) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts');
    const entryPoints = dirs.flatMap((d) => filesUnder(d, isSource));
    await build({
      entryPoints,
      outdir: out,
      outbase: root,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
    });
    // The Dockerfile copies src/ml's plain .mjs workers beside the transpiled files.
    for (const f of filesUnder('src/ml', (n) => n.endsWith('.mjs'))) cpSync(f, join(out, relative(root, f)));
    writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module' }));
    symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'), 'dir');

    // Everything server.js imports (it listens as soon as it is imported, so not server.js itself).
    const modules = ['app.js', 'config.js', 'logger.js'].map(
      (m) => pathToFileURL(join(out, 'server', 'src', m)).href,
    );
    const script = `for (const m of ${JSON.stringify(modules)}) await import(m); console.log('loaded');`;
    let output: string;
    try {
      output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: out,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? String(err);
      throw new Error(
        `the transpiled server does not load under plain Node:\n${stderr.split('\n').slice(0, 8).join('\n')}`,
      );
    }
    expect(output.trim()).toBe('loaded');
  }, 60_000);
});
