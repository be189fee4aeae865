// Builds only the renderer (what the browser bridge serves) with the same settings as
// `electron-vite build`, so the e2e suite works on a fresh clone without the Electron binary.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'vite';
import { rendererConfig } from '../electron.vite.config.js';

export const RENDERER_DIR = resolve(import.meta.dirname, '..', 'out', 'renderer');

export async function buildRenderer(): Promise<void> {
  await build({ ...rendererConfig, configFile: false, logLevel: 'warn' });
}

export async function ensureRenderer(force = false): Promise<string> {
  if (force || !existsSync(resolve(RENDERER_DIR, 'index.html'))) await buildRenderer();
  return RENDERER_DIR;
}
