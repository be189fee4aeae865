// Auto-update from the feed fixed at build time (UPDATE_FEED_URL, the same as
// electron-builder.yml's publish.url): check at start and daily, download in the background,
// verify, and install only when the kiosk is idle (update-policy.ts), never mid-session.
// A Linux artifact must carry a valid detached signature (update-signature.ts); a refused one
// is logged, reported to the Sync screen's history, and the running version keeps working.
import electronUpdater from 'electron-updater';
import type { Logger } from 'pino';
import { UPDATE_FEED_URL, UPDATE_PUBLIC_KEY_PEM } from './update-key.js';
import { canInstallNow, feedUrlOrNull, UPDATE_CHECK_INTERVAL_MS, type IdleTracker } from './update-policy.js';
import {
  signatureUrlFor,
  updateVerdict,
  verifyArtifactSignature,
  type SignatureCheck,
} from './update-signature.js';

const IDLE_POLL_MS = 60_000;
const SIGNATURE_FETCH_MS = 30_000;

export interface UpdaterHandle {
  stop(): void;
}

async function fetchSignature(url: string): Promise<string | null> {
  const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(SIGNATURE_FETCH_MS) });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`signature download failed: HTTP ${res.status}`);
  return (await res.text()).slice(0, 1024);
}

export function startAutoUpdate(opts: {
  idle: IdleTracker;
  log: Logger;
  /** Packaged apps only: a dev checkout has no update metadata. */
  enabled: boolean;
  /** A refused update, for the Sync screen's history (the kiosk keeps running this version). */
  onRefused: (detail: string) => void;
}): UpdaterHandle {
  const log = opts.log.child({ component: 'updater' });
  if (!opts.enabled) {
    log.info('auto-update disabled (not packaged)');
    return { stop: () => {} };
  }
  const feed = feedUrlOrNull(UPDATE_FEED_URL);
  if (!feed) {
    log.error({ feed: UPDATE_FEED_URL }, 'the built-in update feed is not https; auto-update disabled');
    return { stop: () => {} };
  }
  const { autoUpdater } = electronUpdater;
  autoUpdater.autoDownload = true;
  // Never install an unverified download behind our back when the app quits.
  autoUpdater.autoInstallOnAppQuit = false;
  autoUpdater.logger = null;
  autoUpdater.setFeedURL({ provider: 'generic', url: feed });
  let verifiedVersion: string | null = null;
  let installTimer: ReturnType<typeof setInterval> | undefined;

  const check = async () => {
    try {
      await autoUpdater.checkForUpdates();
    } catch (err) {
      log.warn({ err }, 'update check failed');
    }
  };

  const verify = async (info: electronUpdater.UpdateDownloadedEvent): Promise<SignatureCheck | null> => {
    if (process.platform !== 'linux') return null;
    const artifact = info.files[0]?.url;
    if (!artifact) return { ok: false, reason: 'update metadata names no artifact' };
    try {
      return await verifyArtifactSignature(
        info.downloadedFile,
        await fetchSignature(signatureUrlFor(feed, artifact)),
        UPDATE_PUBLIC_KEY_PEM,
      );
    } catch (err) {
      return {
        ok: false,
        reason: `update signature could not be checked: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
  };

  autoUpdater.on('update-downloaded', (info) => {
    if (verifiedVersion === info.version) return;
    void verify(info).then((check) => {
      const verdict = updateVerdict(process.platform, check);
      if (!verdict.install) {
        log.error(
          { version: info.version, reason: verdict.reason },
          'update refused; keeping the running version',
        );
        opts.onRefused(
          `update ${info.version} refused: ${verdict.reason}; running ${autoUpdater.currentVersion.version} as before`,
        );
        return; // the next daily check downloads and verifies again
      }
      verifiedVersion = info.version;
      log.info({ version: info.version }, 'update downloaded and verified; waiting until the kiosk is idle');
      clearInterval(installTimer);
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
