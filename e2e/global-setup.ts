// Builds the app when it is missing (a clean clone) or older than its sources (a merge brought
// new renderer code: a stale bundle once failed a new pairing test for no reason of its own):
// the renderer for the bridge, and the main/preload bundles for the Electron smoke test.
// `E2E_REBUILD=1` forces a fresh build. The staff console is rebuilt every time.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'electron-vite';
import { buildConsole } from '../scripts/build-console.js';

const ROOT = resolve(import.meta.dirname, '..');

const OUTPUTS = [
  'out/renderer/index.html',
  'out/main/index.js',
  'out/main/worker-entry.js',
  'out/preload/index.cjs',
];
// Everything the three bundles are built from (src/ holds only the kiosk's code).
const SOURCES = ['src', 'electron.vite.config.ts', 'package-lock.json'];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function upToDate(): boolean {
  const outputs = OUTPUTS.map((f) => resolve(ROOT, f));
  if (!outputs.every((f) => existsSync(f))) return false;
  const oldestOutput = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  return SOURCES.every((s) => newestMtime(resolve(ROOT, s)) <= oldestOutput);
}

export default async function setup(): Promise<void> {
  mkdirSync(resolve(ROOT, 'e2e', 'screenshots'), { recursive: true });
  if (!upToDate() || process.env.E2E_REBUILD === '1') {
    process.env.ELECTRON_SKIP_BINARY_DOWNLOAD ??= '1';
    await build({ configFile: resolve(ROOT, 'electron.vite.config.ts'), root: ROOT, logLevel: 'warn' });
  }
  // The staff console the server serves at `/` (console.e2e.ts): always rebuilt, it takes seconds.
  await buildConsole();
}
