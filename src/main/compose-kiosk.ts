// Builds the kiosk core for the Electron shell: the data folder in userData, the models from
// the packaged resources, the face engine's worker entry beside this bundle (out/main).
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createKiosk, type Kiosk } from '../core/index.js';

export interface ComposedKiosk extends Kiosk {
  /** A refused update goes into the sync history, which the Sync screen shows. */
  reportUpdateRefused(detail: string): void;
}

export interface ComposeOptions {
  dataDir: string;
  modelDir: string;
  logger: Logger;
  /** First-run provisioning (main-args.ts): pair with this server using this code. */
  serverUrl?: string;
  pairingCode?: string;
  deviceName?: string;
  /** Overrides the camera setting for this run (e.g. the demo's replay folder). */
  camera?: string;
}

export async function composeKiosk(opts: ComposeOptions): Promise<ComposedKiosk> {
  const ml = await import('../ml/index.js');
  const kiosk = createKiosk({
    dataDir: opts.dataDir,
    logger: opts.logger,
    ...(opts.serverUrl ? { serverUrl: opts.serverUrl } : {}),
    ...(opts.pairingCode ? { pairingCode: opts.pairingCode } : {}),
    ...(opts.deviceName ? { deviceName: opts.deviceName } : {}),
    ...(opts.camera ? { camera: opts.camera } : {}),
    engine: () =>
      ml.createFaceEngine(
        { modelDir: opts.modelDir },
        { logger: opts.logger, workerPath: join(import.meta.dirname, 'worker-entry.js') },
      ),
  });
  return {
    handlers: kiosk.handlers,
    subscribe: (l) => kiosk.subscribe(l),
    pushFrame: (f) => kiosk.pushFrame(f),
    latestFrame: () => kiosk.latestFrame(),
    onQuitRequest: (l) => kiosk.onQuitRequest(l),
    close: () => kiosk.close(),
    reportUpdateRefused: (detail) =>
      kiosk.store.sync.addHistory(new Date().toISOString(), 'update', false, detail),
  };
}
