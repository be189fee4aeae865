// Headless kiosk: the kiosk core with no Electron, logging JSON lines (pino) on stdout.
//   npm run kiosk -- --server <url> --pair <code> [--server-fingerprint <sha256>] --camera <spec> [--data <dir>]
// Extra options: --name, --admin-pin (first run; 6-12 digits, not trivial), --sync-interval ms, --timeout ms,
// --backoff-max ms, --exit-when-done (after a replay ends: push everything, report the stopped camera, exit),
// --setup-only (pair and pull the roster, then exit; no camera, no face engine),
// --ui <port> (serve the kiosk UI through the browser bridge at http://127.0.0.1:<port>/#token=…,
//   the per-launch access token in the fragment; the `ui` log line carries that URL; 0 = any port),
// --log-level. Stops cleanly on SIGINT/SIGTERM. A kiosk given --pair is paired before anything
// else starts, and a pairing that fails ends the run (exit 1) rather than leave a door that
// marks nobody; a replay folder without frames is refused at once (exit 2).
import { parseArgs } from 'node:util';
import pino from 'pino';
import { z } from 'zod';
import { createKiosk, APP_VERSION } from '../kiosk.js';
import { makePrivateDir, openKioskStore, type KioskStore } from '../store/index.js';
import { DEFAULT_SETTINGS } from '../store/settings-defaults.js';
import { SyncService } from '../../sync/index.js';
import { join } from 'node:path';
import { parseCameraSpec, replayFolderProblem } from '../camera/index.js';
import { adminPinProblem } from '../../contracts/pin-policy.js';
import { PairArgs } from '../../contracts/kiosk-api.js';
import { flagProblem } from '../../contracts/cli-flags.js';
import { drainAfterReplay } from './drain-after-replay.js';
import { pairingFailureMessage } from './pairing-failure.js';
import { assertRendererBuilt, defaultStaticDir, startBridge, type Bridge } from '../bridge/index.js';

