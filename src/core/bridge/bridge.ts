// The browser bridge: the headless kiosk serves the built renderer and the same typed
// KioskApi over HTTP on loopback only, so the real UI runs in a plain browser (DESIGN.md).
// Everything but the static UI and /healthz needs the per-launch token (access-token.ts).
//   POST /api/<channel key>   JSON body = the channel's argument (or null) → Result JSON
//   GET  /api/events          Server-Sent Events, `event: state`, current state first (token
//                             in the header or `?token=`: EventSource cannot set headers)
//   POST /api/camera/frame    image/jpeg body → kiosk.pushFrame (camera spec `push`)
//   GET  /frame.jpg?epoch=E&seq=N  the latest camera frame (preview; token as for events; no-store)
//   GET  /healthz             liveness for scripts (public)
//   GET  anything else        the renderer (out/renderer, public)
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { z } from 'zod';
import {
  KIOSK_API,
  takesArgs,
  KIOSK_CHANNELS,
  type KioskChannelKey,
  type KioskState,
  type Result,
} from '../../contracts/kiosk-api.js';
import { createAccessToken, presentedToken, redactToken, tokenedUrl, tokensMatch } from './access-token.js';
import { securityHeaders } from './csp.js';
import { isAllowedFetchSite, isAllowedHost, isAllowedOrigin, isLoopbackAddress } from './loopback-guard.js';
import { imageContentType, readStatic } from './static-files.js';

/** What the bridge needs of a kiosk; the core's Kiosk satisfies it structurally. */
export interface BridgeKiosk {
  handlers: Record<KioskChannelKey, (rawArgs: unknown) => Promise<Result<unknown>>>;
  subscribe(listener: (state: KioskState) => void): () => void;
  pushFrame(jpegOrPng: Uint8Array): void;
  /** The latest camera frame, encoded; absent in cores without a preview. */
  latestFrame?(): { seq: number; epoch?: string; data: Uint8Array } | null;
}

export interface BridgeOptions {
  kiosk: BridgeKiosk;
  /** 0 picks a free port (tests); the kiosk CLI uses a fixed one. */
  port: number;
  /** The built renderer, usually out/renderer. */
  staticDir: string;
  logger?: Logger;
  /** Loopback only; any other address is refused. */
  host?: '127.0.0.1' | '::1';
  /** Every this many ms an SSE comment keeps proxies and the browser from timing out. */
  heartbeatMs?: number;
}

export interface Bridge {
  /** The URL to open: the origin with the access token in its fragment (`/#token=…`). */
  url: string;
  /** `http://127.0.0.1:<port>/`, without the token: for logs and for building paths. */
  origin: string;
  port: number;
  /** This launch's access token; send it as `Authorization: Bearer <token>`. */
  token: string;
  close(): Promise<void>;
}

export const MAX_JSON_BODY = 64 * 1024;
export const MAX_FRAME_BODY = 8 * 1024 * 1024;

const ChannelKey = z.enum(Object.keys(KIOSK_CHANNELS) as [KioskChannelKey, ...KioskChannelKey[]]);

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Routes that need the token; the UI's own files and /healthz stay public. */
const isProtectedPath = (path: string) => path.startsWith('/api/') || path === '/frame.jpg';
/** Routes a browser fetches without script control over headers (EventSource, <img>). */
const acceptsQueryToken = (path: string, method: string) =>
  method === 'GET' && (path === '/api/events' || path === '/frame.jpg');
