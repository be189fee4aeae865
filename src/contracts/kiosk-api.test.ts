// The pairing arguments' optional server certificate fingerprint (SHA-256, as the server or
// `openssl x509 -fingerprint -sha256` prints it, or bare hex).
import { describe, expect, it } from 'vitest';
import { PairArgs } from './kiosk-api.js';

const base = { serverUrl: 'https://rollcall.school.example', code: 'ABCD-1234', name: 'Door kiosk' };
const hex = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'.repeat(2);
const colons = hex.toUpperCase().match(/../g)!.join(':');

describe('PairArgs.serverFingerprint', () => {
  it('is optional: without it the certificate is trusted on first contact', () => {
    expect(PairArgs.safeParse(base).success).toBe(true);
  });

  it('accepts 64 hex digits, with or without colons, in either case', () => {
    for (const serverFingerprint of [hex, hex.toUpperCase(), colons, colons.toLowerCase()])
      expect(PairArgs.safeParse({ ...base, serverFingerprint }).success, serverFingerprint).toBe(true);
  });

  it('refuses anything that is not a SHA-256 fingerprint', () => {
    for (const serverFingerprint of [
      '',
      hex.slice(0, 62), // 31 bytes
      `${hex}ab`, // 33 bytes
      hex.slice(0, 40), // a SHA-1 fingerprint
      `${hex.slice(0, 63)}g`,
      `${colons}:`,
      `:${colons}`,
      ` ${hex}`,
      colons.replace(/:/g, ' '),
    ]) {
      const parsed = PairArgs.safeParse({ ...base, serverFingerprint });
      expect(parsed.success, serverFingerprint).toBe(false);
      expect(parsed.error?.issues[0]?.message, serverFingerprint).toMatch(/SHA-256 fingerprint/);
    }
  });
});
