// The sync client, composed: a scheduler decides WHEN a run happens (scheduler.ts), a run
// pushes the attendance outbox, pushes local templates, offers door captures as templates
// (template freshness), reports used recovery codes and
// pulls the roster (legs/), and the status board says how it went (status.ts). Everything
// here is async I/O plus short synchronous SQLite writes, so recognition never waits for the
// network. One clock: the injected `now` stamps history and times the backoff.
import type { Logger } from 'pino';
import {
  MAX_ATTENDANCE_BATCH,
  MAX_ROSTER_PAGE,
  MAX_TEMPLATE_BATCH,
  type KioskHealth,
  type PairResponse,
} from '../contracts/sync.js';
import { clockIsOff, describeClockOffset } from '../contracts/clock-offset.js';
import { describeKiosk } from '../contracts/kiosk-identity.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { SyncError, SyncHttp, type PullReport } from './http.js';
import {
  assertTransportAllowed,
  certificateChanged,
  fetchServerCertificate,
  normaliseFingerprint,
  pinnedAgent,
  type PinnedCertificate,
} from './server-trust.js';
import {
  emptyReport,
  RunSuperseded,
  stopIfSuperseded,
  type LegContext,
  type RunReport,
} from './legs/context.js';
import { reportPinRecoveryUsed } from './legs/pin-recovery.js';
import { pullRoster } from './legs/pull-roster.js';
import { pushAttendance } from './legs/push-attendance.js';
import { pushTemplates } from './legs/push-templates.js';
import { pushDoorTemplates } from './legs/push-door-templates.js';
import { confirmedCovers, describeUnsent, sameServer, UnsentWorkError, unsentTotal } from './re-pairing.js';
import { SyncScheduler, type SyncReason } from './scheduler.js';
import { SyncStatusBoard, type SyncStatus } from './status.js';
import type { SiteDataWiped, SyncState, SyncStore, UnsentWork } from './store-port.js';

export type { RunReport } from './legs/context.js';
export type { SyncReason } from './scheduler.js';
export type { SyncStatus } from './status.js';

export interface SyncServiceOptions {
  store: SyncStore;
  logger: Logger;
  now: () => Date;
  appVersion: string;
  health: () => Omit<KioskHealth, 'appVersion' | 'queueDepth'>;
  /**
   * The kiosk's camera now, reported with every roster pull (every sync, marks or not: a door
   * whose camera fails marks nobody, so its push health would never tell).
   */
  camera?: () => PullReport['camera'];
  /** Called after a pull changed students or templates (rebuild the matcher's gallery). */
  onGalleryChanged?: () => void;
  onScheduleChanged?: () => void;
  /**
   * Called when pairing with another server or site wiped the old site's data: forget every
   * person held in memory (votes, cooldowns, greetings, an enrolment under way). The gallery
   * is rebuilt through onGalleryChanged right after.
   */
  onSiteDataWiped?: () => void;
  timeoutMs?: number;
  intervalMs?: number;
  /** Delay after a mark before pushing, so a burst of arrivals goes in one batch. */
  markDebounceMs?: number;
  attendanceBatch?: number;
  templateBatch?: number;
  rosterPage?: number;
  /** Plain http:// to another machine is refused unless this says yes (the allowInsecureServer setting). */
  allowInsecure?: () => boolean;
  backoff?: BackoffPolicy;
  random?: () => number;
}

export class SyncService {
  private readonly board: SyncStatusBoard;
  private readonly scheduler: SyncScheduler<RunReport>;
  private readonly o: Required<
    Omit<SyncServiceOptions, 'onGalleryChanged' | 'onScheduleChanged' | 'onSiteDataWiped' | 'camera'>
  > &
    SyncServiceOptions;
  /**
   * The pinned certificate the agent was made for, and the agent (one per pin, not per run).
   */
  private pinned: { fingerprint: string; agent: ReturnType<typeof pinnedAgent> } | null = null;
  /**
   * When runs began failing to reach the server (no answer: NOT_CONNECTED), and how many did; null
   * while it answers. Only a run that ends such a spell says "reachable again": `board.online`
   * also starts false on a kiosk that has simply not tried yet, so it cannot tell the two apart.
   */
  private unreachable: { since: string; runs: number } | null = null;

