// Three builds: main (Node, deps left external and resolved from node_modules / app.asar),
// preload (sandboxed: must be one self-contained CommonJS file), renderer (React).
// The e2e suite reuses `rendererConfig` to build only the renderer for the browser bridge.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type RendererViteConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;
/** The version Electron reports too (app.getVersion() reads the same package.json). */
const appVersion = (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string })
  .version;

export const rendererConfig = {
  root: resolve(root, 'src/renderer'),
  // Relative asset URLs: the page is served from app://rollcall/ in Electron and from
  // http://127.0.0.1:<port>/ by the bridge.
  base: './',
  plugins: [react()],
  // Shown in the admin area (Sync), for an IT admin troubleshooting a kiosk.
  define: { __ROLLCALL_VERSION__: JSON.stringify(appVersion) },
  build: {
    outDir: resolve(root, 'out/renderer'),
    emptyOutDir: true,
    minify: true,
    // React + zod (the contracts) in one chunk is ~560 kB; it is loaded from disk, not a network.
    chunkSizeWarningLimit: 1024,
    rollupOptions: { input: resolve(root, 'src/renderer/index.html') },
  },
} satisfies RendererViteConfig;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rollupOptions: {
        input: {
          index: resolve(root, 'src/main/index.ts'),
          // The face engine runs in a worker_threads worker; src/ml/worker-engine.ts looks for
          // worker-entry.js beside the bundle that imports it (out/main/). Electron ≥ 18 loads
          // workers from inside app.asar.
          'worker-entry': resolve(root, 'src/ml/worker-entry.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // A sandboxed preload cannot require node_modules: bundle zod and the contracts in.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig,
});
