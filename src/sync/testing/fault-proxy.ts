// A small HTTP proxy that puts faults between the kiosk and a REAL server, for the sync
// fault tests: refuse connections (server down), answer late (beyond the client timeout),
// answer 500 or 429 with Retry-After, cut the connection while the body is still being
// sent, or forward the request and cut the connection after the server has committed it
// (the kiosk never sees the acknowledgement).
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'delay'; ms: number }
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  | { kind: 'cut-mid-body' }
  | { kind: 'cut-after-commit' };

export interface FaultProxy {
  url: string;
  /** Faults applied, in order, to the next requests whose path starts with `pathPrefix`. */
  inject(pathPrefix: string, ...faults: Fault[]): void;
  /** While down, every connection is reset at once (like a dead server). */
  setDown(down: boolean): void;
  /** Requests seen per path, with the fault applied (or 'pass'). */
  log: { method: string; path: string; fault: string }[];
  close(): Promise<void>;
}

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const queue: { prefix: string; fault: Fault }[] = [];
  const log: FaultProxy['log'] = [];
  let down = false;

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, cutAfter: boolean) => {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          if (cutAfter) {
            req.socket.destroy(); // the server committed; the kiosk never hears about it
            return;
          }
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(Buffer.concat(chunks));
        });
      },
    );
    upstream.on('error', () => req.socket.destroy());
    upstream.end(body);
  };

  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (down) {
      log.push({ method: req.method ?? '', path, fault: 'down' });
      req.socket.destroy();
      return;
    }
    const i = queue.findIndex((q) => path.startsWith(q.prefix));
    const fault = i >= 0 ? queue.splice(i, 1)[0]?.fault : undefined;
    log.push({ method: req.method ?? '', path, fault: fault?.kind ?? 'pass' });
    if (fault?.kind === 'cut-mid-body') {
      req.once('data', () => req.socket.destroy());
      req.once('end', () => req.socket.destroy());
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (!fault) return forward(req, res, body, false);
      switch (fault.kind) {
        case 'delay':
          setTimeout(() => forward(req, res, body, false), fault.ms);
          return;
        case 'status':
          res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
          res.end(JSON.stringify(fault.body ?? { error: 'injected', message: `injected ${fault.status}` }));
          return;
        case 'cut-after-commit':
          forward(req, res, body, true);
          return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    inject: (prefix, ...faults) => queue.push(...faults.map((fault) => ({ prefix, fault }))),
    setDown: (d) => {
      down = d;
    },
    log,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
