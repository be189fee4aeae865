// What every route plugin needs, decorated once on the root instance as `app.ctx`.
// It lives in the app instance (not at module scope), so two apps in one process (tests,
// the kiosk scenario) never share state.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { FaceEngine } from '../../../src/ml/types.js';
import type { Clock } from '../clock.js';
import type { AppConfig } from '../config.js';
import type { Database, DialectName } from '../db/database.js';
import type { DB } from '../db/schema.js';
import { AttendanceFeed } from '../services/attendance-feed.js';
import { AuthService } from '../services/auth.js';

export interface AppContext {
  db: Kysely<DB>;
  dialect: DialectName;
  database: Database;
  config: AppConfig;
  clock: Clock;
  auth: AuthService;
  /** Wakes live session streams on this instance when attendance changes (a hint; they poll too). */
  attendanceFeed: AttendanceFeed;
  /** Loaded on first use (model loading takes seconds; most requests never need it). */
  faceEngine(): Promise<FaceEngine>;
  /**
   * The engine failed (its worker crashed or exited): drop it, so the next photo upload starts
   * a new one instead of failing on the dead one until the server restarts. An engine passed in
   * ready-made is the caller's and is kept.
   */
  discardFaceEngine(failed: FaceEngine): void;
  nowIso(): string;
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
  }
}

export interface ContextOptions {
  database: Database;
  config: AppConfig;
  clock: Clock;
  faceEngine: FaceEngine | (() => Promise<FaceEngine>);
}

export default fp(
  async function context(app: FastifyInstance, opts: ContextOptions) {
    let engine: Promise<FaceEngine> | undefined;
    /** The engine `engine` resolved to, so a failed one is dropped only if it is still the current one. */
    let current: FaceEngine | undefined;
    const { faceEngine } = opts;
    const ctx: AppContext = {
      db: opts.database.db,
      dialect: opts.database.dialect,
      database: opts.database,
      config: opts.config,
      clock: opts.clock,
      auth: new AuthService(opts.database.db, opts.config, opts.clock),
      attendanceFeed: new AttendanceFeed(),
      faceEngine() {
        if (typeof faceEngine !== 'function') return Promise.resolve(faceEngine);
        // A failed load is not cached: the next photo upload tries again.
        engine ??= faceEngine().then(
          (loaded) => (current = loaded),
          (err: unknown) => {
            engine = undefined;
            throw err;
          },
        );
        return engine;
      },
      discardFaceEngine(failed) {
        // Two uploads may see the same engine fail: the second must not drop a new one.
        if (typeof faceEngine !== 'function' || failed !== current) return;
        engine = undefined;
        current = undefined;
        // Its worker may still be running (a model error, not a crash): end it, never wait on it.
        failed.dispose().catch(() => undefined);
      },
      nowIso: () => opts.clock.now().toISOString(),
    };
    app.decorate('ctx', ctx);
    // An engine this app loaded is this app's to stop: its worker thread would otherwise keep the
    // process alive after close. One passed in ready-made belongs to the caller.
    app.addHook('onClose', async () => {
      const loading = engine;
      engine = undefined;
      if (loading) await loading.then((e) => e.dispose()).catch(() => undefined);
    });
  },
  { name: 'context' },
);
