// The one import style, its rewrite and its rule: fix-import-suffixes.ts turns every relative
// import into the file Node loads (`./a.js` for a.ts, `./folder/index.js`), leaves what is
// already right and what names no file alone; the lint rule refuses the other styles.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { rewriteFile } from './fix-import-suffixes.js';

const fixtures = join(import.meta.dirname, '..', 'test', 'fixtures', 'import-suffixes');
const entry = join(fixtures, 'entry.ts');

describe('fix-import-suffixes', () => {
  it('names the file Node loads, in every kind of import, keeping the quotes', () => {
    const before = [
      "import { a } from './a';",
      'import type { View } from "./view";',
      "export { inFolder } from './folder';",
      "export * from './a.ts';",
      "const lazy = () => import('./view');",
      "type A = import('./a').A;",
      "vi.mock('./a', () => ({ a: 2 }));",
      "import { plain } from './plain';",
    ].join('\n');
    const r = rewriteFile(entry, before);
    expect(r.text.split('\n')).toEqual([
      "import { a } from './a.js';",
      'import type { View } from "./view.js";',
      "export { inFolder } from './folder/index.js';",
      "export * from './a.js';",
      "const lazy = () => import('./view.js');",
      "type A = import('./a.js').A;",
      "vi.mock('./a.js', () => ({ a: 2 }));",
      "import { plain } from './plain.mjs';",
    ]);
    expect(r.changed).toBe(8);
    expect(r.unresolved).toEqual([]);
  });

  it('leaves right imports, packages and non-imports alone, and is idempotent', () => {
    const text = [
      "import { a } from './a.js';",
      "import data from './data.json';",
      "import { z } from 'zod';",
      "import { join } from 'node:path';",
      "const label = './a';",
    ].join('\n');
    expect(rewriteFile(entry, text)).toEqual({ text, changed: 0, unresolved: [] });
    const once = rewriteFile(entry, "import { a } from './a';").text;
    expect(rewriteFile(entry, once).changed).toBe(0);
  });

  it('reports an import that names no file and does not touch it', () => {
    const r = rewriteFile(entry, "import { gone } from './gone';\n");
    expect(r.text).toBe("import { gone } from './gone';\n");
    expect(r.unresolved).toEqual([`${entry}:1 ./gone`]);
  });
});

describe('lint: rollcall/import-suffix', () => {
  // Text at a path no tsconfig includes: the type-aware rules are off for it.
  const eslint = new ESLint({
    cwd: join(import.meta.dirname, '..'),
    overrideConfig: {
      languageOptions: { parserOptions: { projectService: false } },
      rules: { '@typescript-eslint/no-floating-promises': 'off' },
    },
  });
  async function refused(code: string): Promise<number[]> {
    const [result] = await eslint.lintText(code, { filePath: 'src/core/fixture.ts' });
    expect(result?.messages.filter((m) => m.fatal)).toEqual([]);
    return (result?.messages ?? []).filter((m) => m.ruleId === 'rollcall/import-suffix').map((m) => m.line);
  }

  it('refuses a relative import without a suffix or with the .ts source name, in every form', async () => {
    const code = [
      "import { a } from './a';",
      "import type { T } from '../store';",
      "export { b } from './b.ts';",
      "export * from './c';",
      "export const lazy = () => import('./d');",
      "export type E = import('./e').E;",
      "import { ok } from './ok.js';",
      "import data from './data.json';",
      "import { z } from 'zod';",
      "import { join } from 'node:path';",
      'export const used = [a, ok, data, z, join] as unknown as T;',
    ].join('\n');
    expect(await refused(code)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
