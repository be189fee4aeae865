// Builds the staff console into out/console (`npm run build:console`). With --if-missing it
// does nothing when a build is there already: `npm run server` and the e2e setup call it so
// that a clean clone serves a console without a separate step.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';
import { CONSOLE_OUT_DIR, consoleViteConfig } from '../server/console/vite.config.js';

export async function buildConsole(opts: { ifMissing?: boolean } = {}): Promise<void> {
  if (opts.ifMissing && existsSync(join(CONSOLE_OUT_DIR, 'index.html'))) return;
  await build(consoleViteConfig);
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const started = Date.now();
  buildConsole({ ifMissing: process.argv.includes('--if-missing') })
    .then(() => console.log(`console ready in ${CONSOLE_OUT_DIR} (${Date.now() - started} ms)`))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