  constructor(opts: SyncServiceOptions) {
    this.o = {
      timeoutMs: 10_000,
      intervalMs: 30_000,
      markDebounceMs: 300,
      attendanceBatch: 100,
      templateBatch: 50,
      rosterPage: 1000,
      backoff: DEFAULT_BACKOFF,
      random: Math.random,
      allowInsecure: () => false,
      ...opts,
    };
    this.o.attendanceBatch = Math.min(this.o.attendanceBatch, MAX_ATTENDANCE_BATCH);
    this.o.templateBatch = Math.min(this.o.templateBatch, MAX_TEMPLATE_BATCH);
    this.o.rosterPage = Math.min(this.o.rosterPage, MAX_ROSTER_PAGE);
    this.board = new SyncStatusBoard(this.o.store);
    this.scheduler = new SyncScheduler<RunReport>({
      run: (reason) => this.run(reason),
      closedResult: () => emptyReport('closed'),
      now: this.o.now,
      logger: this.o.logger,
      intervalMs: this.o.intervalMs,
      markDebounceMs: this.o.markDebounceMs,
      backoff: this.o.backoff,
      random: this.o.random,
    });
  }

  /** `known`: see SyncStatusBoard.status. */
  status(known?: Parameters<SyncStatusBoard['status']>[0]): SyncStatus {
    return this.board.status(known);
  }

  subscribe(listener: (s: SyncStatus) => void): () => void {
    return this.board.subscribe(listener);
  }

  history(limit = 100) {
    return this.o.store.sync.history(limit);
  }

  /** Start the periodic schedule and an immediate first run. */
  start(): void {
    this.scheduler.start();
  }

  /** A mark was written: push soon (debounced), unless we are backing off after failures. */
  notifyOutbox(): void {
    if (this.scheduler.isClosed) return;
    this.board.emit();
    this.scheduler.soon('mark');
  }

  /** A recovery code was burnt at the PIN pad: report it now (unless backing off; the next run will). */
  notifyPinRecoveryUsed(): void {
    this.scheduler.unlessBackingOff('pin_recovery');
  }

  /** Run now (manual "sync now" bypasses any backoff) and resolve with the run's report. */
  syncNow(): Promise<RunReport> {
    return this.scheduler.trigger('manual');
  }

