// GET /metrics in Prometheus text format.
//
// Two kinds of series, on purpose:
// - per-process counters and histograms (request latency and errors by route, events
//   ingested): with N instances Prometheus scrapes each one and sums, so they need no sharing;
// - kiosk gauges (last seen, queue depth, recognition timings from the `health` of each push,
//   the camera from each roster pull) are read from the devices table at scrape time, so every
//   instance reports the same truth whichever instance the kiosk happened to reach.
//
// Registered with fastify-plugin BEFORE the route plugins so its hooks see every route.
// The registry belongs to the app instance (two apps in one process do not share series).
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CameraStatus, cameraNotWorking, SYNC_PATHS, type ItemResult } from '../../src/contracts/sync.js';
import { tooManyRequests, unauthorized } from './errors.js';
import { parseHealth } from './repositories/devices.js';
import { METRICS_SCRAPES_PER_MINUTE, scrapeLimit } from './scrape-limit.js';

export interface MetricsOptions {
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Without a token /metrics answers 401 unless this is true: kiosk names, ids and versions are not for anyone who asks. */
  open?: boolean | undefined;
  /** Process metrics (CPU, memory, event loop lag). Tests that build many apps turn them off. */
  processMetrics?: boolean;
}

export interface AppMetrics {
  registry: Registry;
  /** Count per-item outcomes of a sync push (attendance or templates). */
  countPushResults(kind: 'attendance' | 'templates', results: readonly Pick<ItemResult, 'status'>[]): void;
  /**
   * Count one door-template capture's outcome: `added`, or `refused` with its reason (the
   * answer's `reason`, or the error code of a 4xx such as `door_templates_off`). A `duplicate`
   * (a retry of a capture already counted) counts in neither.
   */
  countDoorTemplate(outcome: { status: 'added' } | { status: 'refused'; reason: string }): void;
}

/**
 * Reasons a door capture is refused, shown from the first scrape: the rejections the server
 * judges (contracts/sync.ts `DoorTemplateResult`) and the route's 4xx codes (docs/server.md).
 * Another code still counts under its own label.
 */
const DOOR_REFUSALS = [
  'unlike_enrolment',
  'uncalibrated_model',
  'daily_limit',
  'door_templates_off',
  'not_found',
  'no_consent',
  'model_mismatch',
  'bad_embedding',
  'no_enrolment_template',
  'validation_failed',
] as const;

