// The console's session: its refresh token lives in an httpOnly, SameSite=Strict cookie that
// page scripts cannot read, scoped to the session routes only (no other request carries it);
// the short-lived access token stays in the page's memory and goes out as a Bearer header.
// CSRF: the cookie routes also require a custom header, which a cross-site form cannot send
// and a cross-site script cannot add without a CORS preflight this server never allows.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { forbidden } from '../errors.js';

export const SESSION_COOKIE = 'rollcall_session';
export const SESSION_COOKIE_PATH = '/api/auth/session';
export const CSRF_HEADER = 'x-rollcall-console';

/** The value of one cookie of the request, or undefined. */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function cookie(request: FastifyRequest, value: string, maxAgeSeconds: number): string {
  const attrs = [
    `${SESSION_COOKIE}=${encodeURIComponent(value)}`,
    `Path=${SESSION_COOKIE_PATH}`,
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAgeSeconds}`,
  ];
  // Secure whenever the client reached us over TLS (directly or via a trusted proxy); a plain
  // http LAN install (`npm run server`) would otherwise never get its cookie back.
  if (request.protocol === 'https') attrs.push('Secure');
  return attrs.join('; ');
}

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  refreshToken: string,
  ttlDays: number,
): void {
  reply.header('set-cookie', cookie(request, refreshToken, ttlDays * 86_400));
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', cookie(request, '', 0));
}

/** onRequest hook of every cookie-authenticated route (checked before the body is read). */
export async function requireCsrfHeader(request: FastifyRequest): Promise<void> {
  if (request.headers[CSRF_HEADER] !== '1')
    throw forbidden(`Missing the ${CSRF_HEADER}: 1 header (console requests only)`, 'csrf_header_missing');
}
