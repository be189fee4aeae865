// Binds the kiosk core's handlers to IPC. Each channel is one `domain:action` constant from
// the contract; the core's handler zod-parses the raw argument (the receiving side) and
// answers a Result. Only our own page may call: the sender frame's URL is checked first.
// Written against a minimal ipcMain shape so it is unit-tested without Electron.
import type { Logger } from 'pino';
import {
  CameraFrameBytes,
  KIOSK_CAMERA_FRAME_CHANNEL,
  KIOSK_CHANNELS,
  KIOSK_STATE_EVENT,
  type KioskChannelKey,
  type KioskState,
  type Result,
} from '../contracts/kiosk-api.js';
import { isOwnOrigin } from './security-policy.js';

interface SenderEvent {
  senderFrame?: { url: string } | null;
}
export interface IpcMainLike {
  handle(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => void): void;
  removeAllListeners(channel: string): void;
}
export interface IpcKiosk {
  handlers: Record<KioskChannelKey, (rawArgs: unknown) => Promise<Result<unknown>>>;
  pushFrame(jpegOrPng: Uint8Array): void;
}

const trusted = (event: SenderEvent) => isOwnOrigin(event.senderFrame?.url ?? '');

export function bindKioskIpc(ipc: IpcMainLike, kiosk: IpcKiosk, log: Logger): () => void {
  const keys = Object.keys(KIOSK_CHANNELS) as KioskChannelKey[];
  for (const key of keys) {
    ipc.handle(KIOSK_CHANNELS[key], async (event, rawArgs) => {
      if (!trusted(event)) {
        log.warn(
          { channel: KIOSK_CHANNELS[key], url: event.senderFrame?.url },
          'IPC from a foreign frame refused',
        );
        return { ok: false, error: { code: 'forbidden', message: 'not our page' } } satisfies Result<never>;
      }
      try {
        return await kiosk.handlers[key](rawArgs);
      } catch (err) {
        log.error({ err, channel: KIOSK_CHANNELS[key] }, 'kiosk handler threw');
        return {
          ok: false,
          error: { code: 'internal', message: 'the kiosk failed to answer; see its log' },
        } satisfies Result<never>;
      }
    });
  }
  let badFrames = 0;
  ipc.on(KIOSK_CAMERA_FRAME_CHANNEL, (event, raw) => {
    if (!trusted(event)) return;
    const frame = CameraFrameBytes.safeParse(raw);
    if (!frame.success) {
      // A flood of bad frames must not flood the log.
      if (++badFrames <= 5 || badFrames % 100 === 0)
        log.warn({ badFrames, issue: frame.error.issues[0]?.message }, 'bad camera frame over IPC');
      return;
    }
    kiosk.pushFrame(frame.data);
  });
  return () => {
    for (const key of keys) ipc.removeHandler(KIOSK_CHANNELS[key]);
    ipc.removeAllListeners(KIOSK_CAMERA_FRAME_CHANNEL);
  };
}

/** Forwards every state to the window; a destroyed window just stops receiving. */
export function forwardState(
  subscribe: (listener: (s: KioskState) => void) => () => void,
  target: () => { isDestroyed(): boolean; send(channel: string, state: KioskState): void } | null,
): () => void {
  return subscribe((state) => {
    const t = target();
    if (t && !t.isDestroyed()) t.send(KIOSK_STATE_EVENT, state);
  });
}