const BEARER_CHALLENGE = { 'www-authenticate': 'Bearer realm="rollcall-kiosk"' };

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      reject(new HttpError(413, 'too_large', `body over ${limit} bytes`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, 'too_large', `body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolvePromise(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...securityHeaders(),
    ...extraHeaders,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(text);
}

const fail = (code: string, message: string): Result<never> => ({ ok: false, error: { code, message } });

function parseArgs(key: KioskChannelKey, raw: Buffer): unknown {
  let json: unknown = null;
  if (raw.length > 0) {
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpError(400, 'bad_json', 'body is not JSON');
    }
  }
  const schema: z.ZodTypeAny = KIOSK_API[key].args;
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpError(
      400,
      'bad_request',
      `${key}: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid body'}`,
    );
  }
  // The handler parses again (it is the core's receiving side); it gets the raw JSON so
  // defaults and refinements stay the core's business.
  return takesArgs(key) ? json : undefined;
}

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const { kiosk, staticDir } = options;
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackAddress(host)) throw new Error(`the bridge binds to loopback only, not ${String(host)}`);
  const log = (options.logger ?? pino({ name: 'rollcall' })).child({ component: 'bridge' });
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const streams = new Set<ServerResponse>();
  const token = createAccessToken();
  let port = options.port;

  const requireToken = (req: IncomingMessage, url: URL, method: string) => {
    const presented = presentedToken(req.headers, url, acceptsQueryToken(url.pathname, method));
    if (presented.kind === 'none') {
      throw new HttpError(
        401,
        'unauthorized',
        'this kiosk bridge needs its access token: open the URL the kiosk printed (it ends in #token=…)',
        BEARER_CHALLENGE,
      );
    }
    if (!tokensMatch(presented.value, token)) {
      throw new HttpError(
        401,
        'unauthorized',
        'wrong access token (the kiosk makes a new one each start): open the URL it printed this time',
        BEARER_CHALLENGE,
      );
    }
  };

  const handleEvents = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      ...securityHeaders(),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('retry: 1000\n\n');
    const send = (state: KioskState) => res.write(`event: state\ndata: ${JSON.stringify(state)}\n\n`);
    streams.add(res);
    // The current state first, so a page that connects late misses nothing.
    void kiosk.handlers.getState(undefined).then((r) => {
      if (r.ok && !res.writableEnded) send(r.value as KioskState);
    });
    const unsubscribe = kiosk.subscribe((s) => {
      if (!res.writableEnded) send(s);
    });
    const beat = setInterval(() => res.write(': ping\n\n'), heartbeatMs);
    req.on('close', () => {
      clearInterval(beat);
      unsubscribe();
      streams.delete(res);
    });
  };

  const handleCall = async (key: KioskChannelKey, req: IncomingMessage, res: ServerResponse) => {
    const type = req.headers['content-type'] ?? '';
    // A cross-site <form> can only send form types; insisting on JSON closes that door.
    if (!type.toLowerCase().startsWith('application/json'))
      throw new HttpError(415, 'unsupported_type', 'send application/json');
    const args = parseArgs(key, await readBody(req, MAX_JSON_BODY));
    const handler = kiosk.handlers[key];
    let result: Result<unknown>;
    try {
      result = await handler(args);
    } catch (err) {
      log.error({ err, channel: key }, 'handler threw');
      throw new HttpError(500, 'internal', 'the kiosk failed to answer; see its log');
    }
    sendJson(res, 200, result);
  };

  const handleFrameUpload = async (req: IncomingMessage, res: ServerResponse) => {
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    if (type !== 'image/jpeg' && type !== 'image/png')
      throw new HttpError(415, 'unsupported_type', 'send image/jpeg or image/png');
    const body = await readBody(req, MAX_FRAME_BODY);
    if (body.length === 0) throw new HttpError(400, 'empty_frame', 'the frame is empty');
    kiosk.pushFrame(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
    res.writeHead(204, securityHeaders());
    res.end();
  };

  const handleFrame = (res: ServerResponse) => {
    const frame = kiosk.latestFrame?.() ?? null;
    if (!frame) throw new HttpError(404, 'no_frame', 'no camera frame yet');
    res.writeHead(200, {
      ...securityHeaders(),
      'content-type': imageContentType(frame.data),
      'cache-control': 'no-store',
      'x-frame-seq': String(frame.seq),
      ...(frame.epoch ? { 'x-frame-epoch': frame.epoch } : {}),
    });
    res.end(frame.data);
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    if (!isAllowedHost(req.headers.host, port))
      throw new HttpError(403, 'bad_host', 'only loopback hosts may use the kiosk bridge');
    const origin = req.headers.origin;
    if (
      !isAllowedOrigin(origin, port) ||
      !isAllowedFetchSite(req.headers['sec-fetch-site'] as string | undefined)
    ) {
      throw new HttpError(403, 'bad_origin', 'cross-origin requests are refused');
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (isProtectedPath(path)) requireToken(req, url, method);
    if (path === '/api/events' && method === 'GET') return handleEvents(req, res);
    if (path === '/api/camera/frame') {
      if (method !== 'POST') throw new HttpError(405, 'method', 'POST only');
      return handleFrameUpload(req, res);
    }
    if (path.startsWith('/api/')) {
      const key = ChannelKey.safeParse(path.slice('/api/'.length));
      if (!key.success) throw new HttpError(404, 'no_channel', `no kiosk channel ${path}`);
      if (method !== 'POST') throw new HttpError(405, 'method', 'POST only');
      return handleCall(key.data, req, res);
    }
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method', 'GET only');
    if (path === '/healthz') return sendJson(res, 200, { ok: true });
    if (path === '/frame.jpg') return handleFrame(res);
    const file = await readStatic(staticDir, path);
    if (!file) throw new HttpError(404, 'not_found', `no file ${path}`);
    res.writeHead(200, {
      ...securityHeaders(),
      'content-type': file.type,
      'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    res.end(method === 'HEAD' ? undefined : file.body);
  };

  const server: Server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const httpErr = err instanceof HttpError ? err : new HttpError(500, 'internal', 'internal error');
      const url = redactToken(req.url);
      if (!(err instanceof HttpError)) log.error({ err, url }, 'bridge request failed');
      else if (httpErr.status === 403 || httpErr.status === 401)
        log.warn({ host: req.headers.host, origin: req.headers.origin, url }, httpErr.message);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, httpErr.status, fail(httpErr.code, httpErr.message), httpErr.headers);
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://${host === '::1' ? '[::1]' : host}:${port}/`;
  // The token is not logged: whoever started the bridge prints `url` where it belongs.
  log.info({ url: origin, staticDir }, 'kiosk bridge listening');

  return {
    url: tokenedUrl(origin, token),
    origin,
    port,
    token,
    close: async () => {
      for (const s of streams) s.end();
      streams.clear();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}
