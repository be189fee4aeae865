// The allowed arrows of docs/architecture.md are lint rules (eslint.config.js): each forbidden
// import below, linted as if it sat in that folder, must fail with the architecture message,
// and the allowed import beside it must pass. Linting text with a path needs no real file.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The fixtures are text at paths no tsconfig includes: the type-aware rules (proved in
// lint-rules.test.ts on real files) are switched off here so the file can be parsed.
const eslint = new ESLint({
  cwd: join(import.meta.dirname, '..'),
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
});

async function restricted(filePath: string, specifier: string): Promise<string[]> {
  const code = `import { thing } from '${specifier}';\nexport const used = thing;\n`;
  const [result] = await eslint.lintText(code, { filePath });
  expect(result?.messages.filter((m) => m.fatal)).toEqual([]);
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const cases: { zone: string; file: string; forbidden: string; allowed: string }[] = [
  {
    zone: 'renderer -> core',
    file: 'src/renderer/src/kiosk/Fixture.tsx',
    forbidden: '../../../core/kiosk',
    allowed: '../../../contracts/kiosk-api',
  },
  {
    zone: 'renderer -> ml',
    file: 'src/renderer/src/Fixture.ts',
    forbidden: '../../ml/matcher',
    allowed: '../../contracts/sync',
  },
  {
    zone: 'contracts -> core',
    file: 'src/contracts/fixture.ts',
    forbidden: '../core/store/index',
    allowed: './sync',
  },
  {
    zone: 'ml -> core',
    file: 'src/ml/fixture.ts',
    forbidden: '../core/attendance/engine',
    allowed: './matcher',
  },
  { zone: 'ml -> sync', file: 'src/ml/fixture.ts', forbidden: '../sync/index', allowed: '../contracts/sync' },
  {
    zone: 'sync -> core',
    file: 'src/sync/legs/fixture.ts',
    forbidden: '../../core/store/index',
    allowed: '../store-port',
  },
  { zone: 'core -> main', file: 'src/core/fixture.ts', forbidden: '../main/ipc', allowed: '../sync/index' },
  {
    zone: 'server -> src/core',
    file: 'server/src/services/fixture.ts',
    forbidden: '../../../src/core/kiosk.js',
    allowed: '../../../src/contracts/sync.js',
  },
  {
    zone: 'server -> src/sync',
    file: 'server/src/fixture.ts',
    forbidden: '../../src/sync/index.js',
    allowed: '../../src/ml/types.js',
  },
  {
    zone: 'ml -> eval (candidate embedders)',
    file: 'src/ml/fixture.ts',
    forbidden: '../../eval/src/candidates/embedders.js',
    allowed: './embedders.js',
  },
  {
    zone: 'main -> eval',
    file: 'src/main/fixture.ts',
    forbidden: '../../eval/src/candidates/embedders.js',
    allowed: '../ml/index.js',
  },
  {
    zone: 'main -> server',
    file: 'src/main/fixture.ts',
    forbidden: '../../server/src/app.js',
    allowed: '../core/kiosk.js',
  },
  {
    zone: 'server -> eval',
    file: 'server/src/fixture.ts',
    forbidden: '../../eval/src/eval-protocol.js',
    allowed: './config.js',
  },
];

describe('lint: the allowed arrows', () => {
  for (const c of cases) {
    it(`${c.zone} is refused (${c.forbidden}), ${c.allowed} is not`, async () => {
      const errors = await restricted(c.file, c.forbidden);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('docs/architecture.md');
      expect(await restricted(c.file, c.allowed)).toEqual([]);
    });
  }

  it('keeps the process rules in the zones: electron only in main and preload', async () => {
    expect((await restricted('src/ml/fixture.ts', 'electron'))[0]).toContain(
      'Only src/main and src/preload may import electron',
    );
    expect((await restricted('src/renderer/src/Fixture.ts', 'node:fs'))[0]).toContain('no Node modules');
  });
});

describe('lint: the rules of hooks', () => {
  it('refuses a hook called conditionally in a component', async () => {
    const code = `import { useState } from 'react';\nexport function Panel({ open }: { open: boolean }) {\n  if (open) {\n    const [n] = useState(0);\n    return n;\n  }\n  return null;\n}\n`;
    const [result] = await eslint.lintText(code, { filePath: 'src/renderer/src/admin/Fixture.tsx' });
    expect(
      result?.messages.filter((m) => m.ruleId === 'react-hooks/rules-of-hooks').map((m) => m.severity),
    ).toEqual([2]);
  });
});
