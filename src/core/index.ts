// The kiosk core's public entry: what Electron's main process, the browser bridge and the
// headless runner use.
export { createKiosk, DEFAULT_ADMIN_PIN, APP_VERSION, ADMIN_IDLE_MS } from './kiosk';
export type { Kiosk, KioskOptions, KioskRuntime, KioskStats } from './kiosk';
export type { KioskHandlers } from './handlers';
export { parseCameraSpec, CameraSpecError } from './camera/index';
export type { Decision } from './attendance/engine';
