// Serves the built renderer (out/renderer). Paths are resolved inside the folder and
// anything that escapes it is refused; unknown paths fall back to index.html (one-page app).
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.map': 'application/json',
};

export interface StaticFile {
  body: Buffer;
  type: string;
  /** Hashed assets never change; index.html must be re-read after an update. */
  immutable: boolean;
}

export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const base = resolve(root);
  const full = resolve(base, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`);
  return full === base || full.startsWith(base + sep) ? full : null;
}

export async function readStatic(root: string, urlPath: string): Promise<StaticFile | null> {
  const path = urlPath === '/' || urlPath === '' ? '/index.html' : urlPath;
  const full = resolveInside(root, path);
  if (!full) return null;
  try {
    return {
      body: await readFile(full),
      type: TYPES[extname(full)] ?? 'application/octet-stream',
      immutable: path.startsWith('/assets/'),
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'EISDIR')
      throw err;
    // Client-side routes and typos get the app; missing assets stay 404 so bugs show.
    if (extname(path) !== '') return null;
    return readStatic(root, '/index.html');
  }
}

/** Frames may be JPEG (cameras) or PNG (replayed files): label them by their magic bytes. */
export function imageContentType(b: Uint8Array): 'image/png' | 'image/jpeg' {
  return b.length > 4 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47
    ? 'image/png'
    : 'image/jpeg';
}
