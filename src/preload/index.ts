// The one bridge the renderer sees: `window.rollcall`, exactly the contract's KioskApi (plus
// the camera frame push). One method per channel of KIOSK_CHANNELS, each invoking its own
// channel constant; there is no raw ipcRenderer and no generic invoke(channel) for the page.
// Answers are parsed again in the renderer (against KIOSK_API's result schemas).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { KioskApi, KioskChannelKey, KioskMediaApi, KioskState } from '../contracts/kiosk-api.js';
import {
  KIOSK_CAMERA_FRAME_CHANNEL,
  KIOSK_CHANNELS as C,
  KIOSK_STATE_EVENT,
} from '../contracts/kiosk-channels.js';

const invokeOf = (key: KioskChannelKey) => (args?: unknown) =>
  args === undefined ? ipcRenderer.invoke(C[key]) : ipcRenderer.invoke(C[key], args);
// The channel table types each method (KioskApi); the IPC layer itself is untyped.
const calls = Object.fromEntries(
  (Object.keys(C) as KioskChannelKey[]).map((key) => [key, invokeOf(key)]),
) as Omit<KioskApi, 'onState'>;

const api = {
  ...calls,
  onState: (listener: (state: KioskState) => void) => {
    const handler = (_event: IpcRendererEvent, state: KioskState) => listener(state);
    ipcRenderer.on(KIOSK_STATE_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(KIOSK_STATE_EVENT, handler);
    };
  },
  cameraPushFrame: (jpeg: Uint8Array) => ipcRenderer.send(KIOSK_CAMERA_FRAME_CHANNEL, jpeg),
} satisfies KioskApi & KioskMediaApi;

contextBridge.exposeInMainWorld('rollcall', api);
