// The kiosk without Electron, composed once from its parts: the store, the face engine slot
// (start-up.ts loads it), the camera controller, the frame pipeline and analyser, the
// attendance engine, the enrolment desk, the admin session, sync and the view state.
// Electron's main process and the headless runner both call createKiosk(); the UI reaches it
// only through `handlers` (handlers.ts). One clock (`clock`) is handed to every part.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import type { KioskState, Settings } from '../contracts/kiosk-api.js';
import type { FaceEngine } from '../ml/types.js';
import { RECOGNITION_DEFAULTS, SHIPPED_MODEL_ID } from '../ml/config.js';
import { SyncService, type SyncServiceOptions } from '../sync/index.js';
import { AdminSession } from './admin-session.js';
import { AttendanceEngine, type Decision } from './attendance/engine.js';
import { FramePipeline, isReplaySpec, type CameraSource, type FrameMeta } from './camera/index.js';
import { CameraController } from './camera-controller.js';
import { EnrolmentDesk } from './enrolment-desk.js';
import { FaceEngineSlot } from './face-engine-slot.js';
import { FrameAnalyser } from './frame-analyser.js';
import { buildHandlers, REPLAY_NOT_ALLOWED, type KioskHandlers } from './handlers.js';
import { QuitRequests } from './quit-request.js';
import { loadFaceEngine, pairAndStartSync } from './startup.js';
import { DEFAULT_ADMIN_PIN, makePrivateDir, openKioskStore, type KioskStore } from './store/index.js';
import { DEFAULT_SETTINGS } from './store/settings-defaults.js';
import { KioskView } from './view-state.js';

export { ADMIN_IDLE_MS } from './admin-session.js';
export { QUIT_REPLY_GRACE_MS } from './quit-request.js';
export { DEFAULT_ADMIN_PIN };
export const APP_VERSION = '0.1.0';

export interface KioskOptions {
  /** Folder for kiosk.db; created if missing. */
  dataDir: string;
  /** Overrides the database file (':memory:' in tests). */
  databaseFile?: string;
  /** Camera spec (see camera/spec.ts) or a source; default: the `cameraSpec` setting. */
  camera?: string | CameraSource;
  /**
   * Lets the admin Settings choose `replay:<folder>` (recorded frames). Off on a door: there it
   * would let whoever knows the PIN play any folder of photos on the kiosk's disk past the
   * recogniser, or show it on screen. Default: on only when this run was started with a replay
   * camera (`camera`), i.e. a demo or a test run by whoever controls the command line.
   */
  allowReplayCamera?: boolean;
  /** The face engine, or a factory (default: src/ml's createFaceEngine, loaded lazily). */
  engine?: FaceEngine | (() => Promise<FaceEngine>);
  clock?: () => Date;
  logger?: Logger;
  newId?: () => string;
  /** Pair with this server on start if the kiosk is not paired yet. */
  serverUrl?: string;
  pairingCode?: string;
  /** The server certificate's SHA-256 fingerprint for the first pairing (else trusted on first contact). */
  serverFingerprint?: string;
  deviceName?: string;
  /** The admin PIN set on first run only (default DEFAULT_ADMIN_PIN; the admin area then asks for a new one). */
  adminPin?: string;
  /** Overrides of the default settings (a first-run configuration; stored settings win). */
  settings?: Partial<Settings>;
  sync?: Partial<Omit<SyncServiceOptions, 'store' | 'logger' | 'now' | 'health' | 'appVersion'>>;
  /** Start the sync schedule (default true). */
  autoSync?: boolean;
}

export interface Kiosk {
  handlers: KioskHandlers;
  subscribe(listener: (s: KioskState) => void): () => void;
  pushFrame(jpegOrPng: Uint8Array): void;
  /** The last analysed frame as the camera encoded it, for the UI preview (added for the UI). */
  latestFrame(): { seq: number; epoch?: string; data: Uint8Array } | null;
  /**
   * The host's shutdown hook: called (after QUIT_REPLY_GRACE_MS) when an admin confirms
   * "Quit Rollcall". The host stops its transport and calls close(); the kiosk does not
   * close itself, because only the host knows what else runs (window, bridge, process).
   * Without a listener the admin is told the kiosk cannot quit from the screen.
   */
  onQuitRequest(listener: () => void): () => void;
  close(): Promise<void>;
}

