// The sync client: pairing, outbox push, template push and roster pull, run on a schedule,
// after each mark, on reconnect and on demand. One run at a time; failures back off with
// jitter (or as long as the server's Retry-After says). Everything here is async I/O plus
// short synchronous SQLite writes, so recognition never waits for the network.
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { SyncStatus as SyncStatusSchema } from '../contracts/kiosk-api';
import { MAX_ATTENDANCE_BATCH, MAX_ROSTER_PAGE, MAX_TEMPLATE_BATCH, type AttendanceEvent, type KioskHealth, type PinRecoveryOffer } from '../contracts/sync';
import type { KioskStore } from '../core/store/index';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { embeddingToB64 } from './embedding-b64';
import { SyncError, SyncHttp } from './http';
import { applyRosterPage, type PageOutcome, type SkippedChange } from './roster-apply';

export type SyncStatus = z.infer<typeof SyncStatusSchema>;
export type SyncReason = 'schedule' | 'mark' | 'manual' | 'reconnect' | 'pair' | 'retry' | 'start' | 'pin_recovery';

export interface SyncServiceOptions {
  store: KioskStore;
  logger: Logger;
  now: () => Date;
  appVersion: string;
  health: () => Omit<KioskHealth, 'appVersion' | 'queueDepth'>;
  /** Called after a pull changed students or templates (rebuild the matcher's gallery). */
  onGalleryChanged?: () => void;
  onScheduleChanged?: () => void;
  timeoutMs?: number;
  intervalMs?: number;
  /** Delay after a mark before pushing, so a burst of arrivals goes in one batch. */
  markDebounceMs?: number;
  attendanceBatch?: number;
  templateBatch?: number;
  rosterPage?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
}

export interface RunReport {
  ok: boolean;
  pushed: { accepted: number; duplicate: number; rejected: number };
  templates: { accepted: number; duplicate: number; rejected: number };
  pulled: { applied: number; skipped: SkippedChange[] };
  error: string | null;
}

const MAX_PAGES_PER_RUN = 100;

export class SyncService {
  private readonly listeners = new Set<(s: SyncStatus) => void>();
  private online = false;
  private syncing = false;
  private progress = 0;
  private failures = 0;
  private running: Promise<RunReport> | null = null;
  private again: SyncReason | null = null;
  private timer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private nextRetryAt = 0;
  private closed = false;
  private readonly o: Required<Omit<SyncServiceOptions, 'onGalleryChanged' | 'onScheduleChanged'>> & SyncServiceOptions;

  constructor(opts: SyncServiceOptions) {
    this.o = {
      timeoutMs: 10_000, intervalMs: 30_000, markDebounceMs: 300, attendanceBatch: 100, templateBatch: 50, rosterPage: 1000,
      backoff: DEFAULT_BACKOFF, random: Math.random, ...opts,
    };
    this.o.attendanceBatch = Math.min(this.o.attendanceBatch, MAX_ATTENDANCE_BATCH);
    this.o.templateBatch = Math.min(this.o.templateBatch, MAX_TEMPLATE_BATCH);
    this.o.rosterPage = Math.min(this.o.rosterPage, MAX_ROSTER_PAGE);
  }

  // ------------------------------------------------------------ status
  status(): SyncStatus {
    const s = this.o.store.sync.all();
    return {
      paired: Boolean(s.serverUrl && s.deviceToken),
      serverUrl: s.serverUrl,
      online: this.online,
      queueDepth: this.o.store.attendance.pendingCount(),
      templateQueueDepth: this.o.store.templates.countUnpushed(),
      lastPushAt: s.lastPushAt,
      lastPullAt: s.lastPullAt,
      lastError: s.lastError,
      syncing: this.syncing,
      progress: this.progress,
      rejectedCount: this.o.store.attendance.rejectedCount(),
    };
  }

  subscribe(listener: (s: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    const s = this.status();
    for (const l of this.listeners) l(s);
  }

  history(limit = 100) {
    return this.o.store.sync.history(limit);
  }

  // ------------------------------------------------------------ scheduling
  /** Start the periodic schedule and an immediate first run. */
  start(): void {
    if (this.closed || this.timer) return;
    this.timer = setInterval(() => void this.trigger('schedule'), this.o.intervalMs);
    this.timer.unref?.();
    void this.trigger('start');
  }

  /** A mark was written: push soon (debounced), unless we are backing off after failures. */
  notifyOutbox(): void {
    if (this.closed) return;
    this.emit();
    if (this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = null;
      if (Date.now() >= this.nextRetryAt) void this.trigger('mark');
    }, this.o.markDebounceMs);
    this.debounce.unref?.();
  }

