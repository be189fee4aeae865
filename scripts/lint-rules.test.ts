// The lint rules that are not about the allowed arrows, each proved on a fixture
// (test/fixtures/lint, ignored by the normal lint run): exactly the marked line or files fail.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const fixtures = join(root, 'test', 'fixtures', 'lint');
const eslint = new ESLint({ cwd: root, ignore: false });

async function hits(rule: string, ...files: string[]): Promise<string[]> {
  const results = await eslint.lintFiles(files.map((f) => join(fixtures, f)));
  return results.flatMap((r) =>
    r.messages
      .filter((m) => m.ruleId === rule || m.fatal)
      .map((m) => `${r.filePath.slice(fixtures.length + 1)}:${m.line} ${m.ruleId ?? m.message}`),
  );
}

describe('lint: type-aware no-floating-promises', () => {
  it('refuses the one promise nobody awaits, voids or catches', async () => {
    expect(await hits('@typescript-eslint/no-floating-promises', 'floating-promise.ts')).toEqual([
      'floating-promise.ts:7 @typescript-eslint/no-floating-promises',
    ]);
  });
});

describe('lint: import-x/no-cycle', () => {
  it('refuses two files that import each other', async () => {
    expect(await hits('import-x/no-cycle', 'cycle-a.ts', 'cycle-b.ts')).toEqual([
      'cycle-a.ts:1 import-x/no-cycle',
      'cycle-b.ts:1 import-x/no-cycle',
    ]);
  });

  it('allows a loop closed only by a type import (erased at run time)', async () => {
    expect(await hits('import-x/no-cycle', 'type-only-a.ts', 'type-only-b.ts')).toEqual([]);
  });
});

describe('lint: react-hooks/exhaustive-deps', () => {
  it('passes the generic hooks that take their dependency list from the caller', async () => {
    const results = await eslint.lintFiles([
      join(root, 'server', 'console', 'src', 'ui.tsx'),
      join(root, 'src', 'renderer', 'src', 'hooks.ts'),
    ]);
    const found = results.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId?.startsWith('react-hooks/') === true || m.fatal)
        .map((m) => `${r.filePath.slice(root.length + 1)}:${m.line} ${m.message}`),
    );
    expect(found).toEqual([]);
  });
});
