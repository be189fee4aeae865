// Builds the kiosk core for the Electron shell: the data folder in userData, the models from
// the packaged resources, the face engine's worker entry beside this bundle (out/main).
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createKiosk, type Kiosk } from '../core/index';

export interface ComposedKiosk extends Kiosk {
  /** The update feed from settings, read by main (not through the admin-only handlers). */
  updateFeedUrl(): Promise<string | null>;
}

export async function composeKiosk(opts: { dataDir: string; modelDir: string; logger: Logger }): Promise<ComposedKiosk> {
  const ml = await import('../ml/index');
  const kiosk = createKiosk({
    dataDir: opts.dataDir,
    logger: opts.logger,
    engine: () => ml.createFaceEngine({ modelDir: opts.modelDir }, { logger: opts.logger, workerPath: join(import.meta.dirname, 'worker-entry.js') }),
  });
  return {
    handlers: kiosk.handlers,
    subscribe: (l) => kiosk.subscribe(l),
    pushFrame: (f) => kiosk.pushFrame(f),
    latestFrame: () => kiosk.latestFrame(),
    close: () => kiosk.close(),
    updateFeedUrl: async () => kiosk.internals.store.settings.get().updateFeedUrl,
  };
}
