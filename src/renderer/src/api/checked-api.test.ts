import { describe, expect, it } from 'vitest';
import { createBridgeClient, type BridgeDeps } from './bridge-client.js';
import { createCheckedApi } from './checked-api.js';

const settings = {
  cameraSpec: 'push',
  roomId: null,
  matchThreshold: 0.5,
  matchMargin: 0.05,
  votesNeeded: 3,
  voteWindow: 5,
  cooldownSeconds: 60,
  livenessLevel: 'standard',
  soundCue: false,
  allowInsecureServer: false,
};

describe('createCheckedApi', () => {
  it('passes a valid answer through', async () => {
    const api = createCheckedApi(
      async () => ({ ok: true, value: settings }),
      () => () => {},
    );
    expect(await api.settingsGet()).toEqual({ ok: true, value: settings });
  });
  it('turns malformed answers into clear errors instead of crashing a screen', async () => {
    const noEnvelope = createCheckedApi(
      async () => settings,
      () => () => {},
    );
    expect(await noEnvelope.settingsGet()).toMatchObject({ ok: false, error: { code: 'bad_answer' } });
    const wrongShape = createCheckedApi(
      async () => ({ ok: true, value: { ...settings, matchThreshold: 'high' } }),
      () => () => {},
    );
    expect(await wrongShape.settingsGet()).toMatchObject({ ok: false, error: { code: 'bad_answer' } });
    const noDetails = createCheckedApi(
      async () => ({ ok: false }),
      () => () => {},
    );
    expect(await noDetails.adminLock()).toMatchObject({ ok: false, error: { code: 'unknown' } });
    const thrown = createCheckedApi(
      async () => {
        throw new Error('socket hang up');
      },
      () => () => {},
    );
    expect(await thrown.adminLock()).toEqual({
      ok: false,
      error: { code: 'unreachable', message: 'socket hang up' },
    });
  });
  it('passes the kiosk error through', async () => {
    const api = createCheckedApi(
      async () => ({ ok: false, error: { code: 'locked', message: 'Admin is locked' } }),
      () => () => {},
    );
    expect(await api.rosterList({ search: '' })).toEqual({
      ok: false,
      error: { code: 'locked', message: 'Admin is locked' },
    });
  });
  it('drops invalid states and reports them', () => {
    let emit: (raw: unknown) => void = () => {};
    const issues: string[] = [];
    const api = createCheckedApi(
      async () => null,
      (l) => ((emit = l), () => {}),
      {},
      (i) => issues.push(i),
    );
    const seen: unknown[] = [];
    api.onState((s) => seen.push(s));
    emit({ engine: 'broken' });
    expect(seen).toEqual([]);
    expect(issues).toHaveLength(1);
  });
});

describe('createBridgeClient', () => {
  it('posts the argument as JSON to /api/<channel> and parses the answer', async () => {
    const requests: { url: string; init: RequestInit | undefined }[] = [];
    const deps: BridgeDeps = {
      fetch: (async (url: string, init?: RequestInit) => {
        requests.push({ url, init });
        return new Response(
          JSON.stringify({ ok: true, value: { unlocked: false, lockedUntil: null, recovery: false } }),
          { status: 200 },
        );
      }) as typeof fetch,
      EventSource: class {
        addEventListener() {}
        close() {}
      } as unknown as BridgeDeps['EventSource'],
    };
    const api = createBridgeClient('http://127.0.0.1:5000/', deps, { token: null });
    expect(await api.adminUnlock({ pin: '1234' })).toEqual({
      ok: true,
      value: { unlocked: false, lockedUntil: null, recovery: false },
    });
    expect(requests[0]?.url).toBe('http://127.0.0.1:5000/api/adminUnlock');
    expect(requests[0]?.init?.body).toBe('{"pin":"1234"}');
    await api.logToday();
    expect(requests[1]?.init?.body).toBe('null');
  });
  it('sends the access token on every call, the event stream and the preview', async () => {
    const requests: { url: string; init: RequestInit | undefined }[] = [];
    const streams: string[] = [];
    const deps: BridgeDeps = {
      fetch: (async (url: string, init?: RequestInit) => {
        requests.push({ url, init });
        return new Response(JSON.stringify({ ok: true, value: null }), { status: 200 });
      }) as typeof fetch,
      EventSource: class {
        constructor(url: string) {
          streams.push(url);
        }
        addEventListener() {}
        close() {}
      } as unknown as BridgeDeps['EventSource'],
    };
    const api = createBridgeClient('http://127.0.0.1:5000/', deps, { token: 'tok/en+1' });
    await api.adminLock();
    expect(new Headers(requests[0]?.init?.headers).get('authorization')).toBe('Bearer tok/en+1');
    api.cameraPushFrame?.(new Uint8Array([0xff, 0xd8]));
    await new Promise((r) => setTimeout(r, 0));
    expect(new Headers(requests[1]?.init?.headers).get('authorization')).toBe('Bearer tok/en+1');
    api.onState(() => {})();
    expect(new URL(streams[0] ?? '').searchParams.get('token')).toBe('tok/en+1');
    const preview = new URL(api.framePreviewUrl?.(7) ?? '', 'http://127.0.0.1:5000/');
    expect(preview.pathname).toBe('/frame.jpg');
    expect(Object.fromEntries(preview.searchParams)).toEqual({ seq: '7', token: 'tok/en+1' });
    // A camera restart starts seq again: the epoch keeps the URL of an older picture from coming back.
    const restarted = new URL(api.framePreviewUrl?.(7, 'ab12-2') ?? '', 'http://127.0.0.1:5000/');
    expect(Object.fromEntries(restarted.searchParams)).toEqual({
      epoch: 'ab12-2',
      seq: '7',
      token: 'tok/en+1',
    });
    expect(restarted.toString()).not.toBe(preview.toString());
  });
  it('reports a non-JSON error page as an http error', async () => {
    const deps: BridgeDeps = {
      fetch: (async () => new Response('Bad Gateway', { status: 502 })) as typeof fetch,
      EventSource: class {} as unknown as BridgeDeps['EventSource'],
    };
    const api = createBridgeClient('http://127.0.0.1:5000/', deps, { token: null });
    expect(await api.syncNow()).toEqual({ ok: false, error: { code: 'http_502', message: 'Bad Gateway' } });
  });
});