  /**
   * Pairs with the server. Over https the server's certificate is pinned: `serverFingerprint`
   * (SHA-256, from the pairing details) when given, else the one it presents now (trust on
   * first use); later runs talk only to that certificate.
   *
   * Pairing again (re-pairing.ts): with the same server and site the roster, templates and
   * unsent queue stay. While anything waits for the old server that `discardUnsent` (the counts
   * the admin confirmed) does not cover, it is refused with the counts: with another server
   * before that server is contacted, with the same server when it says the code is another
   * site's (the code stays good either way). Once the new server accepted the code, another
   * server or site has the old site's data wiped in the transaction that stores the new pairing.
   */
  async pair(args: {
    serverUrl: string;
    code: string;
    name: string;
    serverFingerprint?: string;
    discardUnsent?: UnsentWork;
  }): Promise<SyncStatus> {
    const { store, logger } = this.o;
    const at = this.o.now().toISOString();
    try {
      const paired = store.sync.get('serverUrl');
      const unsent = this.unsent();
      const unconfirmed = paired !== null && !confirmedCovers(args.discardUnsent, unsent);
      if (unconfirmed && !sameServer(paired, args.serverUrl)) throw new UnsentWorkError(paired, unsent);
      assertTransportAllowed(args.serverUrl, this.o.allowInsecure());
      let pin: PinnedCertificate | null = null;
      if (new URL(args.serverUrl).protocol === 'https:') {
        pin = await fetchServerCertificate(args.serverUrl, this.o.timeoutMs);
        if (args.serverFingerprint !== undefined) {
          const expected = normaliseFingerprint(args.serverFingerprint);
          if (expected === null)
            throw new SyncError(
              'rejected',
              'the server fingerprint must be a SHA-256 fingerprint (64 hex digits)',
            );
          if (expected !== pin.fingerprint) {
            throw new SyncError(
              'untrusted',
              `the server's certificate (sha256 ${pin.fingerprint}) does not match the fingerprint given for pairing (${expected}): refusing to pair`,
            );
          }
        }
      }
      const http = this.httpFor(args.serverUrl, pin, null);
      // The same server may hold other sites (a QR code of another site scanned by mistake): with
      // unconfirmed work the kiosk names its site, and the server refuses another site's code
      // without using it. A server that does not know the field pairs anyway (wiped below, audited).
      const expectedSiteId = unconfirmed ? store.sync.get('siteId') : null;
      const res = await http
        .pair({
          code: args.code,
          name: args.name,
          appVersion: this.o.appVersion,
          ...(expectedSiteId !== null ? { expectedSiteId } : {}),
        })
        .catch((err: unknown) => {
          if (paired !== null && err instanceof SyncError && err.serverCode === 'site_mismatch')
            throw new UnsentWorkError(paired, this.unsent(), 'other_site');
          throw err;
        });
      // From here to the end of the transaction nothing awaits: no frame, enrolment or sync run
      // can write between the decision, the wipe and the new pairing.
      const before = store.sync.all();
      const wipeReason =
        before.serverUrl === null
          ? null
          : !sameServer(before.serverUrl, args.serverUrl)
            ? 'other_server'
            : before.siteId !== null && before.siteId !== res.siteId
              ? 'other_site'
              : null;
      const wiped = store.transaction(() => {
        let w: { unsent: UnsentWork; rows: SiteDataWiped } | null = null;
        if (wipeReason) {
          const unsent = store.siteData.unsent();
          w = { unsent, rows: store.siteData.wipe() };
          // The admin's Room setting names a room of the old site: kept, it would outrank the
          // paired room and no session of the new site would ever match (the door would mark nobody).
          const roomSettingCleared = store.siteData.clearRoomSetting();
          store.audit.record(at, 'pairing_wiped_site_data', {
            reason: wipeReason,
            fromServerUrl: before.serverUrl,
            fromSiteId: before.siteId,
            toServerUrl: args.serverUrl,
            toSiteId: res.siteId,
            unsentDiscarded: unsent,
            deleted: w.rows,
            roomSettingCleared,
          });
        }
        // A new pairing may be a different site: forget the old roster cursor so the pull starts over.
        store.sync.setMany({
          serverUrl: args.serverUrl,
          deviceToken: res.token,
          deviceId: res.deviceId,
          siteId: res.siteId,
          roomId: res.roomId,
          timezone: res.timezone,
          deviceName: res.name ?? null,
          pairedRoomName: res.roomName ?? null,
          cursor: '0',
          lastError: null,
          serverCertFingerprint: pin?.fingerprint ?? null,
          serverCertPem: pin?.pem ?? null,
          // What the old site's roster and pushes left in sync state goes with its data.
          ...(w ? SITE_SYNC_STATE_CLEARED : {}),
          // The new server's clock, as its answer to the pairing showed it.
          clockOffsetMs: http.lastClockOffsetMs === null ? null : String(http.lastClockOffsetMs),
        });
        store.sync.addHistory(at, 'pair', true, `${pairedAs(res)}${w ? `; ${wipedSummary(w, before)}` : ''}`);
        store.audit.record(at, 'pair', { serverUrl: args.serverUrl, deviceId: res.deviceId });
        return w;
      });
      if (pin)
        logger.info(
          { fingerprint: pin.fingerprint, pinnedFrom: args.serverFingerprint ? 'pairing' : 'first-contact' },
          'server certificate pinned',
        );
      if (wiped) {
        logger.warn(
          { reason: wipeReason, deleted: wiped.rows, unsentDiscarded: wiped.unsent },
          "paired with another server or site: the old site's data was deleted",
        );
        this.o.onSiteDataWiped?.();
        this.o.onGalleryChanged?.();
      }
      logger.info({ deviceId: res.deviceId, roomId: res.roomId }, 'paired');
      if (clockIsOff(http.lastClockOffsetMs)) this.warnClockOff(http.lastClockOffsetMs);
      this.board.online = true;
      // This server answered; a spell without the old one is not this one's to report.
      this.unreachable = null;
      this.scheduler.succeeded();
      this.o.onScheduleChanged?.();
      await this.scheduler.trigger('pair');
      return this.status();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      store.sync.addHistory(at, 'pair', false, message);
      this.board.emit();
      throw err;
    }
  }

  /** What the push legs would still send; door captures only while the server takes them (else the next run drops them). */
  private unsent(): UnsentWork {
    const u = this.o.store.siteData.unsent();
    return this.o.store.sync.get('doorTemplates') === '1' ? u : { ...u, doorCaptures: 0 };
  }