  /** A recovery code was burnt at the PIN pad: report it now (unless backing off; the next run will). */
  notifyPinRecoveryUsed(): void {
    if (this.closed) return;
    if (Date.now() >= this.nextRetryAt) void this.trigger('pin_recovery');
  }

  /** Run now (manual "sync now" bypasses any backoff) and resolve with the run's report. */
  syncNow(): Promise<RunReport> {
    return this.trigger('manual');
  }

  private trigger(reason: SyncReason): Promise<RunReport> {
    if (this.closed) return Promise.resolve(emptyReport('closed'));
    if (this.running) {
      this.again = reason;
      return this.running;
    }
    const run = this.run(reason).finally(() => {
      this.running = null;
      const next = this.again;
      this.again = null;
      if (next && !this.closed && (next === 'manual' || Date.now() >= this.nextRetryAt)) void this.trigger(next);
    });
    this.running = run;
    return run;
  }

  private scheduleRetry(err: SyncError | null): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.closed) return;
    this.failures++;
    const delay = Math.max(err?.retryAfterMs ?? 0, backoffDelay(this.failures, this.o.backoff, this.o.random));
    this.nextRetryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => void this.trigger('retry'), delay);
    this.retryTimer.unref?.();
    this.o.logger.info({ delayMs: delay, failures: this.failures, retryAfterMs: err?.retryAfterMs ?? null }, 'sync retry scheduled');
  }

  // ------------------------------------------------------------ pairing
  async pair(args: { serverUrl: string; code: string; name: string }): Promise<SyncStatus> {
    const http = new SyncHttp({ baseUrl: args.serverUrl, timeoutMs: this.o.timeoutMs });
    const at = this.o.now().toISOString();
    try {
      const res = await http.pair({ code: args.code, name: args.name, appVersion: this.o.appVersion });
      // A new pairing may be a different site: forget the old roster cursor so the pull starts over.
      this.o.store.sync.setMany({
        serverUrl: args.serverUrl, deviceToken: res.token, deviceId: res.deviceId, siteId: res.siteId, roomId: res.roomId,
        timezone: res.timezone, cursor: '0', lastError: null,
      });
      this.o.store.sync.addHistory(at, 'pair', true, `paired as ${res.deviceId} (room ${res.roomId}, ${res.timezone})`);
      this.o.store.audit.record(at, 'pair', { serverUrl: args.serverUrl, deviceId: res.deviceId });
      this.o.logger.info({ deviceId: res.deviceId, roomId: res.roomId }, 'paired');
      this.online = true;
      this.failures = 0;
      this.nextRetryAt = 0;
      this.o.onScheduleChanged?.();
      await this.trigger('pair');
      return this.status();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.o.store.sync.addHistory(at, 'pair', false, message);
      this.emit();
      throw err;
    }
  }

  // ------------------------------------------------------------ one run
  private async run(reason: SyncReason): Promise<RunReport> {
    const report = emptyReport(null);
    const s = this.o.store.sync.all();
    if (!s.serverUrl || !s.deviceToken) {
      report.ok = false;
      report.error = 'not paired';
      return report;
    }
    const http = new SyncHttp({ baseUrl: s.serverUrl, timeoutMs: this.o.timeoutMs, token: s.deviceToken, userAgent: `rollcall-kiosk/${this.o.appVersion}` });
    const wasOnline = this.online;
    this.syncing = true;
    this.progress = 0;
    this.emit();
    try {
      await this.pushAttendance(http, report);
      this.progress = 0.4;
      this.emit();
      await this.pushTemplates(http, report);
      // Before the pull, so the pull's offer already reflects the report.
      await this.reportPinRecoveryUsed(http);
      this.progress = 0.6;
      this.emit();
      await this.pullRoster(http, report);
      this.progress = 1;
      this.online = true;
      this.failures = 0;
      this.nextRetryAt = 0;
      this.o.store.sync.set('lastError', null);
      if (!wasOnline && reason !== 'pair' && reason !== 'start') this.o.logger.info('server reachable again');
    } catch (err) {
      const e = err instanceof SyncError ? err : new SyncError('protocol', err instanceof Error ? err.message : String(err));
      report.ok = false;
      report.error = e.message;
      this.online = e.kind !== 'offline' && e.kind !== 'timeout';
      this.o.store.sync.set('lastError', `${this.o.now().toISOString()} ${e.message}`);
      this.o.logger.warn({ kind: e.kind, status: e.status, reason }, `sync failed: ${e.message}`);
      if (e.retryable) this.scheduleRetry(e);
    } finally {
      this.syncing = false;
      this.emit();
    }
    return report;
  }

  private health(): KioskHealth {
    return { ...this.o.health(), appVersion: this.o.appVersion, queueDepth: this.o.store.attendance.pendingCount() };
  }

  private async pushAttendance(http: SyncHttp, report: RunReport): Promise<void> {
    const { attendance } = this.o.store;
    let batch = this.o.attendanceBatch;
    for (;;) {
      const rows = attendance.pending(batch);
      // A row whose payload no longer parses can never be sent: set it aside, visibly, instead of blocking the queue.
      const broken = rows.filter((r) => r.event === null).map((r) => ({ id: r.eventId, status: 'rejected' as const, reason: 'outbox payload is damaged' }));
      if (broken.length) attendance.applyResults(broken, this.o.now().toISOString());
      const events = rows.map((r) => r.event).filter((e): e is AttendanceEvent => e !== null);
      if (events.length === 0) return;
      attendance.bumpAttempts(events.map((e) => e.id));
      const at = this.o.now().toISOString();
      let res;
      this.o.logger.info({ event: 'push_start', count: events.length }, 'pushing attendance');
      try {
        res = await http.pushAttendance({ events, health: this.health() });
      } catch (err) {
        this.o.store.sync.addHistory(at, 'push', false, `${events.length} events: ${err instanceof Error ? err.message : String(err)}`);
        // The server refused the whole batch as malformed: halve it until the one bad event
        // is alone, then set that one aside with the server's reason. The rest still flows.
        if (err instanceof SyncError && err.kind === 'rejected' && (err.status === 400 || err.status === 413 || err.status === 422)) {
          if (events.length > 1) {
            batch = Math.ceil(events.length / 2);
            continue;
          }
          attendance.applyResults([{ id: events[0]?.id ?? '', status: 'rejected', reason: err.message }], at);
          report.pushed.rejected++;
          batch = this.o.attendanceBatch;
          continue;
        }
        throw err;
      }
      const sent = new Set(events.map((e) => e.id));
      const results = res.results.filter((r) => sent.has(r.id));
      attendance.applyResults(results, at);
      const counts = { accepted: 0, duplicate: 0, rejected: 0 };
      for (const r of results) counts[r.status]++;
      report.pushed.accepted += counts.accepted;
      report.pushed.duplicate += counts.duplicate;
      report.pushed.rejected += counts.rejected;
      this.o.store.sync.set('lastPushAt', at);
      this.o.logger.info({ event: 'push_done', ...counts }, 'attendance pushed');
      const reasons = results.filter((r) => r.status === 'rejected').map((r) => `${r.id}: ${r.reason ?? 'no reason'}`);
      this.o.store.sync.addHistory(at, 'push', counts.rejected === 0,
        `${counts.accepted} accepted, ${counts.duplicate} duplicate, ${counts.rejected} rejected${reasons.length ? ` (kept aside: ${reasons.join('; ')})` : ''}`);
      if (counts.rejected) this.o.logger.warn({ rejected: results.filter((r) => r.status === 'rejected') }, 'server rejected events; kept aside');
      this.emit();
      // An answer that acknowledged nothing would loop forever; stop and retry on the next run.
      if (results.length === 0) throw new SyncError('protocol', 'server answered a push without a result for any event');
    }
  }

  private async pushTemplates(http: SyncHttp, report: RunReport): Promise<void> {
    const { templates } = this.o.store;
    for (;;) {
      const rows = templates.unpushed(this.o.templateBatch);
      if (rows.length === 0) return;
      const at = this.o.now().toISOString();
      const res = await http.pushTemplates({
        templates: rows.map((t) => ({
          id: t.id, studentId: t.studentId, modelId: t.modelId, embedding: embeddingToB64(t.embedding), createdAt: t.createdAt,
          ...(t.quality !== null ? { quality: Math.min(1, Math.max(0, t.quality)) } : {}),
        })),
      });
      const sent = new Set(rows.map((t) => t.id));
      let handled = 0;
      this.o.store.transaction(() => {
        for (const r of res.results) {
          if (!sent.has(r.id)) continue;
          handled++;
          if (r.status === 'rejected') {
            templates.markRejected(r.id, r.reason ?? 'rejected');
            report.templates.rejected++;
          } else {
            templates.markPushed(r.id);
            report.templates[r.status]++;
          }
        }
      });
      this.o.store.sync.addHistory(at, 'templates', true, `${handled} of ${rows.length} templates acknowledged`);
      if (handled === 0) throw new SyncError('protocol', 'server answered a template push without a result for any template');
    }
  }

  private async pullRoster(http: SyncHttp, report: RunReport): Promise<void> {
    let galleryChanged = false, scheduleChanged = false;
    try {
      for (let page = 0; page < MAX_PAGES_PER_RUN; page++) {
        const since = this.o.store.sync.get('cursor') ?? '0';
        const res = await http.pullRoster(since, this.o.rosterPage);
        const at = this.o.now().toISOString();
        const outcome = applyRosterPage(this.o.store, res.changes, res.cursor, at);
        report.pulled.applied += outcome.applied;
        report.pulled.skipped.push(...outcome.skipped);
        galleryChanged ||= outcome.galleryChanged;
        scheduleChanged ||= outcome.scheduleChanged;
        this.o.store.sync.set('lastPullAt', at);
        if (outcome.skipped.length) {
          this.o.logger.warn({ skipped: outcome.skipped }, 'roster page had invalid records; skipped them');
        }
        this.reportSiteSettings(outcome, at);
        this.applyPinRecoveryOffer(res.pinRecovery, at);
        if (res.changes.length || outcome.skipped.length) {
          this.o.store.sync.addHistory(at, 'pull', outcome.skipped.length === 0,
            `${outcome.applied} changes applied${outcome.skipped.length ? `, ${outcome.skipped.length} skipped: ${outcome.skipped.map((s) => `${s.entity ?? '?'} ${s.id ?? '?'} (${s.reason})`).join('; ')}` : ''}`);
        }
        this.progress = Math.min(0.95, this.progress + 0.05);
        this.emit();
        if (!res.hasMore) break;
      }
    } finally {
      // Pages applied before a failure are committed; the matcher must see them either way.
      if (galleryChanged) this.o.onGalleryChanged?.();
      if (scheduleChanged) this.o.onScheduleChanged?.();
    }
  }

  /** The server's live recovery code for this kiosk (state on every page; same id → no change). */
  private applyPinRecoveryOffer(offer: PinRecoveryOffer | null | undefined, at: string): void {
    const outcome = this.o.store.pinRecovery.applyOffer(offer);
    if (outcome === 'received' && offer) {
      this.o.store.sync.addHistory(at, 'pin_recovery', true, `admin PIN recovery code received (valid until ${offer.expiresAt})`);
      this.o.logger.info({ event: 'pin_recovery_received', id: offer.id, expiresAt: offer.expiresAt }, 'admin PIN recovery code received');
    } else if (outcome === 'withdrawn') {
      this.o.store.sync.addHistory(at, 'pin_recovery', true, 'unused admin PIN recovery code dropped: the server no longer offers it (expired or replaced)');
    }
  }

  /**
   * Tells the server which recovery codes were burnt here. Kept until acknowledged; a code the
   * server does not know (404) or refuses (400) can never be reported, so it is let go, with a
   * history line, instead of failing every run.
   */
  private async reportPinRecoveryUsed(http: SyncHttp): Promise<void> {
    for (const used of this.o.store.pinRecovery.pendingReports()) {
      const at = this.o.now().toISOString();
      try {
        await http.reportPinRecoveryUsed({ id: used.id, usedAt: used.used_at });
        this.o.store.sync.addHistory(at, 'pin_recovery', true, 'admin PIN recovery code reported used to the server');
      } catch (err) {
        if (!(err instanceof SyncError) || err.kind !== 'rejected') throw err;
        this.o.store.sync.addHistory(at, 'pin_recovery', false, `recovery code use could not be reported, dropped: ${err.message}`);
        this.o.logger.warn({ id: used.id, err: err.message }, 'recovery code use refused by the server');
      }
      this.o.store.pinRecovery.markReported(used.id);
    }
  }

  /**
   * A new site time zone changes which session every later mark belongs to, so it gets its own
   * history line; a refused site record (unknown zone, other site) is an error for the logs:
   * the kiosk goes on with the zone it had.
   */
  private reportSiteSettings(outcome: PageOutcome, at: string): void {
    const tz = outcome.timezoneChange;
    if (tz) {
      this.o.store.sync.addHistory(at, 'site', true, `time zone of site ${tz.siteId}: ${tz.from ?? 'none'} → ${tz.to}; sessions follow ${tz.to} from now on`);
      this.o.logger.info({ event: 'site_timezone', siteId: tz.siteId, from: tz.from, to: tz.to }, 'site time zone changed');
    }
    const refused = outcome.skipped.filter((s) => s.entity === 'site');
    if (refused.length) {
      const keeping = this.o.store.sync.get('timezone');
      this.o.store.sync.addHistory(at, 'site', false, `site settings refused, keeping time zone ${keeping ?? 'none'}: ${refused.map((s) => s.reason).join('; ')}`);
      this.o.logger.error({ event: 'site_refused', refused, keeping }, 'site settings from the server were refused; keeping the current time zone');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of [this.timer, this.retryTimer, this.debounce]) if (t) clearTimeout(t);
    this.timer = this.retryTimer = this.debounce = null;
    await this.running?.catch(() => undefined);
  }
}

function emptyReport(error: string | null): RunReport {
  return {
    ok: error === null, error,
    pushed: { accepted: 0, duplicate: 0, rejected: 0 },
    templates: { accepted: 0, duplicate: 0, rejected: 0 },
    pulled: { applied: 0, skipped: [] },
  };
}
