// Security review, finding 11: the page's <meta> CSP (used when the page is opened any other
// way than through the bridge or app://) must say what the header says, worker-src included.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from './csp.js';

const ROOT = join(import.meta.dirname, '../../..');

describe('the renderer meta CSP', () => {
  it('has every directive of the header policy (frame-ancestors aside: meta cannot carry it)', () => {
    const html = readFileSync(join(ROOT, 'src/renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    const directives = (policy: string) =>
      new Set(
        policy
          .split(';')
          .map((d) => d.trim())
          .filter(Boolean),
      );
    const expected = [...directives(contentSecurityPolicy())].filter((d) => !d.startsWith('frame-ancestors'));
    expect([...directives(meta)].sort()).toEqual(expected.sort());
    expect(meta).toContain("worker-src 'none'");
  });
});
