// The kiosk without Electron: store, camera, frame pipeline, attendance engine, enrolment,
// sync and the state stream, composed once. Electron's main process and the headless
// runner both call createKiosk(); the UI reaches it only through `handlers` (handlers.ts).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import type { KioskState, Settings } from '../contracts/kiosk-api';
import type { FaceEngine } from '../ml/types';
import { RECOGNITION_DEFAULTS, SHIPPED_MODEL_ID } from '../ml/config';
import { AttendanceEngine, type Decision } from './attendance/engine';
import { createCamera, FramePipeline, PushCamera, type CameraSource, type CameraStatus, type FrameMeta } from './camera/index';
import { EnrolmentSession } from './enrolment';
import { DEFAULT_ADMIN_PIN, makePrivateDir, openKioskStore, type KioskStore } from './store/index';
import { DEFAULT_SETTINGS } from './store/settings-defaults';
import { SyncService, type SyncServiceOptions } from '../sync/index';
import { buildHandlers, type KioskHandlers } from './handlers';
export { ADMIN_IDLE_MS } from './handlers';

export { DEFAULT_ADMIN_PIN };
export const APP_VERSION = '0.1.0';
/** How long a greeting stays on screen. */
const GREETING_MS = 4_000;
/**
 * A quit asked for from the admin area waits this long before the host is told, so the
 * answer reaches the screen before the host closes the IPC channel or the bridge under it.
 */
export const QUIT_REPLY_GRACE_MS = 100;

export interface KioskOptions {
  /** Folder for kiosk.db; created if missing. */
  dataDir: string;
  /** Overrides the database file (':memory:' in tests). */
  databaseFile?: string;
  /** Camera spec (see camera/spec.ts) or a source; default: the `cameraSpec` setting. */
  camera?: string | CameraSource;
  /** The face engine, or a factory (default: src/ml's createFaceEngine, loaded lazily). */
  engine?: FaceEngine | (() => Promise<FaceEngine>);
  clock?: () => Date;
  logger?: Logger;
  newId?: () => string;
  /** Pair with this server on start if the kiosk is not paired yet. */
  serverUrl?: string;
  pairingCode?: string;
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
  latestFrame(): { seq: number; data: Uint8Array } | null;
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

/** Internals the handlers work with; not exported from the package. */
export interface KioskInternals {
  store: KioskStore;
  logger: Logger;
  now: () => Date;
  newId: () => string;
  engine: AttendanceEngine;
  sync: SyncService;
  state: () => KioskState;
  emit: () => void;
  /** `recovery`: the session was opened with a recovery code (change PIN without the current one). */
  /** `factoryPin`: opened with the factory PIN, so only "set a new PIN" works until one is set. */
  admin: { unlockedUntil: number; recovery: boolean; factoryPin: boolean };
  enrolment: { current: EnrolmentSession | null; start(studentId: string, shots: number): EnrolmentSession };
  restartCamera: (spec: string) => void;
  faceEngineReady: () => boolean;
  /** The running face engine's model (null while it loads): the model templates must be of to be usable. */
  faceModelId: () => string | null;
  /** Asks the host to shut down (see Kiosk.onQuitRequest); false when no host listens. */
  requestQuit: () => boolean;
}

function settingsDefaults(overrides: Partial<Settings> | undefined): Settings {
  return {
    ...DEFAULT_SETTINGS,
    matchThreshold: RECOGNITION_DEFAULTS.threshold,
    matchMargin: RECOGNITION_DEFAULTS.minMargin,
    ...overrides,
  };
}

async function defaultEngine(logger: Logger): Promise<FaceEngine> {
  // Imported lazily: tfjs and the models cost seconds that tests with a fake engine never need.
  const ml = await import('../ml/index');
  return ml.createFaceEngine({}, { logger });
}

export interface KioskRuntime extends Kiosk {
  internals: KioskInternals;
  /** Resolves when the face engine is loaded (or failed) and the camera started. */
  ready: Promise<void>;
  onDecision(l: (d: Decision & { frame: FrameMeta }) => void): () => void;
  stats(): KioskStats;
  /** Resolves when no frame is being analysed. */
  idle(): Promise<void>;
}

export function createKiosk(options: KioskOptions): KioskRuntime {
  const logger = (options.logger ?? pino({ name: 'kiosk' })).child({ component: 'kiosk' });
  const now = options.clock ?? (() => new Date());
  const newId = options.newId ?? randomUUID;
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
    logger.warn({ event: 'factory_pin' }, 'the admin PIN is still the factory default; set one in the admin area (PIN tab)');
  }

