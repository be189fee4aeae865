// The browser-side half of the localhost bridge (src/core/bridge): the same KioskApi over
// fetch + Server-Sent Events, used when there is no Electron preload (window.rollcall).
import { createCheckedApi, type UiApi } from './checked-api';
import type { KioskChannelKey } from '../../../contracts/kiosk-api';

/** Paths shared with src/core/bridge/routes.ts (kept as literals: the renderer imports no Node code). */
export const bridgePaths = {
  call: (key: KioskChannelKey) => `api/${key}`,
  events: 'api/events',
  cameraFrame: 'api/camera/frame',
} as const;

export interface BridgeDeps {
  fetch: typeof fetch;
  EventSource: new (url: string) => Pick<EventSource, 'addEventListener' | 'close'>;
}

export function createBridgeClient(baseUrl: string, deps: BridgeDeps, onInvalidState?: (issue: string) => void): UiApi {
  const url = (path: string) => new URL(path, baseUrl).toString();
  const invoke = async (key: KioskChannelKey, args?: unknown): Promise<unknown> => {
    const res = await deps.fetch(url(bridgePaths.call(key)), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(args === undefined ? null : args),
    });
    const text = await res.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return { ok: false, error: { code: `http_${res.status}`, message: text.slice(0, 200) || res.statusText } };
    }
  };
  // One EventSource per subscriber: the kiosk has one or two screens listening, and each
  // gets the current state first (the bridge sends it on connect), so nothing is missed.
  const subscribe = (listener: (raw: unknown) => void) => {
    const source = new deps.EventSource(url(bridgePaths.events));
    source.addEventListener('state', (event) => {
      try {
        listener(JSON.parse((event as MessageEvent<string>).data) as unknown);
      } catch {
        onInvalidState?.('state event was not JSON');
      }
    });
    return () => source.close();
  };
  // At most one frame in flight: a camera should drop frames, never queue them.
  let inFlight = false;
  const cameraPushFrame = (jpeg: Uint8Array) => {
    if (inFlight) return;
    inFlight = true;
    void deps
      .fetch(url(bridgePaths.cameraFrame), { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: jpeg as Uint8Array<ArrayBuffer> })
      .catch(() => undefined)
      .finally(() => {
        inFlight = false;
      });
  };
  return createCheckedApi(invoke, subscribe, { cameraPushFrame }, onInvalidState);
}