/** What the headless runner and the scenario read besides the API. */
export interface KioskStats {
  frames: { received: number; analysed: number; dropped: number; corrupt: number };
  fps: number;
  recognitionMs: { p50: number; p95: number } | null;
  unknownAppearances: number;
  camera: KioskState['camera'];
  queueDepth: number;
}

function settingsDefaults(overrides: Partial<Settings> | undefined): Settings {
  return {
    ...DEFAULT_SETTINGS,
    matchThreshold: RECOGNITION_DEFAULTS.threshold,
    matchMargin: RECOGNITION_DEFAULTS.minMargin,
    ...overrides,
  };
}

/** The kiosk core as the headless runner, the tests and the e2e harness drive it. */
export interface KioskRuntime extends Kiosk {
  /** Resolves when the face engine is loaded (or failed) and the camera started. */
  ready: Promise<void>;
  /** What the screen would show now. */
  state(): KioskState;
  /** The stored settings (merged over the defaults). */
  settings(): Settings;
  /** Switches the camera to another spec (see camera/spec.ts), as a settings change would. */
  setCamera(spec: string): void;
  /** Rebuilds the matcher's gallery after templates were written to the store directly. */
  reloadGallery(): void;
  /** The kiosk's database (seeding and inspection by the runner, tests and the harness). */
  readonly store: KioskStore;
  /** The sync client (pairing from the command line, status). */
  readonly sync: SyncService;
  onDecision(l: (d: Decision & { frame: FrameMeta }) => void): () => void;
  stats(): KioskStats;
  /** Resolves when no frame is being analysed. */
  idle(): Promise<void>;
}

function openStore(options: KioskOptions, now: () => Date, logger: Logger): KioskStore {
  if (!options.databaseFile) makePrivateDir(options.dataDir);
  const store = openKioskStore({
    file: options.databaseFile ?? join(options.dataDir, 'kiosk.db'),
    defaultSettings: settingsDefaults(options.settings),
    now,
    recognitionModelId: SHIPPED_MODEL_ID,
    onStaleRecognition: (storedFor) =>
      logger.warn(
        { event: 'threshold_reset', storedFor, modelId: SHIPPED_MODEL_ID },
        'the stored match threshold/margin were set for another face model; using the calibrated values for this one',
      ),
  });
  if (!store.pin.isSet()) {
    store.pin.setPin(options.adminPin ?? DEFAULT_ADMIN_PIN);
    store.audit.record(now().toISOString(), 'pin_initialised', { default: options.adminPin === undefined });
  }
  if (store.pin.isFactoryDefault()) {
    // Said at every start, not only the first: the kiosk works meanwhile, but anyone who read the docs can open the admin area.
    logger.warn(
      { event: 'factory_pin' },
      'the admin PIN is still the factory default; set one in the admin area (PIN tab)',
    );
  }
  return store;
}