  // ------------------------------------------------------------ mutable kiosk state (per instance)
  let faceEngine: FaceEngine | null = null;
  const engineStatus: KioskState['engine'] = { state: 'loading', progress: 0, backend: null, modelId: null, error: null };
  const camera: KioskState['camera'] = { status: 'starting', detail: null, fps: 0 };
  let frame: KioskState['frame'] = null;
  let frameData: { seq: number; data: Uint8Array } | null = null;
  let faces: KioskState['faces'] = [];
  let greeting: KioskState['greeting'] = null;
  let closed = false;
  const listeners = new Set<(s: KioskState) => void>();
  const decisionListeners = new Set<(d: Decision & { frame: FrameMeta }) => void>();
  const quitListeners = new Set<() => void>();
  const admin = { unlockedUntil: 0, recovery: false, factoryPin: false };

  const placement = () => ({ roomId: store.settings.get().roomId ?? store.sync.get('roomId'), timezone: store.sync.get('timezone') });
  const engine = new AttendanceEngine({
    store, now, newId, logger: logger.child({ component: 'attendance' }), placement,
    modelId: () => faceEngine?.modelId ?? null,
    embeddingSize: () => faceEngine?.embeddingSize ?? 0,
  });

  const sync = new SyncService({
    store, now, appVersion: APP_VERSION, logger: logger.child({ component: 'sync' }),
    health: () => {
      const t = pipeline.timing();
      return {
        fps: pipeline.fps(), droppedFrames: pipeline.counters.dropped,
        ...(t ? { recognitionMsP50: t.p50, recognitionMsP95: t.p95 } : {}),
        ...(faceEngine ? { backend: faceEngine.backend } : {}),
      };
    },
    onGalleryChanged: () => engine.reloadGallery(),
    onScheduleChanged: () => emit(),
    ...options.sync,
  });

  const state = (): KioskState => {
    const session = engine.session();
    const { roomId } = placement();
    const room = roomId ? store.roster.getRoom(roomId) : null;
    const cls = session ? store.roster.getClass(session.classId) : null;
    if (greeting && now().getTime() - new Date(greeting.at).getTime() > GREETING_MS) greeting = null;
    return {
      engine: { ...engineStatus },
      camera: { ...camera, fps: pipeline.fps() },
      frame, faces, greeting,
      session: session ? { sessionId: session.sessionId, className: cls?.name ?? session.classId, startsAt: session.startsAt, endsAt: session.endsAt, lateAfter: session.lateAfter } : null,
      noClassToday: session ? false : engine.noClassToday(),
      room: room ?? (roomId ? { id: roomId, name: roomId } : null),
      sync: sync.status(),
      droppedFrames: pipeline.counters.dropped,
      // Tells the page to open getUserMedia and push frames (camera spec `push`).
      browserCamera: cameraSource instanceof PushCamera ? { deviceId: null } : null,
      soundCue: store.settings.get().soundCue,
      // Cached by the attendance engine with its gallery, so this costs nothing per frame.
      templateCoverage: engine.coverage,
    };
  };
  const emit = () => {
    if (closed || listeners.size === 0) return;
    const s = state();
    for (const l of listeners) {
      try {
        l(s);
      } catch (err) {
        logger.error({ err }, 'state listener threw');
      }
    }
  };
  sync.subscribe(() => emit());

