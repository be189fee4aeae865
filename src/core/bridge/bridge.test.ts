import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  KIOSK_CHANNELS,
  type KioskChannelKey,
  type KioskState,
  type Result,
} from '../../contracts/kiosk-api.js';
import { startBridge, type Bridge, type BridgeKiosk } from './bridge.js';

const state = (seq: number): KioskState => ({
  engine: { state: 'ready', progress: 1, backend: 'wasm', modelId: 'm', error: null },
  camera: { status: 'running', detail: null, fps: 10 },
  frame: { width: 640, height: 480, seq },
  faces: [],
  greeting: null,
  session: null,
  room: null,
  sync: {
    paired: false,
    serverUrl: null,
    online: false,
    queueDepth: 0,
    templateQueueDepth: 0,
    lastPushAt: null,
    lastPullAt: null,
    lastError: null,
    syncing: false,
    progress: 0,
  },
  droppedFrames: 0,
});

function fakeKiosk() {
  const calls: { key: KioskChannelKey; args: unknown }[] = [];
  const listeners = new Set<(s: KioskState) => void>();
  const frames: Uint8Array[] = [];
  const handlers = Object.fromEntries(
    (Object.keys(KIOSK_CHANNELS) as KioskChannelKey[]).map((key) => [
      key,
      async (args: unknown): Promise<Result<unknown>> => {
        calls.push({ key, args });
        if (key === 'getState') return { ok: true, value: state(1) };
        if (key === 'logToday') throw new Error('database is locked');
        return { ok: true, value: { echoed: args ?? null } };
      },
    ]),
  ) as BridgeKiosk['handlers'];
  const kiosk: BridgeKiosk = {
    handlers,
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    pushFrame: (f) => frames.push(f),
    latestFrame: () => ({ seq: 7, epoch: 'e1-1', data: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]) }),
  };
  return { kiosk, calls, listeners, frames };
}

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
function raw(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('browser bridge', () => {
  let dir: string;
  let bridge: Bridge;
  let fake: ReturnType<typeof fakeKiosk>;
  const host = () => ({ host: `127.0.0.1:${bridge.port}` });
  /** Host plus this launch's token: what the real page sends on every API call. */
  const authed = () => ({ ...host(), authorization: `Bearer ${bridge.token}` });
  const post = (path: string, body: unknown, extra: Record<string, string> = {}) =>
    raw(
      bridge.port,
      'POST',
      path,
      { ...authed(), 'content-type': 'application/json', ...extra },
      JSON.stringify(body),
    );

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bridge-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Rollcall</title>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(tmpdir(), 'bridge-secret.txt'), 'TOP-SECRET-CONTENT');
    fake = fakeKiosk();
    bridge = await startBridge({
      kiosk: fake.kiosk,
      port: 0,
      staticDir: dir,
      logger: pino({ level: 'silent' }),
    });
  });
  afterEach(async () => {
    await bridge.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on loopback and serves the renderer with a strict CSP', async () => {
    expect(bridge.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(bridge.url).toBe(`${bridge.origin}#token=${bridge.token}`);
    const res = await raw(bridge.port, 'GET', '/', host());
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Rollcall</title>');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    const asset = await raw(bridge.port, 'GET', '/assets/app.js', host());
    expect(asset.headers['content-type']).toContain('javascript');
    expect(asset.headers['cache-control']).toContain('immutable');
  });

  it('refuses path traversal out of the renderer folder', async () => {
    for (const path of [
      '/../bridge-secret.txt',
      '/%2e%2e/bridge-secret.txt',
      '/assets/..%2f..%2fbridge-secret.txt',
    ]) {
      const res = await raw(bridge.port, 'GET', path, host());
      expect(res.body).not.toContain('TOP-SECRET-CONTENT');
    }
    expect((await raw(bridge.port, 'GET', '/assets/missing.js', host())).status).toBe(404);
  });

  it('calls the handler with the parsed body and answers its Result', async () => {
    const res = await post('/api/rosterList', { search: 'ada' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true, value: { echoed: { search: 'ada' } } });
    expect(fake.calls).toEqual([{ key: 'rosterList', args: { search: 'ada' } }]);
    const none = await post('/api/adminLock', null);
    expect(JSON.parse(none.body).ok).toBe(true);
    expect(fake.calls.at(-1)).toEqual({ key: 'adminLock', args: undefined });
  });

  it('rejects bad bodies with a clear error and never calls the handler', async () => {
    const badPin = await post('/api/adminUnlock', { pin: '12' });
    expect(badPin.status).toBe(400);
    expect(JSON.parse(badPin.body)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(JSON.parse(badPin.body).error.message).toContain('pin');
    const notJson = await raw(
      bridge.port,
      'POST',
      '/api/rosterList',
      { ...authed(), 'content-type': 'application/json' },
      '{oops',
    );
    expect(JSON.parse(notJson.body).error.code).toBe('bad_json');
    const extra = await post('/api/adminLock', { sneaky: true });
    expect(extra.status).toBe(400);
    const form = await raw(
      bridge.port,
      'POST',
      '/api/adminLock',
      { ...authed(), 'content-type': 'application/x-www-form-urlencoded' },
      'a=1',
    );
    expect(form.status).toBe(415);
    const huge = await post('/api/rosterList', { search: 'x'.repeat(70_000) });
    expect(huge.status).toBe(413);
    const unknown = await post('/api/dropTables', {});
    expect(unknown.status).toBe(404);
    expect(fake.calls).toEqual([]);
  });

  it('turns a throwing handler into a 500 Result without details', async () => {
    const res = await post('/api/logToday', null);
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body)).toEqual({
      ok: false,
      error: { code: 'internal', message: 'the kiosk failed to answer; see its log' },
    });
  });

  it('refuses DNS-rebinding hosts and foreign origins', async () => {
    const rebind = await raw(bridge.port, 'GET', '/', { host: `evil.example:${bridge.port}` });
    expect(rebind.status).toBe(403);
    const wrongPort = await raw(bridge.port, 'GET', '/', { host: '127.0.0.1:1' });
    expect(wrongPort.status).toBe(403);
    const foreign = await post('/api/adminLock', null, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    const crossSite = await post('/api/adminLock', null, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const own = await post('/api/adminLock', null, {
      origin: `http://localhost:${bridge.port}`,
      'sec-fetch-site': 'same-origin',
    });
    expect(own.status).toBe(200);
    expect(fake.calls).toHaveLength(1);
  });

  it('streams the current state first, then every update', async () => {
    const received: KioskState[] = [];
    const controller = new AbortController();
    const res = await fetch(`${bridge.origin}api/events`, {
      signal: controller.signal,
      headers: { authorization: `Bearer ${bridge.token}` },
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const readUntil = async (n: number) => {
      while (received.length < n) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        const events = buffer.split('\n\n');
        buffer = events.pop() ?? '';
        for (const e of events) {
          const data = e.split('\n').find((l) => l.startsWith('data: '));
          if (e.includes('event: state') && data) received.push(JSON.parse(data.slice(6)) as KioskState);
        }
      }
    };
    await readUntil(1);
    expect(received[0]?.frame?.seq).toBe(1);
    for (const l of fake.listeners) l(state(2));
    await readUntil(2);
    expect(received[1]?.frame?.seq).toBe(2);
    controller.abort();
  });

  it('serves the latest frame and accepts pushed frames', async () => {
    const frame = await raw(bridge.port, 'GET', '/frame.jpg?seq=7', authed());
    expect(frame.status).toBe(200);
    expect(frame.headers['content-type']).toBe('image/jpeg');
    expect(frame.headers['x-frame-seq']).toBe('7');
    expect(frame.headers['x-frame-epoch']).toBe('e1-1');
    expect(frame.headers['cache-control']).toBe('no-store');
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9]);
    const pushed = await raw(
      bridge.port,
      'POST',
      '/api/camera/frame',
      { ...authed(), 'content-type': 'image/jpeg' },
      jpeg,
    );
    expect(pushed.status).toBe(204);
    expect(Array.from(fake.frames[0] ?? [])).toEqual(Array.from(jpeg));
    const empty = await raw(
      bridge.port,
      'POST',
      '/api/camera/frame',
      { ...authed(), 'content-type': 'image/jpeg' },
      Buffer.alloc(0),
    );
    expect(empty.status).toBe(400);
    const wrongType = await raw(
      bridge.port,
      'POST',
      '/api/camera/frame',
      { ...authed(), 'content-type': 'text/plain' },
      'x',
    );
    expect(wrongType.status).toBe(415);
    expect(fake.frames).toHaveLength(1);
  });

  describe('access token', () => {
    const unauthorized = (res: Raw) => {
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toContain('Bearer');
      const body = JSON.parse(res.body) as { ok: boolean; error: { code: string; message: string } };
      expect(body).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
      return body.error.message;
    };
    const wrongToken = () => `${bridge.token.slice(0, -1)}${bridge.token.endsWith('A') ? 'B' : 'A'}`;

    it('is fresh per launch, at least 128 bits, and never in the origin', async () => {
      const other = await startBridge({
        kiosk: fake.kiosk,
        port: 0,
        staticDir: dir,
        logger: pino({ level: 'silent' }),
      });
      try {
        expect(other.token).not.toBe(bridge.token);
        expect(Buffer.from(bridge.token, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
        expect(bridge.origin).not.toContain(bridge.token);
      } finally {
        await other.close();
      }
    });

    it('refuses API calls without it, with a clear 401, and never calls the handler', async () => {
      const res = await raw(
        bridge.port,
        'POST',
        '/api/adminLock',
        { ...host(), 'content-type': 'application/json' },
        'null',
      );
      expect(unauthorized(res)).toContain('#token=');
      expect(fake.calls).toEqual([]);
    });

    it('refuses a wrong or malformed token', async () => {
      for (const authorization of [
        `Bearer ${wrongToken()}`,
        `Bearer ${bridge.token}x`,
        'Bearer ',
        bridge.token,
        `Basic ${bridge.token}`,
      ]) {
        const res = await post('/api/adminLock', null, { authorization });
        expect(unauthorized(res)).toContain('wrong access token');
      }
      // The query form is for EventSource and <img> only, never for calls.
      const viaQuery = await raw(
        bridge.port,
        'POST',
        `/api/adminLock?token=${bridge.token}`,
        { ...host(), 'content-type': 'application/json' },
        'null',
      );
      unauthorized(viaQuery);
      expect(fake.calls).toEqual([]);
    });

    it('lets the right token through', async () => {
      const res = await post('/api/adminLock', null, { authorization: `Bearer ${bridge.token}` });
      expect(res.status).toBe(200);
      expect(fake.calls).toEqual([{ key: 'adminLock', args: undefined }]);
    });

    it('guards the event stream, in the header or the query', async () => {
      unauthorized(await raw(bridge.port, 'GET', '/api/events', host()));
      unauthorized(await raw(bridge.port, 'GET', `/api/events?token=${wrongToken()}`, host()));
      for (const [path, headers] of [
        ['api/events', { authorization: `Bearer ${bridge.token}` }],
        [`api/events?token=${bridge.token}`, {}],
      ] as const) {
        const controller = new AbortController();
        const res = await fetch(`${bridge.origin}${path}`, { signal: controller.signal, headers });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toContain('text/event-stream');
        controller.abort();
      }
    });

    it('guards camera frames both ways but keeps the UI and /healthz public', async () => {
      unauthorized(await raw(bridge.port, 'GET', '/frame.jpg?seq=7', host()));
      expect((await raw(bridge.port, 'GET', `/frame.jpg?seq=7&token=${bridge.token}`, host())).status).toBe(
        200,
      );
      unauthorized(
        await raw(
          bridge.port,
          'POST',
          '/api/camera/frame',
          { ...host(), 'content-type': 'image/jpeg' },
          Buffer.from([0xff, 0xd8]),
        ),
      );
      expect(fake.frames).toHaveLength(0);
      expect((await raw(bridge.port, 'GET', '/', host())).status).toBe(200);
      expect((await raw(bridge.port, 'GET', '/healthz', host())).status).toBe(200);
    });

    it('keeps the token out of its logs', async () => {
      const lines: string[] = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
      const logged = await startBridge({ kiosk: fake.kiosk, port: 0, staticDir: dir, logger });
      try {
        await raw(logged.port, 'GET', `/api/events?token=${logged.token}x`, {
          host: `127.0.0.1:${logged.port}`,
        });
        expect(lines.length).toBeGreaterThanOrEqual(2);
        expect(lines.join('\n')).not.toContain(logged.token);
        expect(lines.join('\n')).toContain('token=[redacted]');
      } finally {
        await logged.close();
      }
    });
  });

  it('refuses to bind anywhere but loopback', async () => {
    await expect(
      startBridge({ kiosk: fake.kiosk, port: 0, staticDir: dir, host: '0.0.0.0' as '127.0.0.1' }),
    ).rejects.toThrow(/loopback/);
  });
});
