// IPC channel names of the kiosk API (`domain:action`). No zod here: the sandboxed preload
// imports only this module. kiosk-api.ts re-exports everything, so import from either.
export const KIOSK_CHANNELS = {
  getState: 'kiosk:getState',
  adminUnlock: 'admin:unlock',
  adminLock: 'admin:lock',
  adminStatus: 'admin:status',
  adminChangePin: 'admin:changePin',
  appQuit: 'app:quit',
  rosterList: 'roster:list',
  logToday: 'log:today',
  markManual: 'log:markManual',
  markUndo: 'log:undo',
  enrolStart: 'enrol:start',
  enrolStatus: 'enrol:status',
  enrolCancel: 'enrol:cancel',
  syncNow: 'sync:now',
  syncHistory: 'sync:history',
  pair: 'sync:pair',
  settingsGet: 'settings:get',
  settingsUpdate: 'settings:update',
  cameraReport: 'camera:report',
} as const;
export const KIOSK_STATE_EVENT = 'kiosk:state';
/** Camera frames pushed by the page (camera spec `push`), see kiosk-api.ts. Added for the UI. */
export const KIOSK_CAMERA_FRAME_CHANNEL = 'camera:frame';