const Args = z.object({
  server: z
    .string()
    .url('give the whole address, e.g. http://192.168.1.20:8000 (the one the console shows)')
    .optional(),
  pair: z.string().min(4).optional(),
  /** The server certificate's SHA-256 fingerprint (printed by the compose proxy on first start); else trusted on first contact. */
  'server-fingerprint': PairArgs.shape.serverFingerprint,
  camera: z.string().min(1).optional(),
  data: z.string().min(1).default('./data/kiosk'),
  name: z.string().min(1).max(120).default('headless kiosk'),
  // The same rules as changing the PIN in the admin area: a provisioned PIN must not be guessable either.
  'admin-pin': z
    .string()
    .superRefine((pin, ctx) => {
      const problem = adminPinProblem(pin);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  'sync-interval': z.coerce.number().int().min(100).default(30_000),
  timeout: z.coerce.number().int().min(100).default(10_000),
  'backoff-max': z.coerce
    .number()
    .int()
    .min(100)
    .default(5 * 60_000),
  'exit-when-done': z.boolean().default(false),
  'setup-only': z.boolean().default(false),
  ui: z.coerce.number().int().min(0).max(65_535).optional(),
  'log-level': z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

const OPTIONS = {
  server: { type: 'string' },
  pair: { type: 'string' },
  'server-fingerprint': { type: 'string' },
  camera: { type: 'string' },
  data: { type: 'string' },
  name: { type: 'string' },
  'admin-pin': { type: 'string' },
  'sync-interval': { type: 'string' },
  timeout: { type: 'string' },
  'backoff-max': { type: 'string' },
  'exit-when-done': { type: 'boolean' },
  'setup-only': { type: 'boolean' },
  'log-level': { type: 'string' },
  ui: { type: 'string' },
} as const;

const USAGE =
  'Usage: npm run kiosk -- --server <url> --pair <code> --camera <spec> [--data <dir>] (docs/kiosk.md, "Headless runner")';

/** The command line, or exit 2 with a sentence naming a mistyped option and the nearest real one (not a stack trace). */
function readFlags() {
  try {
    return parseArgs({ options: OPTIONS, strict: true }).values;
  } catch (err) {
    const problem = flagProblem(err, Object.keys(OPTIONS));
    if (problem === null) throw err;
    console.error(`kiosk: ${problem}\n${USAGE}`);
    process.exit(2);
  }
}

function main(): void {
  const values = readFlags();
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    console.error(
      `kiosk: bad arguments: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
    process.exit(2);
  }
  const args = parsed.data;
  if (args.camera) {
    try {
      const spec = parseCameraSpec(args.camera);
      const problem = spec.kind === 'replay' ? replayFolderProblem(spec.options.dir) : null;
      if (problem) throw new Error(problem);
    } catch (err) {
      console.error(`kiosk: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(2);
    }
  }
  if (args.ui !== undefined) {
    try {
      assertRendererBuilt(defaultStaticDir());
    } catch (err) {
      console.error(`kiosk: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(2);
    }
  }
  const logger = pino({ name: 'rollcall-kiosk', level: args['log-level'] });
  if (args['setup-only']) {
    void setupOnly(args, logger);
    return;
  }
  void runDoor(args, logger);
}

/** The door: pairs first when given a code (a refused code ends the run), then camera, engine and sync. */
async function runDoor(args: z.infer<typeof Args>, logger: pino.Logger): Promise<void> {
  if (args.pair) {
    try {
      await withSync(args, logger, (store, sync) => pairIfNeeded(store, sync, args));
    } catch (err) {
      logger.error(
        { event: 'pairing_failed', err: pairingFailureMessage(err, args.server) },
        'kiosk pairing failed',
      );
      process.exit(1);
    }
  }
  const kiosk = createKiosk({
    dataDir: args.data,
    ...(args.camera ? { camera: args.camera } : {}),
    ...(args.server ? { serverUrl: args.server } : {}),
    ...(args['admin-pin'] ? { adminPin: args['admin-pin'] } : {}),
    deviceName: args.name,
    logger,
    sync: {
      intervalMs: args['sync-interval'],
      timeoutMs: args.timeout,
      backoff: { baseMs: 500, maxMs: args['backoff-max'] },
    },
  });

  if (!kiosk.sync.status().paired)
    logger.warn(
      { event: 'not_paired' },
      'this kiosk is not paired with a server, so it knows no students and marks nobody: ' +
        'start it with --server <url> --pair <code> (a code from the staff console: Kiosks, Add a kiosk)',
    );

  let bridge: Bridge | null = null;
  if (args.ui !== undefined) {
    startBridge({ kiosk, port: args.ui, staticDir: defaultStaticDir(), logger })
      .then((b) => {
        bridge = b;
        // The one place the token is printed: whoever runs the kiosk opens this URL. It goes to
        // this process's stdout only; the bridge never logs it.
        logger.info({ event: 'ui', url: b.url }, `kiosk UI at ${b.url}`);
      })
      .catch((err: unknown) =>
        logger.error(
          { event: 'ui_failed', err: err instanceof Error ? err.message : String(err) },
          'kiosk UI failed to start',
        ),
      );
  }

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    clearInterval(statsTimer);
    await bridge?.close();
    logger.info({ event: 'stats', final: true, ...kiosk.stats() }, 'kiosk stopping');
    await kiosk.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  // "Quit Rollcall" in the admin area (through --ui): the same clean stop as a signal.
  kiosk.onQuitRequest(() => void stop(0));

  const statsTimer = setInterval(
    () => logger.info({ event: 'stats', ...kiosk.stats() }, 'kiosk stats'),
    5_000,
  );

  if (args['exit-when-done']) {
    let draining = false;
    kiosk.subscribe((s) => {
      if (draining || s.camera.status !== 'stopped') return;
      draining = true;
      void drainAfterReplay(kiosk, logger).then(() => stop(0));
    });
  }
}

/** The kiosk's store and a sync client on it, without the face engine or a camera; closed after `work`. */
async function withSync<T>(
  args: z.infer<typeof Args>,
  logger: pino.Logger,
  work: (store: KioskStore, sync: SyncService) => Promise<T>,
): Promise<T> {
  makePrivateDir(args.data);
  const store = openKioskStore({
    file: join(args.data, 'kiosk.db'),
    defaultSettings: DEFAULT_SETTINGS,
    now: () => new Date(),
  });
  const sync = new SyncService({
    store,
    logger: logger.child({ component: 'sync' }),
    now: () => new Date(),
    appVersion: APP_VERSION,
    health: () => ({}),
    timeoutMs: args.timeout,
  });
  try {
    return await work(store, sync);
  } finally {
    await sync.close();
    store.close();
  }
}

/** Pairs a kiosk that is not paired yet; one already paired keeps its pairing (the code is not used). */
async function pairIfNeeded(store: KioskStore, sync: SyncService, args: z.infer<typeof Args>): Promise<void> {
  if (store.sync.get('deviceToken')) return;
  if (!args.server || !args.pair) throw new Error('not paired: give --server and --pair');
  await sync.pair({
    serverUrl: args.server,
    code: args.pair,
    name: args.name,
    ...(args['server-fingerprint'] ? { serverFingerprint: args['server-fingerprint'] } : {}),
  });
}

/** Pair (if needed) and pull the roster, without loading the face engine or a camera. */
async function setupOnly(args: z.infer<typeof Args>, logger: pino.Logger): Promise<void> {
  let code = 0;
  try {
    await withSync(args, logger, async (store, sync) => {
      await pairIfNeeded(store, sync, args);
      const report = await sync.syncNow();
      if (!report.ok) throw new Error(report.error ?? 'sync failed');
      logger.info(
        {
          event: 'setup_done',
          status: sync.status(),
          students: store.roster.listStudents('').length,
          templates: store.templates.countByStudent().size,
        },
        'kiosk set up',
      );
    });
  } catch (err) {
    logger.error(
      { event: 'setup_failed', err: pairingFailureMessage(err, args.server, false) },
      'kiosk set-up failed',
    );
    code = 1;
  }
  process.exit(code);
}

main();
