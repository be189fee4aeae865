// The kiosk core's public entry: what Electron's main process, the browser bridge and the
// headless runner use.
export { createKiosk, DEFAULT_ADMIN_PIN, APP_VERSION, ADMIN_IDLE_MS } from './kiosk.js';
export type { Kiosk, KioskOptions, KioskRuntime, KioskStats } from './kiosk.js';
export type { KioskHandlers } from './handlers.js';
export { parseCameraSpec, CameraSpecError } from './camera/index.js';
export type { Decision } from './attendance/engine.js';