  private httpFor(serverUrl: string, pin: PinnedCertificate | null, token: string | null): SyncHttp {
    let httpsAgent;
    if (pin) {
      if (this.pinned?.fingerprint !== pin.fingerprint)
        this.pinned = { fingerprint: pin.fingerprint, agent: pinnedAgent(pin) };
      httpsAgent = this.pinned.agent;
    }
    return new SyncHttp({
      baseUrl: serverUrl,
      timeoutMs: this.o.timeoutMs,
      token,
      userAgent: `rollcall-kiosk/${this.o.appVersion}`,
      now: this.o.now,
      ...(httpsAgent && pin ? { httpsAgent, onCertificateError: () => certificateChanged(pin) } : {}),
    });
  }

  /** The client for a run: transport allowed, and over https the pinned certificate (pinned now if paired before pinning existed). */
  private async httpForRun(
    serverUrl: string,
    token: string,
    fingerprint: string | null,
    pem: string | null,
    superseded: () => boolean,
  ): Promise<SyncHttp> {
    assertTransportAllowed(serverUrl, this.o.allowInsecure());
    if (new URL(serverUrl).protocol !== 'https:') return this.httpFor(serverUrl, null, token);
    let pin: PinnedCertificate | null = fingerprint && pem ? { fingerprint, pem } : null;
    if (!pin) {
      pin = await fetchServerCertificate(serverUrl, this.o.timeoutMs);
      // Paired again meanwhile: this is the old server's certificate; pinned now it would replace
      // the new pairing's pin and every later run would fail `untrusted`.
      if (superseded()) throw new RunSuperseded();
      this.o.store.sync.setMany({ serverCertFingerprint: pin.fingerprint, serverCertPem: pin.pem });
      this.o.logger.info(
        { fingerprint: pin.fingerprint, pinnedFrom: 'first-contact' },
        'server certificate pinned',
      );
    }
    return this.httpFor(serverUrl, pin, token);
  }

  /** One run: the legs in order; a failure stops the run and (when retryable) schedules a retry. */
  private async run(reason: SyncReason): Promise<RunReport> {
    const { store, logger } = this.o;
    const report = emptyReport(null);
    const s = store.sync.all();
    if (!s.serverUrl || !s.deviceToken) {
      report.ok = false;
      report.error = 'not paired';
      return report;
    }
    const { serverUrl, deviceToken } = s;
    // Paired again while this run was under way: its answers belong to the old pairing.
    const superseded = () => store.sync.get('deviceToken') !== deviceToken;
    const board = this.board;
    board.syncing = true;
    board.progress = 0;
    board.emit();
    let http: SyncHttp | null = null;
    try {
      // Refused here (plain http to another machine, or not the pinned certificate) before anything is sent.
      http = await this.httpForRun(
        serverUrl,
        deviceToken,
        s.serverCertFingerprint,
        s.serverCertPem,
        superseded,
      );
      const ctx: LegContext = { http, store, now: this.o.now, logger, board: this.board, report, superseded };
      await pushAttendance(ctx, this.o.attendanceBatch, () => this.health());
      board.progress = 0.4;
      board.emit();
      await pushTemplates(ctx, this.o.templateBatch, this.o.onGalleryChanged);
      await pushDoorTemplates(ctx, this.o.templateBatch);
      // Before the pull, so the pull's offer already reflects the report.
      await reportPinRecoveryUsed(ctx);
      board.progress = 0.6;
      board.emit();
      await pullRoster(ctx, {
        pageSize: this.o.rosterPage,
        onGalleryChanged: this.o.onGalleryChanged,
        onScheduleChanged: this.o.onScheduleChanged,
        modelId: this.o.health().modelId,
        camera: this.o.camera?.() ?? null,
      });
      // The last leg's await is behind us: the new pairing's lastError is not this run's to clear.
      stopIfSuperseded(ctx);
      board.progress = 1;
      board.online = true;
      this.scheduler.succeeded();
      store.sync.set('lastError', null);
      this.reachedServer(reason);
    } catch (err) {
      if (err instanceof RunSuperseded || superseded()) {
        // Stopped, or failed talking to the old server: not a failure of the new pairing. No
        // error shown, no retry (the new pairing's own run follows).
        const stopped = err instanceof RunSuperseded ? err : new RunSuperseded();
        logger.info({ reason }, stopped.message);
        report.ok = false;
        report.error = stopped.message;
        return report;
      }
      const e =
        err instanceof SyncError
          ? err
          : new SyncError('protocol', err instanceof Error ? err.message : String(err));
      report.ok = false;
      report.error = e.message;
      // Online means the server answered. A refused certificate (`untrusted`) or plain http to
      // another machine (`insecure`) never got that far: the kiosk is as cut off as when offline.
      board.online = !NOT_CONNECTED.has(e.kind);
      if (!board.online) {
        const since = this.unreachable?.since ?? this.o.now().toISOString();
        this.unreachable = { since, runs: (this.unreachable?.runs ?? 0) + 1 };
      } else if (e.status !== null) this.reachedServer(reason); // it answered, if with an error
      store.sync.set('lastError', `${this.o.now().toISOString()} ${e.message}`);
      logger.warn({ kind: e.kind, status: e.status, reason }, `sync failed: ${e.message}`);
      if (e.retryable) this.scheduler.scheduleRetry(e);
    } finally {
      if (http && !superseded()) this.noteClockOffset(http.lastClockOffsetMs);
      board.syncing = false;
      board.emit();
    }
    return report;
  }

