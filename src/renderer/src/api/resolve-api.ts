// Which transport this page runs on: Electron's preload exposes `window.rollcall`; a plain
// browser (the headless kiosk's bridge, the e2e suite) gets the fetch/SSE client instead.
import { createBridgeClient } from './bridge-client.js';
import { reloadOnNewToken, takeBridgeToken } from './bridge-token.js';
import { createCheckedApi, type UiApi } from './checked-api.js';
import type { KioskApi, KioskChannelKey, KioskMediaApi } from '../../../contracts/kiosk-api.js';

declare global {
  interface Window {
    rollcall?: KioskApi & KioskMediaApi;
  }
}

export function resolveApi(win: Window): UiApi {
  const preload = win.rollcall;
  if (!preload) {
    // The token goes out of the address bar before anything else reads the URL.
    const token = takeBridgeToken(win);
    reloadOnNewToken(win);
    return createBridgeClient(win.location.href, { fetch: win.fetch.bind(win), EventSource }, { token });
  }
  // The preload's answers cross a process boundary too: parse them like the bridge's.
  const invoke = (key: KioskChannelKey, args?: unknown): Promise<unknown> => {
    const method = preload[key] as (a?: unknown) => Promise<unknown>;
    return method(args);
  };
  const subscribe = (listener: (raw: unknown) => void) => preload.onState(listener);
  const extras: KioskMediaApi = preload.cameraPushFrame
    ? { cameraPushFrame: (jpeg) => preload.cameraPushFrame?.(jpeg) }
    : {};
  return createCheckedApi(invoke, subscribe, extras);
}
