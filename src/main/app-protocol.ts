// Serves the renderer and the camera preview on app://rollcall/ — our own origin, so the
// camera permission and the CSP have something precise to bind to (never file://).
import type { Protocol } from 'electron';
import { FRAME_PREVIEW_PATH } from '../contracts/kiosk-api.js';
import { securityHeaders } from '../core/bridge/csp.js';
import { imageContentType, readStatic } from '../core/bridge/static-files.js';
import { APP_HOST, APP_SCHEME } from './security-policy.js';

export interface FrameSource {
  latestFrame?(): { seq: number; epoch?: string; data: Uint8Array } | null;
}

export function serveAppProtocol(protocolApi: Protocol, rendererDir: string, frames: FrameSource): void {
  protocolApi.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('not found', { status: 404 });
    if (url.pathname === `/${FRAME_PREVIEW_PATH}`) {
      const frame = frames.latestFrame?.() ?? null;
      if (!frame) return new Response(null, { status: 404 });
      return new Response(Buffer.from(frame.data), {
        headers: {
          ...securityHeaders(),
          'content-type': imageContentType(frame.data),
          'cache-control': 'no-store',
        },
      });
    }
    const file = await readStatic(rendererDir, url.pathname);
    if (!file) return new Response('not found', { status: 404, headers: securityHeaders() });
    return new Response(file.body, { headers: { ...securityHeaders(), 'content-type': file.type } });
  });
}
