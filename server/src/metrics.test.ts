import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  buildTestApp,
  presentMark,
  call,
  pairKiosk,
  seed,
  type Seeded,
  type TestApp,
} from '../test/app.js';
import { openTestSqlite, testDialects, type TestDatabase } from '../test/databases.js';

const dialects = await testDialects();

/** The value of one series in Prometheus text, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Map([...(m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) return Number(m[4]);
  }
  return undefined;
}

const mark = presentMark;

describe.each(dialects)('GET /metrics on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;
  let kiosk: { token: string; deviceId: string };

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database, { processMetrics: false, config: { metricsOpen: true } });
    s = await seed(t, database);
    kiosk = await pairKiosk(t.app, s.adminToken, s.roomId, 'Door A');
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  it.skipIf(!dialect.available)(
    'counts ingested events by outcome and shows the kiosk health from the database',
    async () => {
      const first = mark(s, 0);
      const events = [first, mark(s, 1), { ...first }, { ...mark(s, 2), studentId: 'no-such-student' }];
      const health = {
        appVersion: '0.1.0',
        queueDepth: 42,
        fps: 7.5,
        recognitionMsP50: 81,
        recognitionMsP95: 140,
        droppedFrames: 3,
        backend: 'wasm',
      };
      const pushed = await call<{ results: { status: string }[] }>(
        t.app,
        kiosk.token,
        'POST',
        '/api/sync/attendance',
        { events, health },
      );
      expect(pushed.results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'duplicate', 'rejected']);
      // Re-sent: both are duplicates now.
      await call(t.app, kiosk.token, 'POST', '/api/sync/attendance', { events: events.slice(0, 2), health });

      const res = await t.app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = res.body;
      expect(sample(text, 'rollcall_attendance_events_total', { result: 'accepted' })).toBe(2);
      expect(sample(text, 'rollcall_attendance_events_total', { result: 'duplicate' })).toBe(3);
      expect(sample(text, 'rollcall_attendance_events_total', { result: 'rejected' })).toBe(1);

      const k = { device_id: kiosk.deviceId, room_id: s.roomId, site_id: 'default' };
      expect(sample(text, 'rollcall_kiosk_queue_depth', k)).toBe(42);
      expect(sample(text, 'rollcall_kiosk_recognition_ms', { ...k, quantile: '0.5' })).toBe(81);
      expect(sample(text, 'rollcall_kiosk_recognition_ms', { ...k, quantile: '0.95' })).toBe(140);
      expect(sample(text, 'rollcall_kiosk_fps', k)).toBe(7.5);
      expect(sample(text, 'rollcall_kiosk_dropped_frames', k)).toBe(3);
      expect(
        sample(text, 'rollcall_kiosk_info', { ...k, name: 'Door A', app_version: '0.1.0', backend: 'wasm' }),
      ).toBe(1);
      // last_seen_at is written with the app clock (TestClock).
      expect(sample(text, 'rollcall_kiosk_last_seen_timestamp_seconds', k)).toBe(
        t.clock.now().getTime() / 1000,
      );
      expect(sample(text, 'rollcall_kiosks', { state: 'paired' })).toBe(1);
    },
  );

  it.skipIf(!dialect.available)(
    'shows the same kiosk gauges on another instance (database), but only its own counters (process)',
    async () => {
      const other = await buildTestApp(database, { processMetrics: false, config: { metricsOpen: true } });
      try {
        const text = (await other.app.inject({ method: 'GET', url: '/metrics' })).body;
        expect(sample(text, 'rollcall_kiosk_queue_depth', { device_id: kiosk.deviceId })).toBe(42);
        expect(sample(text, 'rollcall_attendance_events_total', { result: 'accepted' })).toBe(0);
      } finally {
        await other.app.close();
      }
    },
  );

  it.skipIf(!dialect.available)('labels latency and errors by route pattern, never by raw URL', async () => {
    await t.app.inject({
      method: 'GET',
      url: `/api/students/${randomUUID()}`,
      headers: bearer(s.adminToken),
    });
    await t.app.inject({ method: 'GET', url: '/api/nowhere/at/all' });
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(
      sample(text, 'rollcall_http_errors_total', {
        method: 'GET',
        route: '/api/students/:id',
        status_code: '404',
      }),
    ).toBe(1);
    expect(sample(text, 'rollcall_http_errors_total', { route: 'unmatched', status_code: '404' })).toBe(1);
    expect(
      sample(text, 'rollcall_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/sync/attendance',
        status_code: '200',
      }),
    ).toBe(2);
    expect(text).not.toMatch(/route="\/api\/students\/[0-9a-f]{8}-/);
    expect(text).not.toContain('/api/nowhere');
  });

  it.skipIf(!dialect.available)(
    'counts the kiosks whose last reported camera is not working, and names each camera status',
    async () => {
      const other = await pairKiosk(t.app, s.adminToken, s.roomId, 'Door B');
      const pull = async (who: { token: string }, camera: string, detail = '') => {
        const query = `camera=${camera}${detail ? `&cameraDetail=${encodeURIComponent(detail)}` : ''}`;
        const res = await t.app.inject({
          method: 'GET',
          url: `/api/sync/roster?since=0&limit=1&${query}`,
          headers: bearer(who.token),
        });
        expect(res.statusCode).toBe(200);
      };
      const scrape = async () => (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      const notWorking = (text: string) => sample(text, 'rollcall_kiosks_camera_not_working');

      // Nobody has reported a camera yet: none counted, no per-kiosk series.
      let text = await scrape();
      expect(notWorking(text)).toBe(0);
      expect(text).not.toMatch(/^rollcall_kiosk_camera_status\{/m);

      await pull(kiosk, 'running');
      await pull(other, 'error', 'The camera keeps sending the same picture (no change for 15 s or more).');
      text = await scrape();
      expect(notWorking(text)).toBe(1);
      expect(
        sample(text, 'rollcall_kiosk_camera_status', { device_id: other.deviceId, status: 'error' }),
      ).toBe(1);
      expect(
        sample(text, 'rollcall_kiosk_camera_status', { device_id: kiosk.deviceId, status: 'running' }),
      ).toBe(1);

      await pull(kiosk, 'missing');
      expect(notWorking(await scrape())).toBe(2);
      // A camera working again leaves the count; an old status leaves no series behind.
      await pull(other, 'running');
      text = await scrape();
      expect(notWorking(text)).toBe(1);
      expect(
        sample(text, 'rollcall_kiosk_camera_status', { device_id: other.deviceId, status: 'error' }),
      ).toBeUndefined();
      // A revoked kiosk is not a door any more: not counted, whatever it last said.
      await pull(other, 'error');
      expect(notWorking(await scrape())).toBe(2);
      await call(t.app, s.adminToken, 'POST', `/api/devices/${other.deviceId}/revoke`);
      expect(notWorking(await scrape())).toBe(1);
      await pull(kiosk, 'running');
      expect(notWorking(await scrape())).toBe(0);
    },
  );

  it.skipIf(!dialect.available)('drops a revoked kiosk from the gauges', async () => {
    await call(t.app, s.adminToken, 'POST', `/api/devices/${kiosk.deviceId}/revoke`);
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(sample(text, 'rollcall_kiosk_queue_depth', { device_id: kiosk.deviceId })).toBeUndefined();
    expect(sample(text, 'rollcall_kiosks', { state: 'revoked' })).toBe(2);
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let database: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    database = await openTestSqlite();
    t = await buildTestApp(database, { config: { metricsToken: 'scrape-secret-0123456789' } });
  });
  afterAll(async () => {
    await t.app.close();
    await database.cleanup();
  });

  it('answers 401 without the token or with a wrong one, and serves process metrics with it', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect(
      (await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer('wrong-secret-0123456789') }))
        .statusCode,
    ).toBe(401);
    const ok = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: bearer('scrape-secret-0123456789'),
    });
    expect(ok.statusCode).toBe(200);
    expect(sample(ok.body, 'rollcall_process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});
