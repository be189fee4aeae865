// Runs the silent-kiosk checker (services/silent-kiosk-alerts.ts) on a timer once the app is
// ready, on every instance (the database decides who emails), and stops it before the database
// closes. `app.silentKiosks.check()` runs one round (tests, with a fake clock and mailer).
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
import type { Mailer } from '../notifications/mailer.js';
import { SilentKioskChecker } from '../services/silent-kiosk-alerts.js';

export interface SilentKiosksOptions {
  /** Null: no SMTP configured; episodes are still flagged and audited, nobody is emailed. */
  mailer: Mailer | null;
  /** Seconds between rounds; 0: never by itself. */
  intervalSeconds: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    silentKiosks: SilentKioskChecker;
  }
}

export default fp(
  async function silentKiosks(app: FastifyInstance, opts: SilentKiosksOptions) {
    const logger = app.log as unknown as Logger;
    const checker = new SilentKioskChecker({
      db: app.ctx.db,
      clock: app.ctx.clock,
      mailer: opts.mailer,
      logger,
    });
    app.decorate('silentKiosks', checker);
    let timer: NodeJS.Timeout | undefined;
    if (opts.intervalSeconds > 0) {
      app.addHook('onReady', async () => {
        timer = setInterval(() => {
          checker
            .check()
            .catch((err: unknown) =>
              logger.error({ component: 'silent-kiosks', err }, 'silent-kiosk check failed'),
            );
        }, opts.intervalSeconds * 1000);
        timer.unref();
      });
    }
    app.addHook('preClose', async () => {
      if (timer) clearInterval(timer);
      await checker.stop();
    });
  },
  { name: 'silent-kiosks', dependencies: ['context'] },
);
