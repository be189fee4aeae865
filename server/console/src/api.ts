// The console's only door to the server: the documented JSON API, with the access token
// kept in this module's memory (never in storage a script could read later) and refreshed
// through the httpOnly session cookie. Every request to a cookie route carries the CSRF
// header the server demands.
import type { ErrorBody } from '../../../src/contracts/sync.js';
import type { ConsoleSession } from '../../src/schemas/console.js';

export const CSRF_HEADERS = { 'x-rollcall-console': '1' } as const;
export type SessionUser = ConsoleSession['user'];

/** A failed call with the server's ErrorBody (code, message, per-field issues). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: { path: string; message: string }[] = [],
    /** The whole answer, for the few refusals that carry more (a photo upload's `results`). */
    readonly body: unknown = undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Listener = (user: SessionUser | null) => void;

let access: { token: string; expiresAt: number } | null = null;
let user: SessionUser | null = null;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<Listener>();

function setSession(s: ConsoleSession | null): void {
  access = s ? { token: s.accessToken, expiresAt: Date.now() + s.expiresIn * 1000 } : null;
  const changed = (s?.user.id ?? null) !== (user?.id ?? null) || s?.user.role !== user?.role;
  user = s?.user ?? null;
  if (changed) for (const l of listeners) l(user);
}

export const currentUser = (): SessionUser | null => user;
export function onSessionChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: Partial<ErrorBody> = {};
  try {
    body = (await res.json()) as Partial<ErrorBody>;
  } catch {
    // not JSON (a proxy's page): the status says enough
  }
  return new ApiError(
    res.status,
    body.error ?? `http_${res.status}`,
    body.message ?? `The server answered ${res.status}`,
    body.issues ?? [],
    body,
  );
}

async function sessionCall(path: string, body?: unknown): Promise<ConsoleSession> {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { ...CSRF_HEADERS, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as ConsoleSession;
}

export async function signIn(email: string, password: string): Promise<SessionUser> {
  const s = await sessionCall('/api/auth/session', { email, password });
  setSession(s);
  return s.user;
}

/**
 * Runs `renew` while no other tab of this browser renews. Every renewal rotates the one session
 * cookie the tabs share, and a token sent twice ends the session (the server takes it for a stolen
 * copy): two tabs renewing at the same moment (restored together, or whose tokens expire
 * together) would sign the user out everywhere. Taking turns, the second tab sends the cookie the
 * first one got. Web Locks exist in secure contexts only (HTTPS, localhost); elsewhere the tabs
 * renew as they come, as before.
 */
async function oneTabAtATime<T>(renew: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  return locks ? await locks.request('rollcall-session-renewal', renew) : await renew();
}

/** Restores a session from the cookie (page load) or renews the access token; false = signed out. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= oneTabAtATime(() => sessionCall('/api/auth/session/refresh'))
    .then((s) => {
      setSession(s);
      return true;
    })
    .catch((err: unknown) => {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
        setSession(null);
        return false;
      }
      throw err;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

export async function signOut(): Promise<void> {
  try {
    await fetch('/api/auth/session/logout', {
      method: 'POST',
      credentials: 'same-origin',
      headers: CSRF_HEADERS,
    });
  } finally {
    setSession(null);
  }
}

/** Changes the password: every other session ends; this one continues with a new cookie. */
export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  const token = await accessToken();
  const res = await fetch('/api/auth/session/password', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { ...CSRF_HEADERS, 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ currentPassword, newPassword }),
  });
  if (!res.ok) throw await errorOf(res);
  setSession((await res.json()) as ConsoleSession);
}

/** A valid access token, renewed when it is about to expire. */
export async function accessToken(): Promise<string> {
  if (!access || access.expiresAt - Date.now() < 30_000) {
    if (!(await refreshSession()))
      throw new ApiError(401, 'signed_out', 'Your session has ended; sign in again');
  }
  if (!access) throw new ApiError(401, 'signed_out', 'Your session has ended; sign in again');
  return access.token;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Authenticated fetch: refreshes once on an expired token; a revoked session signs out. */
export async function authFetch(path: string, init: RequestInit = {}): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const token = await accessToken();
    const res = await fetch(path, {
      ...init,
      credentials: 'same-origin',
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
    });
    if (res.status !== 401) return res;
    const err = await errorOf(res);
    if (err.code === 'token_expired' && attempt === 0) {
      access = null;
      continue;
    }
    if (err.code === 'session_revoked' || err.code === 'account_disabled' || err.code === 'token_expired')
      setSession(null);
    throw err;
  }
}

export async function api<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  opts: { query?: Query; body?: unknown } = {},
): Promise<T> {
  const res = await authFetch(withQuery(path, opts.query), {
    method,
    ...(opts.body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(opts.body) }),
  });
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** A GET answered as text (a CSV file the server makes), with the same errors as `api`. */
export async function apiText(path: string, query?: Query): Promise<string> {
  const res = await authFetch(withQuery(path, query));
  if (!res.ok) throw await errorOf(res);
  return res.text();
}

/** The server's page cap on the lists of what admins create (classes, rooms, sites, users, devices, …). */
export const LIST_PAGE = 500;

/** A capped list read page by page (`limit`/`offset`) until a short page: every row, in order. */
export async function apiAll<T>(path: string, query: Query = {}): Promise<T[]> {
  const rows: T[] = [];
  for (let offset = 0; ; offset += LIST_PAGE) {
    const page = await api<T[]>('GET', path, { query: { ...query, limit: LIST_PAGE, offset } });
    rows.push(...page);
    if (page.length < LIST_PAGE) return rows;
  }
}

/** Multipart upload (photos); the browser sets the boundary. */
export async function upload<T>(path: string, form: FormData): Promise<T> {
  const res = await authFetch(path, { method: 'POST', body: form });
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

/** Unauthenticated JSON POST (forgot / reset password). */
export async function publicPost<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { ...CSRF_HEADERS, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}
