import { describe, expect, it } from 'vitest';
import { createBridgeClient, type BridgeDeps } from './bridge-client';
import { createCheckedApi } from './checked-api';

const settings = {
  cameraSpec: 'push',
  roomId: null,
  matchThreshold: 0.5,
  matchMargin: 0.05,
  votesNeeded: 3,
  voteWindow: 5,
  cooldownSeconds: 60,
  soundCue: false,
  updateFeedUrl: null,
};

describe('createCheckedApi', () => {
  it('passes a valid answer through', async () => {
    const api = createCheckedApi(async () => ({ ok: true, value: settings }), () => () => {});
    expect(await api.settingsGet()).toEqual({ ok: true, value: settings });
  });
  it('turns malformed answers into clear errors instead of crashing a screen', async () => {
    const noEnvelope = createCheckedApi(async () => settings, () => () => {});
    expect(await noEnvelope.settingsGet()).toMatchObject({ ok: false, error: { code: 'bad_answer' } });
    const wrongShape = createCheckedApi(async () => ({ ok: true, value: { ...settings, matchThreshold: 'high' } }), () => () => {});
    expect(await wrongShape.settingsGet()).toMatchObject({ ok: false, error: { code: 'bad_answer' } });
    const noDetails = createCheckedApi(async () => ({ ok: false }), () => () => {});
    expect(await noDetails.adminLock()).toMatchObject({ ok: false, error: { code: 'unknown' } });
    const thrown = createCheckedApi(async () => {
      throw new Error('socket hang up');
    }, () => () => {});
    expect(await thrown.adminLock()).toEqual({ ok: false, error: { code: 'unreachable', message: 'socket hang up' } });
  });
  it('passes the kiosk error through', async () => {
    const api = createCheckedApi(async () => ({ ok: false, error: { code: 'locked', message: 'Admin is locked' } }), () => () => {});
    expect(await api.rosterList({ search: '' })).toEqual({ ok: false, error: { code: 'locked', message: 'Admin is locked' } });
  });
  it('drops invalid states and reports them', () => {
    let emit: (raw: unknown) => void = () => {};
    const issues: string[] = [];
    const api = createCheckedApi(async () => null, (l) => ((emit = l), () => {}), {}, (i) => issues.push(i));
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
        return new Response(JSON.stringify({ ok: true, value: { unlocked: false, lockedUntil: null } }), { status: 200 });
      }) as typeof fetch,
      EventSource: class {
        addEventListener() {}
        close() {}
      } as unknown as BridgeDeps['EventSource'],
    };
    const api = createBridgeClient('http://127.0.0.1:5000/', deps);
    expect(await api.adminUnlock({ pin: '1234' })).toEqual({ ok: true, value: { unlocked: false, lockedUntil: null } });
    expect(requests[0]?.url).toBe('http://127.0.0.1:5000/api/adminUnlock');
    expect(requests[0]?.init?.body).toBe('{"pin":"1234"}');
    await api.logToday();
    expect(requests[1]?.init?.body).toBe('null');
  });
  it('reports a non-JSON error page as an http error', async () => {
    const deps: BridgeDeps = {
      fetch: (async () => new Response('Bad Gateway', { status: 502 })) as typeof fetch,
      EventSource: class {} as unknown as BridgeDeps['EventSource'],
    };
    const api = createBridgeClient('http://127.0.0.1:5000/', deps);
    expect(await api.syncNow()).toEqual({ ok: false, error: { code: 'http_502', message: 'Bad Gateway' } });
  });
});