  /** The server answered this run: ends a spell of unreachable runs, saying so once. */
  private reachedServer(reason: SyncReason): void {
    if (!this.unreachable) return;
    this.o.logger.info(
      { unreachableSince: this.unreachable.since, failedRuns: this.unreachable.runs, reason },
      'server reachable again',
    );
    this.unreachable = null;
  }

  /**
   * Keeps the clock difference the run's answers showed (shown on the Sync screen; the roster pull
   * reported it already) and logs when it crosses the warning line, either way, once.
   */
  private noteClockOffset(offsetMs: number | null): void {
    if (offsetMs === null) return;
    const { store, logger } = this.o;
    const before = store.sync.get('clockOffsetMs');
    const wasOff = clockIsOff(before === null ? null : Number(before));
    store.sync.set('clockOffsetMs', String(offsetMs));
    if (clockIsOff(offsetMs) && !wasOff) this.warnClockOff(offsetMs);
    else if (!clockIsOff(offsetMs) && wasOff)
      logger.info({ clockOffsetMs: offsetMs }, "the kiosk's clock agrees with the server's again");
  }

  private warnClockOff(offsetMs: number): void {
    this.o.logger.warn(
      { clockOffsetMs: offsetMs },
      `this kiosk's clock is ${describeClockOffset(offsetMs)} compared with the server's: marks may go to the wrong lesson or be refused; set the computer's date, time and time zone`,
    );
  }

  private health(): KioskHealth {
    const camera = this.o.camera?.()?.status;
    return {
      ...this.o.health(),
      ...(camera ? { camera } : {}),
      appVersion: this.o.appVersion,
      queueDepth: this.o.store.attendance.pendingCount(),
    };
  }

  close(): Promise<void> {
    return this.scheduler.close();
  }
}

/** Sync state that describes the old site (its calendar, arrival window, door setting, last transfers). */
const SITE_SYNC_STATE_CLEARED: Partial<SyncState> = {
  calendar: null,
  arrivalMinutes: null,
  doorTemplates: null,
  lastPushAt: null,
  lastPullAt: null,
  clockOffsetMs: null,
};

/** Failures in which no answer came from the server (the others are its answers, if refusals). */
const NOT_CONNECTED: ReadonlySet<SyncError['kind']> = new Set([
  'offline',
  'timeout',
  'insecure',
  'untrusted',
]);

/**
 * The Sync history's line for a pairing, for the admin reading it: the kiosk's and room's names as
 * the server knows them ("paired as “Front door”, room 101, Europe/London"); ids only from a
 * server too old to send the names.
 */
export function pairedAs(
  res: Pick<PairResponse, 'deviceId' | 'roomId' | 'timezone' | 'name' | 'roomName'>,
): string {
  return `paired as ${describeKiosk(res)}`;
}

function wipedSummary(w: { unsent: UnsentWork; rows: SiteDataWiped }, before: SyncState): string {
  const dropped = unsentTotal(w.unsent) > 0 ? `, ${describeUnsent(w.unsent)} not sent` : '';
  return `the data of site ${before.siteId ?? '?'} from ${before.serverUrl ?? '?'} was deleted (${w.rows.students} students, ${w.rows.templates} templates${dropped})`;
}
