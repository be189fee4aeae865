import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  hashPairingCode,
  hashToken,
  pairingCode,
  randomToken,
  signAccessToken,
  verifyAccessToken,
} from './tokens.js';

const secret = 'a-test-secret-that-is-long-enough-123';
const claims = { sub: 'u1', role: 'teacher' as const, email: 't@school.example', ver: 3 };

describe('access tokens', () => {
  it('verify while fresh and expire after their ttl', () => {
    const now = Date.UTC(2026, 8, 7, 8, 0, 0);
    const token = signAccessToken(secret, claims, 900, now);
    expect(verifyAccessToken(secret, token, now + 899_000)).toMatchObject({
      ok: true,
      claims: { ...claims, typ: 'access' },
    });
    expect(verifyAccessToken(secret, token, now + 900_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('reject another secret, tampering, alg=none and garbage', () => {
    const token = signAccessToken(secret, claims, 900);
    expect(verifyAccessToken('another-secret-another-secret-another', token)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    const [h, p, sig] = token.split('.') as [string, string, string];
    const elevated = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), role: 'admin' }),
    ).toString('base64url');
    expect(verifyAccessToken(secret, `${h}.${elevated}.${sig}`)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect(verifyAccessToken(secret, `${none}.${p}.`)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyAccessToken(secret, 'not a token')).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('session version claim', () => {
  it('tokens signed before migration 005 (no `ver`) read as version 0', () => {
    const now = Date.UTC(2026, 8, 7, 8, 0, 0);
    const [header] = signAccessToken(secret, claims, 900, now).split('.') as [string];
    const iat = Math.floor(now / 1000);
    const payload = Buffer.from(
      JSON.stringify({
        sub: 'u1',
        role: 'teacher',
        email: 't@school.example',
        iat,
        exp: iat + 900,
        typ: 'access',
      }),
    ).toString('base64url');
    const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
    expect(verifyAccessToken(secret, `${header}.${payload}.${signature}`, now)).toMatchObject({
      ok: true,
      claims: { ver: 0 },
    });
  });

  it('a negative or fractional version is malformed', () => {
    for (const ver of [-1, 1.5]) {
      expect(verifyAccessToken(secret, signAccessToken(secret, { ...claims, ver }, 900))).toEqual({
        ok: false,
        reason: 'malformed',
      });
    }
  });
});

describe('opaque tokens and pairing codes', () => {
  it('are random, and hashed deterministically', () => {
    expect(randomToken()).not.toBe(randomToken());
    expect(randomToken().length).toBeGreaterThanOrEqual(43);
    const t = randomToken();
    expect(hashToken(t)).toBe(hashToken(t));
    expect(hashToken(t)).not.toContain(t);
  });

  it('pairing codes avoid look-alike characters and hash case- and dash-insensitively', () => {
    for (let i = 0; i < 50; i++) expect(pairingCode()).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/);
    expect(hashPairingCode(secret, 'ABCD-EFGH')).toBe(hashPairingCode(secret, 'abcdefgh'));
    expect(hashPairingCode(secret, 'ABCDEFGH')).not.toBe(
      hashPairingCode('another-secret-another-secret-another', 'ABCDEFGH'),
    );
  });
});
