// Auto-update from the generic feed in settings: check at start and daily, download in the
// background, and install only when the kiosk is idle (update-policy.ts) — never mid-session.
import electronUpdater from 'electron-updater';
import type { Logger } from 'pino';
import { canInstallNow, feedUrlOrNull, UPDATE_CHECK_INTERVAL_MS, type IdleTracker } from './update-policy';

const IDLE_POLL_MS = 60_000;

export interface UpdaterHandle {
  stop(): void;
}

export function startAutoUpdate(opts: {
  feedUrl: () => Promise<string | null>;
  idle: IdleTracker;
  log: Logger;
  /** Packaged apps only: a dev checkout has no update metadata. */
  enabled: boolean;
}): UpdaterHandle {
  const log = opts.log.child({ component: 'updater' });
  if (!opts.enabled) {
    log.info('auto-update disabled (not packaged)');
    return { stop: () => {} };
  }
  const { autoUpdater } = electronUpdater;
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = false;
  autoUpdater.logger = null;
  let downloaded = false;
  let installTimer: ReturnType<typeof setInterval> | undefined;

  const check = async () => {
    const url = feedUrlOrNull(await opts.feedUrl());
    if (!url) {
      log.info('no update feed configured');
      return;
    }
    autoUpdater.setFeedURL({ provider: 'generic', url });
    try {
      await autoUpdater.checkForUpdates();
    } catch (err) {
      log.warn({ err }, 'update check failed');
    }
  };

  autoUpdater.on('update-downloaded', (info) => {
    if (downloaded) return;
    downloaded = true;
    log.info({ version: info.version }, 'update downloaded; waiting until the kiosk is idle');
    installTimer = setInterval(() => {
      const decision = canInstallNow(opts.idle.facts(Date.now()));
      if (decision.install) {
        log.info({ version: info.version }, 'installing update');
        autoUpdater.quitAndInstall(true, true);
      } else {
        log.debug({ reason: decision.reason }, 'update postponed');
      }
    }, IDLE_POLL_MS);
  });
  autoUpdater.on('error', (err) => log.warn({ err }, 'updater error'));

  void check();
  const daily = setInterval(() => void check(), UPDATE_CHECK_INTERVAL_MS);
  return {
    stop: () => {
      clearInterval(daily);
      clearInterval(installTimer);
    },
  };
}
