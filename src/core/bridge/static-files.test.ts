import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStatic, resolveInside } from './static-files.js';
import { assertRendererBuilt } from './static-dir.js';

describe('static files', () => {
  const root = mkdtempSync(join(tmpdir(), 'static-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), 'INDEX');
  writeFileSync(join(root, 'assets', 'a.js'), 'JS');

  it('resolves only inside the root', () => {
    expect(resolveInside(root, '/assets/a.js')).toBe(join(root, 'assets', 'a.js'));
    expect(resolveInside(root, '/../etc/passwd')).toBeNull();
    expect(resolveInside(root, '/%2e%2e/%2e%2e/etc/passwd')).toBeNull();
    expect(resolveInside(root, '/a%00b')).toBeNull();
    expect(resolveInside(root, '/%E0%A4%A')).toBeNull();
  });
  it('serves files, falls back to index.html for routes, and 404s missing assets', async () => {
    expect((await readStatic(root, '/'))?.body.toString()).toBe('INDEX');
    expect((await readStatic(root, '/assets/a.js'))?.immutable).toBe(true);
    expect((await readStatic(root, '/admin'))?.body.toString()).toBe('INDEX');
    expect(await readStatic(root, '/assets/missing.js')).toBeNull();
    expect((await readStatic(root, '/assets'))?.body.toString()).toBe('INDEX');
  });
  it('says how to build the UI when it is missing', () => {
    expect(() => assertRendererBuilt(join(root, 'nope'))).toThrow(/npm run build/);
    expect(() => assertRendererBuilt(root)).not.toThrow();
  });
});
