// Process boundaries are enforced here, not by memory (CONVENTIONS.md 2):
// only src/main and src/preload may import electron; the renderer and the contracts
// import no Node module; the kiosk core, ml, sync and server never import electron.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import { importSuffix } from './scripts/eslint-import-suffix.js';

const nodeBuiltins = [
  'fs',
  'fs/promises',
  'path',
  'os',
  'child_process',
  'worker_threads',
  'crypto',
  'http',
  'https',
  'net',
  'stream',
  'url',
  'util',
  'events',
  'zlib',
  'dgram',
  'tls',
  'cluster',
  'module',
  'process',
  'readline',
  'buffer',
  'timers',
  'perf_hooks',
  'v8',
  'vm',
  'assert',
];
const noNodePatterns = [
  { group: ['node:*'], message: 'This code runs in the browser/renderer or is shared: no Node modules.' },
  { group: ['electron', 'electron/*'], message: 'Only src/main and src/preload may import electron.' },
  {
    group: ['better-sqlite3', 'sharp', 'fastify', 'pino', 'axios', '@vladmandic/*', '@tensorflow/*'],
    message: 'Node-only library: not allowed here.',
  },
  ...nodeBuiltins.map((m) => ({ group: [m], message: 'Node builtin: not allowed here.' })),
];

const noElectron = {
  group: ['electron', 'electron/*'],
  message: 'Only src/main and src/preload may import electron.',
};
/** An import the architecture forbids, by its specifier. */
const arrow = (regex, message) => ({ regex, message: `${message} (docs/architecture.md).` });

export default tseslint.config(
  {
    ignores: [
      '.tmp/**',
      '.tmp-*/**',
      'out/**',
      'dist/**',
      'release/**',
      'node_modules/**',
      'resources/**',
      'data/**',
      'coverage/**',
      // Code that breaks the rules on purpose, linted by scripts/lint-rules.test.ts.
      'test/fixtures/lint/**',
      // Files for scripts/fix-import-suffixes.test.ts to resolve against, in no tsconfig.
      'test/fixtures/import-suffixes/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // A file-level import cycle makes load order decide what a module sees (an import that is
    // still undefined while its cycle loads) and couples two files that should be one or three.
    // Type-only imports are erased and do not count. Tests are imported by nothing, so they
    // cannot be on a cycle: skipping them halves the rule's time.
    files: ['**/*.{ts,tsx,js,mjs}'],
    ignores: ['**/*.test.ts', '**/*.test.tsx', '**/*.e2e.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // The files a cycle runs through are parsed as TypeScript, or their imports go unseen.
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'],
          // `./x.js` in TypeScript source names `./x.ts`.
          extensionAlias: { '.js': ['.ts', '.tsx', '.js'] },
        }),
      ],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // One import style: a relative import names the file Node loads (`./x.js` for x.ts;
    // scripts/eslint-import-suffix.js says why). Plain JavaScript is left to Node, which
    // refuses a missing suffix itself (and a tsx-run .mjs may name a .ts file).
    files: ['**/*.{ts,tsx,mts}'],
    plugins: { rollcall: { rules: { 'import-suffix': importSuffix } } },
    rules: { 'rollcall/import-suffix': 'error' },
  },
  {
    // A promise nobody awaits loses its rejection (an unhandled rejection, or silence) and its
    // ordering. Type-aware: each file is checked with the tsconfig that includes it. Where
    // fire-and-forget is meant, `void` says so and the callee handles its own errors.
    files: ['**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    // Everything that is not the Electron shell must run without Electron.
    files: ['src/core/**', 'src/ml/**', 'src/sync/**', 'server/**', 'scripts/**', 'eval/**', 'e2e/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'electron/*'],
              message: 'Only src/main and src/preload may import electron.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**', 'src/contracts/**', 'server/console/src/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', { patterns: noNodePatterns }] },
  },
  {
    // Command-line entry points print their results on stdout by design.
    files: ['scripts/**', 'eval/src/**', 'server/src/cli/**', 'src/core/cli/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // The rules of hooks: a hook called conditionally or with stale dependencies is a bug the
    // screens would show only sometimes.
    files: ['src/renderer/**/*.{ts,tsx}', 'server/console/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    // Both are errors: a warning nobody has to fix is one the next change adds to. The two generic
    // hooks that take a dependency list from their caller (src/renderer/src/hooks.ts,
    // server/console/src/ui.tsx) key their effect on `useDepsVersion(deps)`, not on a spread.
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  // ---------------------------------------------------------------- the allowed arrows
  // docs/architecture.md draws the parts and which may import which; these zones enforce it.
  // A later block replaces an earlier one's no-restricted-imports, so each zone repeats the
  // process rules (Node, Electron) it inherits.
  {
    files: ['src/renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...noNodePatterns,
            arrow('^(\\.\\./)+(core|sync|ml|main|preload)(/|$)', 'The renderer imports only src/contracts'),
          ],
        },
      ],
    },
  },
  {
    files: ['src/contracts/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...noNodePatterns,
            arrow(
              '^(\\.\\./)+(core|sync|ml|main|preload|renderer)(/|$)',
              'src/contracts imports nothing of ours',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/**', 'src/preload/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            arrow(
              '(^|/)(server|eval|scripts)(/|$)',
              'The Electron shell ships in the kiosk: it imports neither the server nor the evaluation tools',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['src/ml/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noElectron,
            arrow(
              '^(\\.\\./)+(core|sync|main|preload|renderer|server|eval)(/|$)',
              'src/ml (used by the kiosk, the server and the eval) imports neither the kiosk core nor sync',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['src/sync/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noElectron,
            arrow(
              '^(\\.\\./)+(core|main|preload|renderer|server|eval)(/|$)',
              'src/sync knows the kiosk store through store-port.ts: core depends on sync, not both ways',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noElectron,
            arrow(
              '^(\\.\\./)+(main|preload|renderer|server|eval)(/|$)',
              'The kiosk core does not import the shell, the UI, the server or the eval',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['server/src/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noElectron,
            arrow(
              '(^|/)(src/(core|sync|main|preload|renderer)|eval)(/|$)',
              'The server imports only src/contracts and src/ml',
            ),
          ],
        },
      ],
    },
  },
);
