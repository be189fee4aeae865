// The HTTP side of sync: axios calls to the server's sync routes, every response parsed
// with the contract's zod schemas, every failure turned into a SyncError that says whether
// a retry may help and how long the server asked us to wait.
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { Agent as HttpsAgent } from 'node:https';
import type { z } from 'zod';
import {
  ROSTER_FEED_VERSION,
  DoorTemplateResult,
  ErrorBody,
  PairResponse,
  PinRecoveryUsedResponse,
  PushResponse,
  CAMERA_DETAIL_MAX,
  RosterPage,
  type CameraStatus,
  SYNC_PATHS,
  type DoorTemplateUpload,
  type PairRequest,
  type PinRecoveryUsedRequest,
  type PushAttendanceRequest,
  type PushTemplatesRequest,
} from '../contracts/sync.js';
import { parseRetryAfter } from './backoff.js';
import { clockOffsetMs } from './clock-offset.js';

/**
 * `insecure`: plain http to another machine, refused; `untrusted`: not the pinned certificate;
 * `unsent`: pairing with another server refused while work for the old one waits (re-pairing.ts).
 */
export type SyncErrorKind =
  | 'offline'
  | 'timeout'
  | 'server'
  | 'rate_limited'
  | 'unauthorised'
  | 'rejected'
  | 'protocol'
  | 'insecure'
  | 'untrusted'
  | 'unsent';

export class SyncError extends Error {
  override name = 'SyncError';
  constructor(
    readonly kind: SyncErrorKind,
    message: string,
    readonly status: number | null = null,
    readonly retryAfterMs: number | null = null,
    /** The server's error code (ErrorBody `error`), when it answered one. */
    readonly serverCode: string | null = null,
  ) {
    super(message);
  }
  /** Network trouble, overload and 5xx may pass; a 4xx other than 408/429 will not. */
  get retryable(): boolean {
    // `insecure` and `untrusted` need an admin (a setting, or pairing again): retrying as fast as a network error would not help.
    return (
      this.kind === 'offline' ||
      this.kind === 'timeout' ||
      this.kind === 'server' ||
      this.kind === 'rate_limited'
    );
  }
}

/** What a kiosk tells the server of itself with every roster pull (see RosterQuery). */
export interface PullReport {
  model?: string | null;
  clockOffsetMs?: number | null;
  camera?: { status: CameraStatus; detail: string | null } | null;
}

export interface SyncHttpOptions {
  baseUrl: string;
  timeoutMs: number;
  token?: string | null;
  userAgent?: string;
  /** https: an agent pinned to the server's certificate (server-trust.ts). */
  httpsAgent?: HttpsAgent;
  /** Turns a certificate verification failure into the error the admin reads. */
  onCertificateError?: () => SyncError;
  /** The sync client's clock: a Retry-After date is read against it. */
  now: () => Date;
}

export class SyncHttp {
  private readonly http: AxiosInstance;
  /** The kiosk clock's lead over the server's at the last answer (clock-offset.ts); null before any. */
  lastClockOffsetMs: number | null = null;

  constructor(private readonly opts: SyncHttpOptions) {
    this.http = axios.create({
      baseURL: opts.baseUrl.replace(/\/+$/, ''),
      timeout: opts.timeoutMs,
      // We read every status ourselves; axios must not throw on 4xx/5xx.
      validateStatus: () => true,
      // No proxies from the environment: a kiosk talks to its server directly.
      proxy: false,
      headers: {
        'user-agent': opts.userAgent ?? 'rollcall-kiosk',
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      },
      maxRedirects: 0,
      ...(opts.httpsAgent ? { httpsAgent: opts.httpsAgent } : {}),
    });
  }

  pair(body: PairRequest): Promise<PairResponse> {
    return this.call(() => this.http.post(SYNC_PATHS.pair, body), PairResponse);
  }

  pushAttendance(body: PushAttendanceRequest): Promise<z.infer<typeof PushResponse>> {
    return this.call(() => this.http.post(SYNC_PATHS.attendance, body), PushResponse);
  }

  pushTemplates(body: PushTemplatesRequest): Promise<z.infer<typeof PushResponse>> {
    return this.call(() => this.http.post(SYNC_PATHS.templates, body), PushResponse);
  }

  /** One door capture offered as a template (template freshness); refusals come back as SyncError with their status. */
  offerDoorTemplate(body: DoorTemplateUpload): Promise<DoorTemplateResult> {
    return this.call(() => this.http.post(SYNC_PATHS.doorTemplates, body), DoorTemplateResult);
  }