  // ------------------------------------------------------------ enrolment
  const enrolment: KioskInternals['enrolment'] = {
    current: null,
    start(studentId, shots) {
      this.current = new EnrolmentSession(studentId, shots, () => now().getTime());
      return this.current;
    },
  };
  const finishEnrolment = (session: EnrolmentSession) => {
    if (!faceEngine) return;
    const createdAt = now().toISOString();
    const modelId = faceEngine.modelId;
    store.transaction(() => {
      for (const shot of session.captured()) {
        store.templates.upsert({ id: newId(), studentId: session.studentId, modelId, embedding: shot.embedding, quality: shot.quality, origin: 'local', createdAt });
      }
      store.audit.record(createdAt, 'enrol', { studentId: session.studentId, templates: session.captured().length, modelId });
    });
    engine.reloadGallery();
    logger.info({ studentId: session.studentId, templates: session.captured().length }, 'enrolment stored');
    sync.notifyOutbox();
  };

  // ------------------------------------------------------------ frames → recognition
  const analyseFrame = async (data: Uint8Array, meta: FrameMeta) => {
    if (!faceEngine) return;
    let analysis;
    try {
      analysis = await faceEngine.analyse(data);
    } catch (err) {
      // A dead engine is not a bad frame: say so on the status line (the frame is still counted as skipped).
      const code = (err as { code?: unknown }).code;
      if (code === 'crashed' || code === 'disposed') {
        Object.assign(engineStatus, { state: 'error', error: err instanceof Error ? err.message : String(err) });
        emit();
      }
      throw err;
    }
    frame = { width: analysis.width, height: analysis.height, seq: meta.index };
    frameData = { seq: meta.index, data };
    const enrolling = enrolment.current;
    if (enrolling && !enrolling.done) {
      // While an admin enrols someone, the door does not mark: the person in front is being enrolled.
      if (enrolling.offer(analysis) && enrolling.done) finishEnrolment(enrolling);
      faces = analysis.faces.map((f) => ({
        box: [f.box[0] / analysis.width, f.box[1] / analysis.height, f.box[2] / analysis.width, f.box[3] / analysis.height],
        label: null, state: f.gateFailures.length ? 'gated' : 'candidate', hint: enrolling.hint,
      }));
      emit();
      return;
    }
    const outcome = engine.processFrame(analysis, meta.index);
    faces = outcome.faces;
    if (logger.isLevelEnabled('debug')) {
      logger.debug({ event: 'frame', index: meta.index, capturedAt: meta.capturedAt, inferenceMs: Math.round(analysis.inferenceMs), faces: outcome.faces.map((f) => ({ state: f.state, label: f.label, hint: f.hint })) }, 'frame analysed');
    }
    for (const d of outcome.decisions) {
      greeting = { kind: d.kind, studentId: d.studentId, name: d.name, message: d.message, at: d.at, scores: d.scores };
      logger.info({ event: 'decision', kind: d.kind, studentId: d.studentId, sessionId: d.sessionId, eventId: d.eventId, scores: d.scores, frameIndex: meta.index, frameCapturedAt: meta.capturedAt, decidedAt: now().getTime() }, d.message);
      for (const l of decisionListeners) l({ ...d, frame: meta });
      if (d.eventId) sync.notifyOutbox();
    }
    emit();
  };
  const pipeline = new FramePipeline(analyseFrame, logger.child({ component: 'frames' }));

  let cameraSource: CameraSource | null = null;
  const startCamera = (spec: string | CameraSource) => {
    try {
      cameraSource = typeof spec === 'string' ? createCamera(spec) : spec;
    } catch (err) {
      camera.status = 'error';
      camera.detail = err instanceof Error ? err.message : String(err);
      logger.error({ spec }, camera.detail);
      emit();
      return;
    }
    const source = cameraSource;
    source.start({
      frame: (data, meta) => { if (cameraSource === source) pipeline.offer(data, meta); },
      status: (status: CameraStatus, detail) => {
        if (cameraSource !== source) return;
        camera.status = status;
        camera.detail = detail;
        logger.info({ event: 'camera', status, detail }, `camera ${status}`);
        emit();
      },
      skipped: (n) => pipeline.addDropped(n),
    });
  };
  const restartCamera = (spec: string) => {
    const old = cameraSource;
    cameraSource = null;
    void old?.stop();
    startCamera(spec);
  };

