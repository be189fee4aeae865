// The bridge's per-launch secret. Loopback, Host and Origin checks keep web pages out, but
// not other local processes (another user's program on the kiosk PC): only the page opened
// from the URL the kiosk printed knows this token, so only it may use the API.
//   - the URL carries it in the fragment (`/#token=…`), which browsers never send, so it
//     stays out of request lines, access logs and Referer headers;
//   - the page sends it as `Authorization: Bearer …` on every call;
//   - EventSource and <img> cannot set headers, so the event stream and the frame preview
//     (both GET, both read-only) also accept `?token=…`; logged URLs are redacted.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** 256 bits: well above the 128 a guessed or brute-forced secret must resist. */
const TOKEN_BYTES = 32;
export const TOKEN_QUERY_PARAM = 'token';
export const TOKEN_FRAGMENT_PARAM = 'token';

export function createAccessToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** The base URL with the token in its fragment: what a person or a test browser opens. */
export function tokenedUrl(baseUrl: string, token: string): string {
  return `${baseUrl}#${TOKEN_FRAGMENT_PARAM}=${encodeURIComponent(token)}`;
}

/**
 * Constant-time comparison. Both sides are hashed first so they have equal length
 * (timingSafeEqual requires it) and the length of a wrong guess leaks nothing either.
 */
export function tokensMatch(presented: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

export type PresentedToken = { kind: 'none' } | { kind: 'token'; value: string };

/** The token a request presents: the Bearer header, or the query parameter where allowed. */
export function presentedToken(headers: IncomingHttpHeaders, url: URL, allowQuery: boolean): PresentedToken {
  const auth = headers.authorization;
  if (auth !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    // A malformed Authorization header is a wrong token, not a missing one.
    return { kind: 'token', value: match?.[1] ?? '' };
  }
  const fromQuery = allowQuery ? url.searchParams.get(TOKEN_QUERY_PARAM) : null;
  return fromQuery === null ? { kind: 'none' } : { kind: 'token', value: fromQuery };
}

/** A request URL safe to log: the token query parameter replaced. */
export function redactToken(rawUrl: string | undefined): string | undefined {
  if (rawUrl === undefined) return undefined;
  return rawUrl.replace(new RegExp(`([?&]${TOKEN_QUERY_PARAM}=)[^&#]*`, 'gi'), '$1[redacted]');
}
