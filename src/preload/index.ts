// The one bridge the renderer sees: `window.rollcall`, exactly the contract's KioskApi (plus
// the camera frame push). Each method invokes its own channel constant; there is no raw
// ipcRenderer and no generic invoke(channel). Answers are parsed again in the renderer.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { KioskApi, KioskMediaApi, KioskState } from '../contracts/kiosk-api';
import { KIOSK_CAMERA_FRAME_CHANNEL, KIOSK_CHANNELS as C, KIOSK_STATE_EVENT } from '../contracts/kiosk-channels';

const api = {
  getState: () => ipcRenderer.invoke(C.getState),
  onState: (listener: (state: KioskState) => void) => {
    const handler = (_event: IpcRendererEvent, state: KioskState) => listener(state);
    ipcRenderer.on(KIOSK_STATE_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(KIOSK_STATE_EVENT, handler);
    };
  },
  adminUnlock: (args) => ipcRenderer.invoke(C.adminUnlock, args),
  adminLock: () => ipcRenderer.invoke(C.adminLock),
  adminStatus: () => ipcRenderer.invoke(C.adminStatus),
  adminChangePin: (args) => ipcRenderer.invoke(C.adminChangePin, args),
  appQuit: (args) => ipcRenderer.invoke(C.appQuit, args),
  rosterList: (args) => ipcRenderer.invoke(C.rosterList, args),
  logToday: () => ipcRenderer.invoke(C.logToday),
  markManual: (args) => ipcRenderer.invoke(C.markManual, args),
  markUndo: (args) => ipcRenderer.invoke(C.markUndo, args),
  enrolStart: (args) => ipcRenderer.invoke(C.enrolStart, args),
  enrolStatus: () => ipcRenderer.invoke(C.enrolStatus),
  enrolCancel: () => ipcRenderer.invoke(C.enrolCancel),
  syncNow: () => ipcRenderer.invoke(C.syncNow),
  syncHistory: () => ipcRenderer.invoke(C.syncHistory),
  pair: (args) => ipcRenderer.invoke(C.pair, args),
  settingsGet: () => ipcRenderer.invoke(C.settingsGet),
  settingsUpdate: (args) => ipcRenderer.invoke(C.settingsUpdate, args),
  cameraPushFrame: (jpeg: Uint8Array) => ipcRenderer.send(KIOSK_CAMERA_FRAME_CHANNEL, jpeg),
} satisfies KioskApi & KioskMediaApi;

contextBridge.exposeInMainWorld('rollcall', api);