  // ------------------------------------------------------------ start-up
  const ready = (async () => {
    try {
      const e = options.engine;
      faceEngine = e === undefined ? await defaultEngine(logger) : typeof e === 'function' ? await e() : e;
      if (closed) return;
      Object.assign(engineStatus, { state: 'ready', progress: 1, backend: faceEngine.backend, modelId: faceEngine.modelId, error: null });
      engine.reloadGallery();
      logger.info({ event: 'engine', backend: faceEngine.backend, modelId: faceEngine.modelId }, 'face engine ready');
    } catch (err) {
      Object.assign(engineStatus, { state: 'error', error: err instanceof Error ? err.message : String(err) });
      logger.error({ err }, 'face engine failed to load');
    }
    // The camera starts once recognition can use its frames: a replay must not run past
    // the door while the models load, and a webcam has nothing to show before either.
    if (!closed) startCamera(options.camera ?? store.settings.get().cameraSpec);
    emit();
  })();

  const requestQuit = (): boolean => {
    if (quitListeners.size === 0 || closed) return false;
    logger.info({ event: 'quit_requested' }, 'quit requested from the admin area');
    setTimeout(() => {
      for (const l of quitListeners) {
        try {
          l();
        } catch (err) {
          logger.error({ err }, 'quit listener threw');
        }
      }
    }, QUIT_REPLY_GRACE_MS);
    return true;
  };

  const internals: KioskInternals = {
    store, logger, now, newId, engine, sync, state, emit, admin, enrolment, restartCamera,
    faceEngineReady: () => faceEngine !== null,
    faceModelId: () => faceEngine?.modelId ?? null,
    requestQuit,
  };
  const handlers = buildHandlers(internals);

  const paired = () => Boolean(store.sync.get('deviceToken'));
  void (async () => {
    if (!paired() && options.serverUrl && options.pairingCode) {
      try {
        await sync.pair({ serverUrl: options.serverUrl, code: options.pairingCode, name: options.deviceName ?? 'kiosk' });
      } catch (err) {
        logger.error({ err: err instanceof Error ? err.message : String(err) }, 'pairing failed; pair again from the admin screen');
      }
    } else if (paired() && options.serverUrl && store.sync.get('serverUrl') !== options.serverUrl) {
      logger.warn({ stored: store.sync.get('serverUrl'), given: options.serverUrl }, 'already paired with another server URL; keeping the paired one');
    }
    if (options.autoSync !== false && !closed) sync.start();
  })();

  return {
    handlers,
    internals,
    ready,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onQuitRequest(l) {
      quitListeners.add(l);
      return () => quitListeners.delete(l);
    },
    onDecision(l) {
      decisionListeners.add(l);
      return () => decisionListeners.delete(l);
    },
    stats: () => ({
      frames: { ...pipeline.counters }, fps: pipeline.fps(), recognitionMs: pipeline.timing(),
      unknownAppearances: engine.counters.unknownAppearances, camera: { ...camera, fps: pipeline.fps() },
      queueDepth: store.attendance.pendingCount(),
    }),
    idle: () => pipeline.idle(),
    pushFrame(data) {
      if (cameraSource instanceof PushCamera) cameraSource.push(data);
    },
    latestFrame: () => frameData,
    async close() {
      if (closed) return;
      closed = true;
      await cameraSource?.stop();
      await pipeline.close();
      await sync.close();
      await faceEngine?.dispose();
      store.close();
      logger.info('kiosk closed');
    },
  };
}
