// A real Rollcall server (buildApp) on a real loopback port with an SQLite file, which a test
// can stop and start again on the same port (the "server goes down" case).
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../server/src/app.js';
import { defaultAppConfig } from '../../server/src/config.js';
import { openDatabase, type Database } from '../../server/src/db/database.js';
import type { Mailer } from '../../server/src/notifications/mailer.js';
import type { FaceEngine } from '../../src/ml/types.js';

export interface RunningServer {
  url: string;
  port: number;
  /** In-process requests (seeding, checks) that work whether or not the port is open. */
  app(): FastifyInstance;
  database: Database;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startServer(opts: {
  dbFile: string;
  engine: FaceEngine;
  /** Receives the server's emails (invitations, silent-kiosk alerts) instead of SMTP. */
  mailer?: Mailer;
}): Promise<RunningServer> {
  const database = openDatabase({ kind: 'sqlite', filename: opts.dbFile });
  // One secret for the whole test: device tokens must survive a restart.
  const config = defaultAppConfig({
    database: { kind: 'sqlite', filename: opts.dbFile },
    jwtSecret: 'e2e-secret-'.padEnd(48, 'x'),
    loginRateLimitPerMinute: 1000,
  });
  let app: FastifyInstance | null = null;
  let port = 0;
  const start = async () => {
    app = await buildApp(config, {
      database,
      faceEngine: opts.engine,
      logger: pino({ level: 'silent' }),
      ...(opts.mailer ? { mailer: opts.mailer } : {}),
    });
    await app.listen({ host: '127.0.0.1', port });
    const address = app.server.address();
    if (address && typeof address === 'object') port = address.port;
  };
  await start();
  const stop = async () => {
    await app?.close();
    app = null;
  };
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    app: () => {
      if (!app) throw new Error('server is stopped');
      return app;
    },
    database,
    stop,
    start,
    close: async () => {
      await stop();
      await database.close();
    },
  };
}
