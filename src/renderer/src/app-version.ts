// The version of Rollcall this kiosk runs, for an IT admin troubleshooting it (Admin → Sync).
// Set at build time from package.json (electron.vite.config.ts `define`), the same number the
// Electron shell reports; a page not built that way (unit tests) says so instead of guessing.
declare const __ROLLCALL_VERSION__: string | undefined;

export const APP_VERSION: string =
  typeof __ROLLCALL_VERSION__ === 'string' ? __ROLLCALL_VERSION__ : 'development build';
