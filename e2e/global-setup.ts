// Builds the app once if it is missing (a clean clone): the renderer for the bridge, and the
// main/preload bundles for the Electron smoke test. `E2E_REBUILD=1` forces a fresh build.
// The staff console is rebuilt every time.
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'electron-vite';
import { buildConsole } from '../scripts/build-console.js';

const ROOT = resolve(import.meta.dirname, '..');

export default async function setup(): Promise<void> {
  mkdirSync(resolve(ROOT, 'e2e', 'screenshots'), { recursive: true });
  const built = [
    'out/renderer/index.html',
    'out/main/index.js',
    'out/main/worker-entry.js',
    'out/preload/index.cjs',
  ].every((f) => existsSync(resolve(ROOT, f)));
  if (!built || process.env.E2E_REBUILD === '1') {
    process.env.ELECTRON_SKIP_BINARY_DOWNLOAD ??= '1';
    await build({ configFile: resolve(ROOT, 'electron.vite.config.ts'), root: ROOT, logLevel: 'warn' });
  }
  // The staff console the server serves at `/` (console.e2e.ts): always rebuilt, it takes seconds.
  await buildConsole();
}