declare module 'fastify' {
  interface FastifyInstance {
    metrics: AppMetrics;
  }
}

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function sameSecret(given: string, expected: string): boolean {
  // Hash first so the comparison is constant-time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

const seconds = (iso: string | null): number | null => {
  if (iso === null) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t / 1000;
};

function registerKioskGauges(app: FastifyInstance, registry: Registry) {
  const labelNames = ['device_id', 'site_id', 'room_id'] as const;
  // One query refreshes every kiosk gauge. prom-client collects all metrics concurrently, so
  // each gauge's collect awaits the same in-flight refresh (one query per scrape).
  let inflight: Promise<void> | null = null;
  const collect = () =>
    (inflight ??= refresh().finally(() => {
      inflight = null;
    }));
  const lastSeen = new Gauge({
    name: 'rollcall_kiosk_last_seen_timestamp_seconds',
    help: 'When the kiosk last called the server (unix seconds), from the database',
    labelNames,
    registers: [registry],
    collect,
  });
  const queueDepth = new Gauge({
    name: 'rollcall_kiosk_queue_depth',
    help: 'Events waiting in the kiosk outbox, as reported on its last push',
    labelNames,
    registers: [registry],
    collect,
  });
  const recognition = new Gauge({
    name: 'rollcall_kiosk_recognition_ms',
    help: 'Recognition time per frame at the kiosk, as reported on its last push',
    labelNames: [...labelNames, 'quantile'],
    registers: [registry],
    collect,
  });
  const fps = new Gauge({
    name: 'rollcall_kiosk_fps',
    help: 'Frames analysed per second at the kiosk, as reported on its last push',
    labelNames,
    registers: [registry],
    collect,
  });
  const dropped = new Gauge({
    name: 'rollcall_kiosk_dropped_frames',
    help: 'Frames the kiosk dropped, as reported on its last push',
    labelNames,
    registers: [registry],
    collect,
  });
  const info = new Gauge({
    name: 'rollcall_kiosk_info',
    help: 'Always 1; labels carry the kiosk name, version and ML backend',
    labelNames: [...labelNames, 'name', 'app_version', 'backend'],
    registers: [registry],
    collect,
  });
  const kiosks = new Gauge({
    name: 'rollcall_kiosks',
    help: 'Kiosks by state',
    labelNames: ['state'],
    registers: [registry],
    collect,
  });
  const cameraStatus = new Gauge({
    name: 'rollcall_kiosk_camera_status',
    help: "Always 1; the status label is the kiosk's camera (starting, running, missing, error, stopped) as reported on its last sync",
    labelNames: [...labelNames, 'status'],
    registers: [registry],
    collect,
  });
  const camerasNotWorking = new Gauge({
    name: 'rollcall_kiosks_camera_not_working',
    help: 'Paired kiosks whose camera is missing or failing, as reported on their last sync: their doors mark nobody',
    registers: [registry],
    collect,
  });

  const all = [
    lastSeen,
    queueDepth,
    recognition,
    fps,
    dropped,
    info,
    kiosks,
    cameraStatus,
    camerasNotWorking,
  ];
  async function refresh() {
    const rows = await app.ctx.db
      .selectFrom('devices')
      .select([
        'id',
        'site_id',
        'room_id',
        'name',
        'app_version',
        'last_seen_at',
        'queue_depth',
        'health',
        'token_hash',
        'revoked_at',
        'camera_status',
      ])
      .execute();
    // Reset first: a revoked or deleted kiosk disappears instead of freezing at old values.
    all.forEach((g) => g.reset());
    const states = { paired: 0, unpaired: 0, revoked: 0 };
    let notWorking = 0;
    for (const r of rows) {
      if (r.revoked_at !== null) states.revoked += 1;
      else if (r.token_hash === null) states.unpaired += 1;
      else states.paired += 1;
      if (r.revoked_at !== null || r.token_hash === null) continue;
      const labels = { device_id: r.id, site_id: r.site_id, room_id: r.room_id };
      const health = parseHealth(r.health);
      const seen = seconds(r.last_seen_at);
      if (seen !== null) lastSeen.set(labels, seen);
      if (r.queue_depth !== null) queueDepth.set(labels, r.queue_depth);
      if (health?.recognitionMsP50 !== undefined)
        recognition.set({ ...labels, quantile: '0.5' }, health.recognitionMsP50);
      if (health?.recognitionMsP95 !== undefined)
        recognition.set({ ...labels, quantile: '0.95' }, health.recognitionMsP95);
      if (health?.fps !== undefined) fps.set(labels, health.fps);
      if (health?.droppedFrames !== undefined) dropped.set(labels, health.droppedFrames);
      info.set(
        { ...labels, name: r.name, app_version: r.app_version ?? '', backend: health?.backend ?? '' },
        1,
      );
      // The camera the kiosk reported with its last roster pull (every sync, marks or not); not
      // reported yet (an older kiosk) is no series. Not working as the console's Kiosks page
      // flags it: missing or error (`stopped` is a door an admin turned off, `starting` becomes
      // `error` by itself after 15 s).
      const camera = CameraStatus.safeParse(r.camera_status);
      if (camera.success) {
        if (cameraNotWorking(camera.data)) notWorking += 1;
        cameraStatus.set({ ...labels, status: camera.data }, 1);
      }
    }
    for (const [state, n] of Object.entries(states)) kiosks.set({ state }, n);
    camerasNotWorking.set(notWorking);
  }
}

/**
 * A door-template answer's outcome. 401 is not counted: a device the server does not know had
 * no capture judged. 5xx neither: nothing was decided.
 */
function countDoorAnswer(metrics: AppMetrics, statusCode: number, payload: unknown): void {
  const body = (payload ?? {}) as { status?: unknown; reason?: unknown; error?: unknown };
  if (statusCode === 200) {
    if (body.status === 'accepted') metrics.countDoorTemplate({ status: 'added' });
    else if (body.status === 'rejected')
      metrics.countDoorTemplate({
        status: 'refused',
        reason: typeof body.reason === 'string' ? body.reason : 'rejected',
      });
  } else if (statusCode >= 400 && statusCode < 500 && statusCode !== 401 && typeof body.error === 'string')
    metrics.countDoorTemplate({ status: 'refused', reason: body.error });
}

export default fp(
  async function metrics(app: FastifyInstance, opts: MetricsOptions) {
    const registry = new Registry();
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'rollcall_' });

    const duration = new Histogram({
      name: 'rollcall_http_request_duration_seconds',
      help: 'HTTP request latency by route pattern',
      labelNames: ['method', 'route', 'status_code'],
      buckets: HTTP_BUCKETS,
      registers: [registry],
    });
    const errors = new Counter({
      name: 'rollcall_http_errors_total',
      help: 'HTTP answers with status >= 400, by route pattern',
      labelNames: ['method', 'route', 'status_code'],
      registers: [registry],
    });
    const events = new Counter({
      name: 'rollcall_attendance_events_total',
      help: 'Attendance events received from kiosks, by outcome',
      labelNames: ['result'],
      registers: [registry],
    });
    const templates = new Counter({
      name: 'rollcall_templates_pushed_total',
      help: 'Face templates pushed by kiosks, by outcome',
      labelNames: ['result'],
      registers: [registry],
    });
    const doorAdded = new Counter({
      name: 'rollcall_door_templates_added_total',
      help: 'Door captures stored as door templates (template freshness)',
      registers: [registry],
    });
    const doorRefused = new Counter({
      name: 'rollcall_door_templates_refused_total',
      help: 'Door captures refused, by reason (a rejection or the error code of a 4xx answer)',
      labelNames: ['reason'],
      registers: [registry],
    });
    // Outcomes exist from the first scrape (rate() over a missing series is a blind spot).
    for (const result of ['accepted', 'duplicate', 'rejected']) {
      events.inc({ result }, 0);
      templates.inc({ result }, 0);
    }
    for (const reason of DOOR_REFUSALS) doorRefused.inc({ reason }, 0);
    registerKioskGauges(app, registry);

    const appMetrics: AppMetrics = {
      registry,
      countPushResults(kind, results) {
        const counter = kind === 'attendance' ? events : templates;
        const n = { accepted: 0, duplicate: 0, rejected: 0 };
        for (const r of results) n[r.status] += 1;
        for (const [result, count] of Object.entries(n)) if (count > 0) counter.inc({ result }, count);
      },
      countDoorTemplate(outcome) {
        if (outcome.status === 'added') doorAdded.inc();
        else doorRefused.inc({ reason: outcome.reason });
      },
    };
    app.decorate('metrics', appMetrics);

    app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
      // The route pattern, never the raw URL (ids would explode cardinality).
      const labels = {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      };
      duration.observe(labels, reply.elapsedTime / 1000);
      if (reply.statusCode >= 400) errors.inc(labels);
    });

    // The sync routes answer per item; counting from their answer keeps the ingest code
    // free of metrics plumbing.
    app.addHook(
      'preSerialization',
      async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
        if (request.method !== 'POST') return payload;
        const url = request.routeOptions.url;
        if (url === SYNC_PATHS.doorTemplates) {
          countDoorAnswer(appMetrics, reply.statusCode, payload);
          return payload;
        }
        if (reply.statusCode !== 200) return payload;
        const kind =
          url === SYNC_PATHS.attendance ? 'attendance' : url === SYNC_PATHS.templates ? 'templates' : null;
        const results = (payload as { results?: unknown } | null)?.results;
        if (kind !== null && Array.isArray(results))
          appMetrics.countPushResults(kind, results as ItemResult[]);
        return payload;
      },
    );

    const scrapes = scrapeLimit(app.ctx.clock);
    app.get(
      '/metrics',
      {
        schema: {
          tags: ['ops'],
          summary: `Prometheus metrics (Bearer METRICS_TOKEN; 401 without one unless METRICS_OPEN=1; at most ${METRICS_SCRAPES_PER_MINUTE} calls a minute per client, then 429)`,
          hide: false,
        },
      },
      async (request, reply) => {
        // Counted before the token is checked: wrong tokens use up the same allowance.
        const verdict = scrapes.take(request.ip);
        if (!verdict.allowed) {
          reply.header('retry-after', String(verdict.retryAfterSeconds));
          throw tooManyRequests(
            `At most ${METRICS_SCRAPES_PER_MINUTE} calls to /metrics a minute from one address`,
          );
        }
        if (opts.token !== undefined && opts.token !== '') {
          const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
          if (!match?.[1] || !sameSecret(match[1], opts.token))
            throw unauthorized('Bearer METRICS_TOKEN required', 'bad_metrics_token');
        } else if (opts.open !== true) {
          throw unauthorized(
            '/metrics is closed: set METRICS_TOKEN (or METRICS_OPEN=1 on a private scrape network)',
            'metrics_closed',
          );
        }
        const body = await registry.metrics();
        return reply.type(registry.contentType).send(body);
      },
    );
  },
  { name: 'metrics', dependencies: ['context'] },
);
