// The pull leg: roster pages from the cursor on, each applied in one transaction.
import type { PullReport } from '../http.js';
import { applyRosterPage, type PageOutcome } from '../roster-apply.js';
import { stopIfSuperseded, type LegContext } from './context.js';
import { applyDeviceIdentity } from './device-identity.js';
import { applyPinRecoveryOffer } from './pin-recovery.js';

const MAX_PAGES_PER_RUN = 100;

export interface PullHooks {
  pageSize: number;
  /** Called after a pull changed students or templates (rebuild the matcher's gallery). */
  onGalleryChanged?: (() => void) | undefined;
  onScheduleChanged?: (() => void) | undefined;
  /** The face model the kiosk runs, reported to the server with each page request. */
  modelId?: string | undefined;
  /** The kiosk's camera as it is now, reported with each page request too. */
  camera?: PullReport['camera'];
}

export async function pullRoster(ctx: LegContext, hooks: PullHooks): Promise<void> {
  const { store, http, logger, report, board } = ctx;
  let galleryChanged = false,
    scheduleChanged = false;
  try {
    for (let page = 0; page < MAX_PAGES_PER_RUN; page++) {
      const since = store.sync.get('cursor') ?? '0';
      // The clock difference this run's answers showed so far (the push's, the previous page's), else the
      // last run's or the pairing's.
      const stored = ctx.store.sync.get('clockOffsetMs');
      const clockOffset = http.lastClockOffsetMs ?? (stored === null ? null : Number(stored));
      const res = await http.pullRoster(since, hooks.pageSize, {
        model: hooks.modelId ?? null,
        clockOffsetMs: clockOffset,
        camera: hooks.camera ?? null,
      });
      const at = ctx.now().toISOString();
      stopIfSuperseded(ctx);
      const outcome = applyRosterPage(store, res.changes, res.cursor, at);
      report.pulled.applied += outcome.applied;
      report.pulled.skipped.push(...outcome.skipped);
      galleryChanged ||= outcome.galleryChanged;
      scheduleChanged ||= outcome.scheduleChanged;
      store.sync.set('lastPullAt', at);
      if (outcome.skipped.length) {
        logger.warn({ skipped: outcome.skipped }, 'roster page had invalid records; skipped them');
      }
      reportSiteSettings(ctx, outcome, at);
      applyPinRecoveryOffer(ctx, res.pinRecovery, at);
      // Its name as the server knows it now (absent from older servers: kept).
      applyDeviceIdentity(ctx, res.device, at);
      // Template freshness: the admin's setting, on every page (absent from older servers: off).
      const doorTemplates = res.doorTemplates === true ? '1' : '0';
      if (store.sync.get('doorTemplates') !== doorTemplates) store.sync.set('doorTemplates', doorTemplates);
      if (res.changes.length || outcome.skipped.length) {
        store.sync.addHistory(
          at,
          'pull',
          outcome.skipped.length === 0,
          `${outcome.applied} changes applied${outcome.skipped.length ? `, ${outcome.skipped.length} skipped: ${outcome.skipped.map((s) => `${s.entity ?? '?'} ${s.id ?? '?'} (${s.reason})`).join('; ')}` : ''}`,
        );
      }
      board.progress = Math.min(0.95, board.progress + 0.05);
      board.emit();
      if (!res.hasMore) break;
    }
  } finally {
    // Pages applied before a failure are committed; the matcher must see them either way.
    if (galleryChanged) hooks.onGalleryChanged?.();
    if (scheduleChanged) hooks.onScheduleChanged?.();
  }
}

/**
 * A new site time zone changes which session every later mark belongs to, so it gets its own
 * history line; a refused site record (unknown zone, other site) is an error for the logs:
 * the kiosk goes on with the zone it had.
 */
function reportSiteSettings(ctx: LegContext, outcome: PageOutcome, at: string): void {
  const { store, logger } = ctx;
  const tz = outcome.timezoneChange;
  if (tz) {
    store.sync.addHistory(
      at,
      'site',
      true,
      `time zone of site ${tz.siteId}: ${tz.from ?? 'none'} → ${tz.to}; sessions follow ${tz.to} from now on`,
    );
    logger.info(
      { event: 'site_timezone', siteId: tz.siteId, from: tz.from, to: tz.to },
      'site time zone changed',
    );
  }
  const refused = outcome.skipped.filter((s) => s.entity === 'site');
  if (refused.length) {
    const keeping = store.sync.get('timezone');
    store.sync.addHistory(
      at,
      'site',
      false,
      `site settings refused, keeping time zone ${keeping ?? 'none'}: ${refused.map((s) => s.reason).join('; ')}`,
    );
    logger.error(
      { event: 'site_refused', refused, keeping },
      'site settings from the server were refused; keeping the current time zone',
    );
  }
}
