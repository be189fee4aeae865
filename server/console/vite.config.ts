// The staff console (React, like the kiosk UI): built into out/console, which the server
// serves at `/` (server/src/console/static.ts). `npm run build:console`.
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import type { InlineConfig } from 'vite';

const here = import.meta.dirname;
export const CONSOLE_OUT_DIR = resolve(here, '..', '..', 'out', 'console');

export const consoleViteConfig: InlineConfig = {
  root: here,
  base: '/',
  configFile: false,
  logLevel: 'warn',
  plugins: [react()],
  build: {
    outDir: CONSOLE_OUT_DIR,
    emptyOutDir: true,
    minify: true,
    // React + zod (the server's schemas) in one chunk; a school laptop loads it once, then from cache.
    chunkSizeWarningLimit: 1024,
  },
};

export default consoleViteConfig;
