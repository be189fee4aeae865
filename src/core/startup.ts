// Start-up: the face engine loads (seconds), then the camera starts; meanwhile pairing with
// a provisioned server (first run) and the sync schedule begin.
import type { Logger } from 'pino';
import type { FaceEngine } from '../ml/types.js';
import type { SyncService } from '../sync/index.js';
import type { FaceEngineSlot } from './face-engine-slot.js';
import type { KioskStore } from './store/index.js';

async function defaultEngine(logger: Logger): Promise<FaceEngine> {
  // Imported lazily: tfjs and the models cost seconds that tests with a fake engine never need.
  const ml = await import('../ml/index.js');
  return ml.createFaceEngine({}, { logger });
}

/** Loads the face engine into the slot; never rejects (a failure is the slot's status). */
export async function loadFaceEngine(
  slot: FaceEngineSlot,
  given: FaceEngine | (() => Promise<FaceEngine>) | undefined,
  logger: Logger,
  closed: () => boolean,
): Promise<boolean> {
  try {
    const engine =
      given === undefined ? await defaultEngine(logger) : typeof given === 'function' ? await given() : given;
    if (closed()) return false;
    slot.loaded(engine);
    logger.info({ event: 'engine', backend: engine.backend, modelId: engine.modelId }, 'face engine ready');
    return true;
  } catch (err) {
    slot.failed(err);
    logger.error({ err }, 'face engine failed to load');
    return false;
  }
}

export interface PairingOptions {
  serverUrl?: string | undefined;
  pairingCode?: string | undefined;
  /** The server certificate's SHA-256 fingerprint for the first pairing (else trusted on first contact). */
  serverFingerprint?: string | undefined;
  deviceName?: string | undefined;
  autoSync?: boolean | undefined;
}

/** Pairs on first run when provisioned, then starts the sync schedule (unless told not to). */
export async function pairAndStartSync(
  sync: SyncService,
  store: KioskStore,
  o: PairingOptions,
  logger: Logger,
  closed: () => boolean,
): Promise<void> {
  const paired = () => Boolean(store.sync.get('deviceToken'));
  if (!paired() && o.serverUrl && o.pairingCode) {
    try {
      await sync.pair({
        serverUrl: o.serverUrl,
        code: o.pairingCode,
        name: o.deviceName ?? 'kiosk',
        ...(o.serverFingerprint ? { serverFingerprint: o.serverFingerprint } : {}),
      });
    } catch (err) {
      logger.error(
        { err: err instanceof Error ? err.message : String(err) },
        'pairing failed; pair again from the admin screen',
      );
    }
  } else if (paired() && o.serverUrl && store.sync.get('serverUrl') !== o.serverUrl) {
    logger.warn(
      { stored: store.sync.get('serverUrl'), given: o.serverUrl },
      'already paired with another server URL; keeping the paired one',
    );
  }
  if (o.autoSync !== false && !closed()) sync.start();
}
