import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  KIOSK_CAMERA_FRAME_CHANNEL,
  KIOSK_CHANNELS,
  KIOSK_STATE_EVENT,
  type KioskChannelKey,
  type KioskState,
  type Result,
} from '../contracts/kiosk-api.js';
import { bindKioskIpc, forwardState, type IpcMainLike } from './ipc.js';

function fakeIpc() {
  const handlers = new Map<
    string,
    (e: { senderFrame?: { url: string } | null }, ...a: unknown[]) => Promise<unknown>
  >();
  const listeners = new Map<string, (e: { senderFrame?: { url: string } | null }, ...a: unknown[]) => void>();
  const ipc: IpcMainLike = {
    handle: (c, l) => void handlers.set(c, l),
    removeHandler: (c) => void handlers.delete(c),
    on: (c, l) => void listeners.set(c, l),
    removeAllListeners: (c) => void listeners.delete(c),
  };
  return { ipc, handlers, listeners };
}

const own = { senderFrame: { url: 'app://rollcall/index.html' } };
const foreign = { senderFrame: { url: 'https://evil.example/' } };

describe('bindKioskIpc', () => {
  const calls: unknown[] = [];
  const frames: Uint8Array[] = [];
  const handlers = Object.fromEntries(
    (Object.keys(KIOSK_CHANNELS) as KioskChannelKey[]).map((k) => [
      k,
      async (raw: unknown): Promise<Result<unknown>> => {
        if (k === 'syncNow') throw new Error('boom');
        calls.push([k, raw]);
        return { ok: true, value: k };
      },
    ]),
  ) as Record<KioskChannelKey, (raw: unknown) => Promise<Result<unknown>>>;
  const kiosk = { handlers, pushFrame: (f: Uint8Array) => void frames.push(f) };

  it('binds one handler per channel and passes the raw argument to the core', async () => {
    const f = fakeIpc();
    const unbind = bindKioskIpc(f.ipc, kiosk, pino({ level: 'silent' }));
    expect([...f.handlers.keys()].sort()).toEqual(Object.values(KIOSK_CHANNELS).sort());
    expect(await f.handlers.get('admin:unlock')!(own, { pin: '1234' })).toEqual({
      ok: true,
      value: 'adminUnlock',
    });
    expect(calls.at(-1)).toEqual(['adminUnlock', { pin: '1234' }]);
    unbind();
    expect(f.handlers.size).toBe(0);
    expect(f.listeners.size).toBe(0);
  });

  it('refuses foreign frames and hides handler crashes', async () => {
    const f = fakeIpc();
    bindKioskIpc(f.ipc, kiosk, pino({ level: 'silent' }));
    const n = calls.length;
    expect(await f.handlers.get('admin:unlock')!(foreign, { pin: '1234' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await f.handlers.get('admin:unlock')!({ senderFrame: null }, { pin: '1234' })).toMatchObject({
      ok: false,
    });
    expect(calls.length).toBe(n);
    expect(await f.handlers.get('sync:now')!(own)).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('hands valid camera frames to the core and drops bad ones', () => {
    const f = fakeIpc();
    bindKioskIpc(f.ipc, kiosk, pino({ level: 'silent' }));
    const on = f.listeners.get(KIOSK_CAMERA_FRAME_CHANNEL)!;
    on(own, new Uint8Array([0xff, 0xd8, 1]));
    on(own, 'not bytes');
    on(own, new Uint8Array(0));
    on(foreign, new Uint8Array([0xff, 0xd8, 2]));
    expect(frames.map((x) => Array.from(x))).toEqual([[0xff, 0xd8, 1]]);
  });
});

describe('forwardState', () => {
  it('sends states to a live window only', () => {
    let emit: (s: KioskState) => void = () => {};
    const sent: unknown[] = [];
    let destroyed = false;
    forwardState(
      (l) => ((emit = l), () => {}),
      () => ({ isDestroyed: () => destroyed, send: (c, s) => void sent.push([c, s]) }),
    );
    emit({ droppedFrames: 1 } as KioskState);
    destroyed = true;
    emit({ droppedFrames: 2 } as KioskState);
    expect(sent).toEqual([[KIOSK_STATE_EVENT, { droppedFrames: 1 }]]);
  });
});
