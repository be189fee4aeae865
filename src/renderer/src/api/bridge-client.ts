// The browser-side half of the localhost bridge (src/core/bridge): the same KioskApi over
// fetch + Server-Sent Events, used when there is no Electron preload (window.rollcall).
// Every request carries the bridge's per-launch token (bridge-token.ts): as a Bearer header
// where the page controls headers, as `?token=` for EventSource and the preview <img>.
import { createCheckedApi, type UiApi } from './checked-api.js';
import type { KioskChannelKey } from '../../../contracts/kiosk-api.js';
import { previewPath } from './preview-path.js';

/** Paths shared with src/core/bridge/routes.ts (kept as literals: the renderer imports no Node code). */
export const bridgePaths = {
  call: (key: KioskChannelKey) => `api/${key}`,
  events: 'api/events',
  cameraFrame: 'api/camera/frame',
  /** Query parameter the bridge accepts on its GET routes that cannot carry a header. */
  tokenQuery: 'token',
} as const;

export interface BridgeDeps {
  fetch: typeof fetch;
  EventSource: new (url: string) => Pick<EventSource, 'addEventListener' | 'close'>;
}

export interface BridgeClientOptions {
  /** The bridge's access token; null sends none, and the bridge answers `unauthorized`. */
  token: string | null;
  onInvalidState?: (issue: string) => void;
}

export function createBridgeClient(
  baseUrl: string,
  deps: BridgeDeps,
  { token, onInvalidState }: BridgeClientOptions,
): UiApi {
  const url = (path: string) => new URL(path, baseUrl).toString();
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const withTokenQuery = (path: string) => {
    if (!token) return path;
    const [route = '', query = ''] = path.split('?', 2);
    const params = new URLSearchParams(query);
    params.set(bridgePaths.tokenQuery, token);
    return `${route}?${params.toString()}`;
  };
  const invoke = async (key: KioskChannelKey, args?: unknown): Promise<unknown> => {
    const res = await deps.fetch(url(bridgePaths.call(key)), {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(args === undefined ? null : args),
    });
    const text = await res.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return {
        ok: false,
        error: { code: `http_${res.status}`, message: text.slice(0, 200) || res.statusText },
      };
    }
  };
  // One EventSource per subscriber: the kiosk has one or two screens listening, and each
  // gets the current state first (the bridge sends it on connect), so nothing is missed.
  const subscribe = (listener: (raw: unknown) => void) => {
    const source = new deps.EventSource(url(withTokenQuery(bridgePaths.events)));
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
      .fetch(url(bridgePaths.cameraFrame), {
        method: 'POST',
        headers: { ...auth, 'content-type': 'image/jpeg' },
        body: jpeg as Uint8Array<ArrayBuffer>,
      })
      .catch(() => undefined)
      .finally(() => {
        inFlight = false;
      });
  };
  // Relative like FRAME_PREVIEW_PATH itself, so the <img> stays on the page's own origin.
  const framePreviewUrl = (seq: number, epoch?: string) => withTokenQuery(previewPath(seq, epoch));
  return createCheckedApi(invoke, subscribe, { cameraPushFrame, framePreviewUrl }, onInvalidState);
}
