// Child-process entry for the Electron smoke test: swap `electron` for the recording stub,
// let the probe (TypeScript) watch, then start the built main. Hooks are registered here, not
// with --import flags, so the face engine's worker thread starts with a clean execArgv, as it
// does in Electron.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

register('./hooks.mjs', import.meta.url);
registerTsx();
await import('./probe.ts');
await import('../../out/main/index.js');
