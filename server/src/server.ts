// Entry point of `npm run server`: read the environment, build the app, listen, and close
// cleanly on SIGTERM/SIGINT (in-flight requests finish, new ones get 503, the database closes).
import { networkInterfaces } from 'node:os';
import { buildApp } from './app.js';
import { ConfigError, configFromEnv } from './config.js';
import { createLogger } from './logger.js';
import { consoleLine, networkAddresses, startupHints } from './startup-hints.js';

async function main(): Promise<void> {
  let config;
  try {
    config = configFromEnv(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const app = await buildApp(config, { logger });
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ component: 'server', signal }, 'shutting down');
    // A stuck connection must not keep the process alive forever.
    const timer = setTimeout(() => {
      // Says what held it up: open connections (a client still reading a response) or a hook.
      app.server.getConnections((_err, connections) => {
        logger.error({ component: 'server', connections }, 'shutdown timed out');
        process.exit(1);
      });
    }, 10_000);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ component: 'server', err }, 'error while closing');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  const address = await app.listen({ port: config.port, host: config.host });
  logger.info(
    { component: 'server', address, database: config.database.kind, dataDir: config.dataDir },
    'listening',
  );
  const hints = await startupHints(app.ctx.db, address, {
    networkAddresses: networkAddresses(config.host, networkInterfaces()),
    ...(config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl }),
  });
  logger.info(
    { component: 'server', console: hints.consoleUrl, network: hints.networkUrls },
    consoleLine(hints),
  );
  if (hints.noAdmin) logger.warn({ component: 'server', event: 'no_admin' }, hints.noAdmin);
}

main().catch((err: unknown) => {
  createLogger('error').fatal({ component: 'server', err }, 'failed to start');
  process.exit(1);
});
