// Tokens: HS256 JWT access tokens (Node crypto, no extra dependency) and opaque random
// tokens (refresh tokens, device tokens, pairing codes) that the database stores only hashed.
import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const AccessClaims = z.object({
  sub: z.string(),
  role: z.enum(['admin', 'teacher']),
  email: z.string(),
  /**
   * The user's token_version at signing (migration 005); the auth hook refuses the token once
   * the row has moved on. Tokens signed before 005 lack it and count as 0, the version every
   * user started with, so they too stop working at the first bump.
   */
  ver: z.number().int().nonnegative().default(0),
  iat: z.number().int(),
  exp: z.number().int(),
  typ: z.literal('access'),
});
export type AccessClaims = z.infer<typeof AccessClaims>;

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');
const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

export function signAccessToken(
  secret: string,
  claims: Omit<AccessClaims, 'iat' | 'exp' | 'typ'>,
  ttlSeconds: number,
  nowMs: number = Date.now(),
): string {
  const iat = Math.floor(nowMs / 1000);
  const payload = b64url(JSON.stringify({ ...claims, iat, exp: iat + ttlSeconds, typ: 'access' }));
  const signature = createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest('base64url');
  return `${HEADER}.${payload}.${signature}`;
}

export type VerifyFailure = 'malformed' | 'bad_signature' | 'expired';

export function verifyAccessToken(
  secret: string,
  token: string,
  nowMs: number = Date.now(),
): { ok: true; claims: AccessClaims } | { ok: false; reason: VerifyFailure } {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [header, payload, signature] = parts as [string, string, string];
  // Only our own header is accepted: no algorithm negotiation ("alg": "none" and friends).
  if (header !== HEADER) return { ok: false, reason: 'malformed' };
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const claims = AccessClaims.safeParse(json);
  if (!claims.success) return { ok: false, reason: 'malformed' };
  if (claims.data.exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims: claims.data };
}

/** 256 bits, URL-safe: refresh and device tokens. */
export const randomToken = (): string => randomBytes(32).toString('base64url');

/** High-entropy tokens need no salt or slow hash: SHA-256 is enough to make a stolen table useless. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

// No 0/O, 1/I/L: codes are typed by hand at the kiosk.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const PAIRING_CODE_LENGTH = 8;

export function pairingCode(): string {
  let code = '';
  for (let i = 0; i < PAIRING_CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** Codes are short (~40 bits), so they are HMAC'd with the server secret: a leaked table cannot be brute-forced offline. */
export function hashPairingCode(secret: string, code: string): string {
  const normalised = code.toUpperCase().replace(/[\s-]/g, '');
  return createHmac('sha256', secret).update(`pairing:${normalised}`).digest('base64url');
}
