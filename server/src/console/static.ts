// Serves the built staff console (server/console, `npm run build:console`) at `/`: same
// origin as the API, so no CORS and the session cookie can be SameSite=Strict. The console's
// own strict CSP replaces helmet's default on these responses (no inline script or style, no
// eval, connections only to this origin). Hash routing (`/#/today`) means one index.html and
// hashed assets, registered file by file: `/api/...` and `/docs` are untouched, and unknown
// paths still get the API's JSON 404.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build:console` writes the console (relative to this file: server/src/console). */
export const DEFAULT_CONSOLE_DIR = resolve(import.meta.dirname, '..', '..', '..', 'out', 'console');

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Rollcall console not built</title></head>
<body><h1>The staff console is not built</h1><p>Run <code>npm run build:console</code> (or start the server with <code>npm run server</code>, which builds it when missing), then reload.</p></body></html>`;

export interface ConsoleStaticOptions {
  /** The built console; null or a missing folder answers `/` with a 503 page that says how to build it. */
  dir: string | null;
}

/** Not wrapped in fastify-plugin: the CSP hook must stay inside this context. */
export default async function consoleStatic(app: FastifyInstance, opts: ConsoleStaticOptions): Promise<void> {
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('content-security-policy', CONSOLE_CSP);
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('referrer-policy', 'no-referrer');
  });
  const dir = opts.dir;
  if (dir === null || !existsSync(join(dir, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    setHeaders(reply, path) {
      // Vite names assets by content hash: cache them for good; index.html must be revalidated.
      reply.header(
        'cache-control',
        path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
      );
    },
  });
}