  /**
   * `report`, sent with every pull: `model`, the kiosk's face model (null while the engine
   * loads); `clockOffsetMs`, the kiosk clock's lead over the server's (null: not measured yet);
   * `camera`, its camera's status and detail (cut to CAMERA_DETAIL_MAX).
   */
  pullRoster(since: string, limit: number, report: PullReport = {}): Promise<RosterPage> {
    const { model = null, clockOffsetMs = null, camera = null } = report;
    const params = {
      since,
      limit,
      feed: ROSTER_FEED_VERSION,
      ...(model ? { model } : {}),
      ...(clockOffsetMs === null ? {} : { clock: String(Math.round(clockOffsetMs)) }),
      ...(camera
        ? {
            camera: camera.status,
            ...(camera.detail ? { cameraDetail: camera.detail.slice(0, CAMERA_DETAIL_MAX) } : {}),
          }
        : {}),
    };
    return this.call(() => this.http.get(SYNC_PATHS.roster, { params }), RosterPage);
  }

  reportPinRecoveryUsed(body: PinRecoveryUsedRequest): Promise<PinRecoveryUsedResponse> {
    return this.call(() => this.http.post(SYNC_PATHS.pinRecoveryUsed, body), PinRecoveryUsedResponse);
  }

  private async call<T extends z.ZodTypeAny>(
    send: () => Promise<AxiosResponse>,
    schema: T,
  ): Promise<z.infer<T>> {
    let res: AxiosResponse;
    const sentAt = this.opts.now().getTime();
    try {
      res = await send();
    } catch (err) {
      if (this.opts.onCertificateError && isTlsRefusal(err)) throw this.opts.onCertificateError();
      throw toNetworkError(err, this.opts.timeoutMs);
    }
    // Every answer, a refusal too, tells the server's time.
    this.lastClockOffsetMs =
      clockOffsetMs(res.headers['date'], sentAt, this.opts.now().getTime()) ?? this.lastClockOffsetMs;
    if (res.status >= 200 && res.status < 300) {
      const parsed = schema.safeParse(res.data);
      if (!parsed.success) {
        throw new SyncError(
          'protocol',
          `unexpected response from ${res.config.url}: ${parsed.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.join('.')}: ${i.message}`)
            .join('; ')}`,
          res.status,
        );
      }
      return parsed.data as z.infer<T>;
    }
    const body = ErrorBody.safeParse(res.data);
    const detail = body.success ? `${body.data.error}: ${body.data.message}` : `HTTP ${res.status}`;
    const retryAfter = parseRetryAfter(res.headers['retry-after'], this.opts.now().getTime());
    if (res.status === 429 || res.status === 503)
      throw new SyncError('rate_limited', `server busy (${detail})`, res.status, retryAfter);
    if (res.status === 408)
      throw new SyncError('timeout', `server timed out (${detail})`, res.status, retryAfter);
    if (res.status >= 500) throw new SyncError('server', `server error (${detail})`, res.status, retryAfter);
    // A refused pairing code is not cured by pairing again with it: the console makes a new one.
    if (res.status === 401 && body.success && body.data.error === 'bad_pairing_code')
      throw new SyncError(
        'unauthorised',
        `pairing code refused (${detail}): make a new code in the staff console (Kiosks, New code) and pair with it`,
        res.status,
      );
    if (res.status === 401 || res.status === 403)
      throw new SyncError('unauthorised', `not authorised (${detail}); pair the kiosk again`, res.status);
    throw new SyncError(
      'rejected',
      `request refused (${detail})`,
      res.status,
      null,
      body.success ? body.data.error : null,
    );
  }
}

/** A TLS certificate verification failure, or the pin check (server-trust.ts) refusing. */
function isTlsRefusal(err: unknown): boolean {
  const code =
    (err as { code?: unknown; cause?: { code?: unknown } } | null)?.code ??
    (err as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code);
}

function toNetworkError(err: unknown, timeoutMs: number): SyncError {
  if (axios.isAxiosError(err)) {
    if (err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT' || err.code === 'ERR_CANCELED') {
      return new SyncError('timeout', `no answer within ${timeoutMs} ms`);
    }
    return new SyncError('offline', `server unreachable (${err.code ?? err.message})`);
  }
  return new SyncError('offline', `server unreachable (${err instanceof Error ? err.message : String(err)})`);
}
