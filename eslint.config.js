// Process boundaries are enforced here, not by memory (CONVENTIONS.md 2):
// only src/main and src/preload may import electron; the renderer and the contracts
// import no Node module; the kiosk core, ml, sync and server never import electron.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = [
  'fs', 'fs/promises', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http', 'https',
  'net', 'stream', 'url', 'util', 'events', 'zlib', 'dgram', 'tls', 'cluster', 'module', 'process',
  'readline', 'buffer', 'timers', 'perf_hooks', 'v8', 'vm', 'assert',
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

export default tseslint.config(
  { ignores: ['.tmp/**', '.tmp-*/**', 'out/**', 'dist/**', 'release/**', 'node_modules/**', 'resources/**', 'data/**', 'coverage/**'] },
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
    // Everything that is not the Electron shell must run without Electron.
    files: ['src/core/**', 'src/ml/**', 'src/sync/**', 'server/**', 'scripts/**', 'eval/**', 'e2e/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['electron', 'electron/*'], message: 'Only src/main and src/preload may import electron.' }],
      }],
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
);
