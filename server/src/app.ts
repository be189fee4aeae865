// The server as a Fastify plugin tree (fastify/demo's shape): external plugins (helmet,
// rate limit, swagger), then the app's own (context with the database and
// services, auth, error handler), then the route plugins. `buildApp` returns a ready
// instance for tests (app.inject) and for embedding (the kiosk scenario); server.ts only
// listens.
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
} from 'fastify';
import type { Logger } from 'pino';
import type { FaceEngine } from '../../src/ml/types.js';
import { systemClock, type Clock } from './clock.js';
import type { AppConfig } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { migrate } from './db/migrate.js';
import { createLogger } from './logger.js';
import authPlugin from './plugins/auth.js';
import contextPlugin from './plugins/context.js';
import errorHandler from './plugins/error-handler.js';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from './plugins/zod-provider.js';
import { coreRoutes } from './routes/index.js';
// Extensions beside the core routes: metrics, the rate-limit store.
import metricsPlugin from './metrics.js';
import { databaseRateLimitStore } from './rate-limit-store.js';
import reportRoutes from './reports/routes.js';
import schoolReports from './reports/school.js';
import notificationsPlugin from './notifications/plugin.js';
import type { Mailer } from './notifications/mailer.js';
// [console] the staff web console: its cookie session routes and its static files at `/`.
import sessionRoutes from './console/session-routes.js';
import accountRoutes from './console/account-routes.js';
import { smtpMailer } from './notifications/mailer.js';
import consoleStatic, { DEFAULT_CONSOLE_DIR } from './console/static.js';
import silentKiosksPlugin from './plugins/silent-kiosks.js';
import { closeConnectionsAsTheyGoIdle } from './graceful-close.js';

export interface BuildAppOptions {
  /** An open database; the app migrates it but does not close it. Without one the app opens config.database and owns it. */
  database?: Database;
  /** The face engine for photo imports, or a factory called on first use. Default: src/ml's createFaceEngine(). */
  faceEngine?: FaceEngine | (() => Promise<FaceEngine>);
  clock?: Clock;
  logger?: Logger;
  /**
   * Extra route plugins (reports, notifications, metrics…), registered after the core
   * routes with `app.ctx`, `app.requireUser`/`requireDevice` and the zod type provider.
   */
  plugins?: FastifyPluginAsync[];
  /** Replaces the SMTP mailer of the notifications (used only when config.notifications is set). */
  mailer?: Mailer;
  /** Process metrics (CPU, memory, event-loop lag) on /metrics; default true. */
  processMetrics?: boolean;
  /** The built staff console served at `/` (default: out/console); null serves the "not built" page. */
  consoleDir?: string | null;
}

async function defaultFaceEngine(logger: Logger): Promise<FaceEngine> {
  // Imported lazily: loading tfjs and the models costs seconds that most requests never need.
  const ml = await import('../../src/ml/index.js');
  // A small queue: two admins uploading at once wait their turn instead of failing. The engine
  // logs through the server's logger, so LOG_LEVEL and the log's format apply to it too.
  return ml.createFaceEngine({ maxQueue: 16 }, { logger });
}

export async function buildApp(config: AppConfig, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const owned = options.database === undefined;
  const database =
    options.database ??
    openDatabase(config.database, {
      onIdleError: (err) =>
        logger.warn(
          { component: 'db', err },
          'PostgreSQL closed an idle connection; the pool opens a new one',
        ),
    });
  try {
    const result = await migrate(database);
    if (result.applied.length > 0) logger.info({ component: 'db', ...result }, 'database migrated');
  } catch (err) {
    if (owned) await database.close();
    throw err;
  }

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Fastify's two lines per request are replaced by our one (onResponse hook below).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    // Only the configured proxies' X-Forwarded-For is believed (config.ts, TRUST_PROXY); from any
    // other peer the socket's address is the client's, whatever headers it sends.
    trustProxy: config.trustProxy,
    return503OnClosing: true,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The API speaks JSON: anything else is a 415, not a string body. Multipart is read by the
  // photo upload alone, which registers its parser in its own scope (routes/student-photos.ts).
  app.removeContentTypeParser('text/plain');
  if (owned) app.addHook('onClose', async () => database.close());
  closeConnectionsAsTheyGoIdle(app);

  // One line per request with its route pattern (not the raw URL: ids would explode
  // cardinality) and duration.
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        component: 'http',
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        statusCode: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  });

  await app.register(helmet, { global: true });
  // Limits apply only where a route opts in (login, refresh, pairing). [rate-limit store] The
  // counters live in the database (rate-limit-store.ts), so they hold across all instances.
  await app.register(rateLimit, {
    global: false,
    store: databaseRateLimitStore(database.db, options.clock ?? systemClock),
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Rollcall server',
        version: '0.1.0',
        description: 'Central API for Rollcall face-attendance kiosks.',
      },
      components: {
        securitySchemes: {
          user: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'Access token from POST /api/auth/login',
          },
          device: { type: 'http', scheme: 'bearer', description: 'Device token from POST /api/devices/pair' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // The UI sets inline styles, and `npm run server` speaks plain HTTP on a LAN (TLS is the
    // proxy's job), where upgrade-insecure-requests would break the page's own assets.
    transformStaticCSP: (header) =>
      header
        .replace(/upgrade-insecure-requests;?/, '')
        .replace("style-src 'self' https:", "style-src 'self' https: 'unsafe-inline'"),
  });

  await app.register(contextPlugin, {
    database,
    config,
    clock: options.clock ?? systemClock,
    faceEngine: options.faceEngine ?? (() => defaultFaceEngine(logger)),
  });
  await app.register(authPlugin);
  await app.register(errorHandler);

  // [metrics] before the routes, so its onResponse/preSerialization hooks see every route.
  await app.register(metricsPlugin, {
    token: config.metricsToken,
    open: config.metricsOpen,
    processMetrics: options.processMetrics ?? true,
  });
  for (const routes of coreRoutes) await app.register(routes);
  // [reports] after the core routes it builds on.
  await app.register(reportRoutes);
  await app.register(schoolReports);
  await app.register(sessionRoutes);
  // Invitations and password links go by email when SMTP is configured (the notifications' SMTP_URL).
  const accountMailer = options.mailer ?? (config.notifications ? smtpMailer(config.notifications) : null);
  if (accountMailer && !options.mailer) app.addHook('onClose', async () => accountMailer.close());
  await app.register(accountRoutes({ mailer: accountMailer }));
  // Kiosks silent in school hours: flagged, audited, and emailed to the admins once (with SMTP).
  await app.register(silentKiosksPlugin, {
    mailer: accountMailer,
    intervalSeconds: config.silentKioskCheckSeconds ?? 60,
  });
  await app.register(consoleStatic, {
    dir: options.consoleDir === undefined ? DEFAULT_CONSOLE_DIR : options.consoleDir,
  });
  // [notifications] only with SMTP configured; the scheduler starts when the app is ready.
  if (config.notifications)
    await app.register(notificationsPlugin, {
      config: config.notifications,
      ...(options.mailer ? { mailer: options.mailer } : {}),
    });
  for (const plugin of options.plugins ?? []) await app.register(plugin);

  await app.ready();
  return app;
}
