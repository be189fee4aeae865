// Builds the renderer once if out/renderer is missing (a clean clone), so the bridge has a UI
// to serve. `E2E_REBUILD=1` forces a fresh build after UI changes.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureRenderer } from './build-renderer';

export default async function setup(): Promise<void> {
  mkdirSync(resolve(import.meta.dirname, 'screenshots'), { recursive: true });
  await ensureRenderer(process.env.E2E_REBUILD === '1');
}
