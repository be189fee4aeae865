// Where the built renderer is in a checkout (`npm run build` or the e2e set-up writes it).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export function defaultStaticDir(): string {
  return resolve(import.meta.dirname, '..', '..', '..', 'out', 'renderer');
}

/** A clear message instead of a bridge that serves 404s. */
export function assertRendererBuilt(dir: string): void {
  if (!existsSync(resolve(dir, 'index.html'))) {
    throw new Error(`no built UI in ${dir}: run \`npm run build\` (or \`npx electron-vite build\`) first`);
  }
}