export function createKiosk(options: KioskOptions): KioskRuntime {
  const logger = (options.logger ?? pino({ name: 'kiosk' })).child({ component: 'kiosk' });
  const now = options.clock ?? (() => new Date());
  const newId = options.newId ?? randomUUID;
  const store = openStore(options, now, logger);
  let closed = false;
  const isClosed = () => closed;

  const faceEngine = new FaceEngineSlot();
  const placement = () => ({
    roomId: store.settings.get().roomId ?? store.sync.get('roomId'),
    timezone: store.sync.get('timezone'),
  });
  const attendance = new AttendanceEngine({
    store,
    now,
    newId,
    logger: logger.child({ component: 'attendance' }),
    placement,
    modelId: () => faceEngine.modelId(),
    embeddingSize: () => faceEngine.engine?.embeddingSize ?? 0,
  });
  // The parts below call each other only through these late-bound closures (all set before any runs).
  const emit = (): void => view.emit();
  const pipeline: FramePipeline = new FramePipeline(
    (data, meta): Promise<void> => analyser.analyse(data, meta),
    logger.child({ component: 'frames' }),
  );
  const sync: SyncService = new SyncService({
    store,
    now,
    appVersion: APP_VERSION,
    logger: logger.child({ component: 'sync' }),
    health: () => {
      const t = pipeline.timing();
      return {
        fps: pipeline.fps(),
        droppedFrames: pipeline.counters.dropped,
        ...(t ? { recognitionMsP50: t.p50, recognitionMsP95: t.p95 } : {}),
        ...(faceEngine.engine
          ? { backend: faceEngine.engine.backend, modelId: faceEngine.engine.modelId }
          : {}),
      };
    },
    camera: () => ({ ...camera.status }),
    onGalleryChanged: () => attendance.reloadGallery(),
    onScheduleChanged: emit,
    // Paired with another server or site: nobody of the old roster may be greeted, voted for or
    // enrolled from memory (the enrolment's templates would be stored for a student now gone).
    onSiteDataWiped: () => {
      enrolment.current = null;
      attendance.forgetPeople();
      view.forgetPeople();
    },
    allowInsecure: () => store.settings.get().allowInsecureServer,
    ...options.sync,
  });
  const camera = new CameraController({
    pipeline,
    logger,
    onChange: emit,
    onNewCamera: (epoch) => view.newCamera(epoch),
    clock: () => now().getTime(),
  });
  const view: KioskView = new KioskView({
    store,
    now,
    logger,
    attendance,
    sync,
    camera,
    pipeline,
    faceEngine,
    placement,
  });
  sync.subscribe(emit);
  const enrolment = new EnrolmentDesk({
    store,
    now,
    newId,
    logger,
    attendance,
    onStored: () => sync.notifyOutbox(),
  });
  const analyser: FrameAnalyser = new FrameAnalyser({
    faceEngine,
    attendance,
    enrolment,
    view,
    now,
    logger,
    onMarked: () => sync.notifyOutbox(),
  });
  const admin = new AdminSession(now);
  const quit = new QuitRequests(logger, isClosed);

  const allowReplayCamera =
    options.allowReplayCamera ?? (typeof options.camera === 'string' && isReplaySpec(options.camera));
  const handlers = buildHandlers({
    store,
    logger,
    now,
    newId,
    engine: attendance,
    sync,
    admin,
    enrolment,
    emit,
    state: () => view.state(),
    restartCamera: (spec) => camera.restart(spec),
    reportPageCamera: (report) => camera.reportFromPage(report),
    allowReplayCamera,
    faceEngineReady: () => faceEngine.engine !== null,
    faceModelId: () => faceEngine.modelId(),
    requestQuit: () => quit.request(),
  });

  const ready = (async () => {
    const loaded = await loadFaceEngine(faceEngine, options.engine, logger, isClosed);
    if (closed) return;
    if (loaded) attendance.reloadGallery();
    // The camera starts once recognition can use its frames: a replay must not run past
    // the door while the models load, and a webcam has nothing to show before either.
    const spec = options.camera ?? store.settings.get().cameraSpec;
    // A stored replay setting (an older version, or a demo run on this data folder) is not
    // played on a door: the screen says why and Settings can choose a camera.
    if (typeof spec === 'string' && isReplaySpec(spec) && !allowReplayCamera)
      camera.refuse(`${REPLAY_NOT_ALLOWED}; choose a camera in Settings`);
    else camera.start(spec);
    emit();
  })();
  void pairAndStartSync(sync, store, options, logger, isClosed);

  return {
    handlers,
    ready,
    store,
    sync,
    state: () => view.state(),
    settings: () => store.settings.get(),
    setCamera: (spec) => camera.restart(spec),
    reloadGallery: () => attendance.reloadGallery(),
    subscribe: (listener) => view.subscribe(listener),
    onQuitRequest: (l) => quit.on(l),
    onDecision: (l) => analyser.onDecision(l),
    stats: () => ({
      frames: { ...pipeline.counters },
      fps: pipeline.fps(),
      recognitionMs: pipeline.timing(),
      unknownAppearances: attendance.counters.unknownAppearances,
      camera: { ...camera.status, fps: pipeline.fps() },
      queueDepth: store.attendance.pendingCount(),
    }),
    idle: () => pipeline.idle(),
    pushFrame: (data) => camera.push(data),
    latestFrame: () => view.frameData,
    async close() {
      if (closed) return;
      closed = true;
      view.close();
      await camera.stop();
      await pipeline.close();
      await sync.close();
      await faceEngine.engine?.dispose();
      store.close();
      logger.info('kiosk closed');
    },
  };
}
