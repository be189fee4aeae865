// The preload is the whole surface the page gets: check it exposes exactly the contract
// (one method per channel + onState + cameraPushFrame), each bound to its own channel.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  KIOSK_CAMERA_FRAME_CHANNEL,
  KIOSK_CHANNELS,
  KIOSK_STATE_EVENT,
} from '../contracts/kiosk-channels.js';

const exposed: Record<string, unknown> = {};
const invoked: unknown[][] = [];
const sent: unknown[][] = [];
const listeners = new Map<string, (...a: unknown[]) => void>();

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (name: string, api: unknown) => void (exposed[name] = api) },
  ipcRenderer: {
    invoke: async (...args: unknown[]) => void invoked.push(args),
    send: (...args: unknown[]) => void sent.push(args),
    on: (c: string, l: (...a: unknown[]) => void) => void listeners.set(c, l),
    removeListener: (c: string) => void listeners.delete(c),
  },
}));

beforeAll(async () => {
  await import('./index.js');
});

describe('preload', () => {
  it('exposes one object, window.rollcall, with exactly the contract', () => {
    expect(Object.keys(exposed)).toEqual(['rollcall']);
    const api = exposed.rollcall as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(
      [...Object.keys(KIOSK_CHANNELS), 'onState', 'cameraPushFrame'].sort(),
    );
    for (const v of Object.values(api)) expect(typeof v).toBe('function');
  });

  it('binds each method to its own channel and passes the argument through', async () => {
    const api = exposed.rollcall as Record<string, (a?: unknown) => Promise<unknown>>;
    for (const [key, channel] of Object.entries(KIOSK_CHANNELS)) {
      invoked.length = 0;
      await api[key]!({ probe: key });
      expect(invoked[0]?.[0]).toBe(channel);
    }
    await (api.adminUnlock as (a: unknown) => Promise<unknown>)({ pin: '1234' });
    expect(invoked.at(-1)).toEqual([KIOSK_CHANNELS.adminUnlock, { pin: '1234' }]);
  });

  it('streams state to a listener until it unsubscribes, and sends camera frames', () => {
    const api = exposed.rollcall as {
      onState(l: (s: unknown) => void): () => void;
      cameraPushFrame(f: Uint8Array): void;
    };
    const seen: unknown[] = [];
    const off = api.onState((s) => seen.push(s));
    listeners.get(KIOSK_STATE_EVENT)?.({}, { droppedFrames: 1 });
    expect(seen).toEqual([{ droppedFrames: 1 }]);
    off();
    expect(listeners.has(KIOSK_STATE_EVENT)).toBe(false);
    const frame = new Uint8Array([0xff, 0xd8]);
    api.cameraPushFrame(frame);
    expect(sent).toEqual([[KIOSK_CAMERA_FRAME_CHANNEL, frame]]);
  });
});
