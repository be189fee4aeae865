import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, hashPassword, verifyPassword } from './passwords.js';

describe('password hashing (scrypt)', () => {
  it('uses memory-hard default parameters, a salt, and verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(new RegExp(`^scrypt\\$${DEFAULT_SCRYPT.N}\\$8\\$1\\$`));
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterz', a)).toBe(false);
  });

  it('verifies hashes made with other parameters, and rejects malformed ones', async () => {
    const light = await hashPassword('pw-pw-pw-pw', { N: 1024, r: 8, p: 1 });
    expect(await verifyPassword('pw-pw-pw-pw', light)).toBe(true);
    expect(await verifyPassword('pw', 'bcrypt$whatever')).toBe(false);
    expect(await verifyPassword('pw', 'scrypt$x$8$1$abc$def')).toBe(false);
  });
});
