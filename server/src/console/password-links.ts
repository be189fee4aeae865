// One-time links to set a password (an invitation, "forgot password", an admin's reset),
// without a table: the token is signed (HMAC keyed by JWT_SECRET, with its own label so it can
// never pass as an access token) and carries a fingerprint of the user's current password
// hash and token_version. Setting the password changes both, so the link works once; it also
// dies when the user is disabled, their role changes or it expires.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { UserTable } from '../db/schema.js';

const LABEL = 'rollcall/password-link/v1';
const Claims = z.object({
  sub: z.string(),
  exp: z.number().int(),
  fp: z.string(),
  kind: z.enum(['invite', 'reset']),
});
export type PasswordLinkKind = z.infer<typeof Claims>['kind'];

/** Invitations may wait a week in an inbox; resets are for now. */
export const LINK_TTL_SECONDS: Record<PasswordLinkKind, number> = { invite: 7 * 86_400, reset: 3_600 };

const fingerprint = (user: Pick<UserTable, 'password_hash' | 'token_version'>) =>
  createHash('sha256')
    .update(`${user.password_hash}\n${user.token_version}`)
    .digest('base64url')
    .slice(0, 22);

const mac = (secret: string, payload: string) =>
  createHmac('sha256', secret).update(`${LABEL}.${payload}`).digest();

export function signPasswordLink(
  secret: string,
  user: Pick<UserTable, 'id' | 'password_hash' | 'token_version'>,
  kind: PasswordLinkKind,
  nowMs: number,
): string {
  const payload = Buffer.from(
    JSON.stringify({
      sub: user.id,
      exp: Math.floor(nowMs / 1000) + LINK_TTL_SECONDS[kind],
      fp: fingerprint(user),
      kind,
    }),
  ).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** The user id the token was issued for, if its signature is right and it has not expired (the fingerprint is checked by `stillValidFor`). */
export function readPasswordLink(
  secret: string,
  token: string,
  nowMs: number,
): { sub: string; fp: string; kind: PasswordLinkKind } | null {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return null;
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const claims = Claims.safeParse(json);
  if (!claims.success || claims.data.exp * 1000 <= nowMs) return null;
  return claims.data;
}

/** Whether the link still matches the user as they are now (not used, not disabled). */
export const stillValidFor = (
  claims: { fp: string },
  user: Pick<UserTable, 'password_hash' | 'token_version' | 'disabled'>,
) => user.disabled === 0 && claims.fp === fingerprint(user);
