// The kiosk's copy of server-issued recovery codes: what a pull's offer does to it, and the
// hash check that must refuse anything but a well-formed, bounded scrypt hash.
import { randomBytes, randomUUID, scryptSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from './settings-defaults.js';
import { PIN_RECOVERY_MAX_SCRYPT } from '../../contracts/sync.js';
import { testClock } from '../testing/fixtures.js';
import { openKioskStore, type KioskStore } from './index.js';
import { PIN_MAX_FAILURES } from './admin-pin.js';
import { matchesScryptHash } from './pin-recovery.js';

const CODE = '204958173640';
/** The server's format (server/src/services/passwords.ts) with cheap parameters. */
const scryptHash = (code: string, N = 1024, r = 8, p = 1) => {
  const salt = randomBytes(16);
  return [
    'scrypt',
    N,
    r,
    p,
    salt.toString('base64url'),
    scryptSync(code, salt, 64, { N, r, p }).toString('base64url'),
  ].join('$');
};

const open: KioskStore[] = [];
afterEach(() => {
  while (open.length) open.pop()?.close();
});

function store() {
  const clock = testClock('2026-03-02T09:00:00Z');
  const s = openKioskStore({ file: ':memory:', defaultSettings: DEFAULT_SETTINGS, now: clock.now });
  open.push(s);
  return { repo: s.pinRecovery, clock };
}
const offer = (code = CODE, expiresAt = '2026-03-03T09:00:00.000Z') => ({
  id: randomUUID(),
  codeHash: scryptHash(code),
  expiresAt,
});

describe('kiosk PIN recovery store', () => {
  it('takes an offer, ignores a repeat, and burns the code once', () => {
    const { repo } = store();
    const o = offer();
    expect(repo.applyOffer(o)).toBe('received');
    expect(repo.applyOffer(o)).toBe('unchanged');
    expect(repo.consume('204958173641')).toBeNull();
    expect(repo.consume('2049')).toBeNull();
    expect(repo.consume(CODE)).toBe(o.id);
    expect(repo.consume(CODE)).toBeNull();
    expect(repo.pendingReports()).toEqual([{ id: o.id, used_at: '2026-03-02T09:00:00.000Z' }]);
    // The server still offers it until the report lands: it must not come back to life.
    expect(repo.applyOffer(o)).toBe('unchanged');
    repo.markReported(o.id);
    expect(repo.applyOffer(o)).toBe('unchanged');
    expect(repo.consume(CODE)).toBeNull();
  });

  it('an older server (no field) changes nothing; null drops an unused code; a new id replaces it', () => {
    const { repo } = store();
    const first = offer();
    repo.applyOffer(first);
    expect(repo.applyOffer(undefined)).toBe('unchanged');
    expect(repo.hasLive()).toBe(true);
    expect(repo.applyOffer(null)).toBe('withdrawn');
    expect(repo.hasLive()).toBe(false);
    repo.applyOffer(first);
    const second = offer('918273645501');
    expect(repo.applyOffer(second)).toBe('received');
    expect(repo.consume(CODE)).toBeNull();
    expect(repo.consume('918273645501')).toBe(second.id);
  });

  it('refuses an expired code by the kiosk clock', () => {
    const { repo, clock } = store();
    repo.applyOffer(offer(CODE, '2026-03-02T10:00:00.000Z'));
    clock.advance(60 * 60_000);
    expect(repo.hasLive()).toBe(false);
    expect(repo.consume(CODE)).toBeNull();
  });

  it('checks only well-formed hashes within the cost bounds', () => {
    expect(matchesScryptHash(CODE, scryptHash(CODE))).toBe(true);
    expect(matchesScryptHash(CODE, scryptHash('000000000000'))).toBe(false);
    const tooCostly = scryptHash(CODE).replace(/^scrypt\$\d+\$/, `scrypt$${PIN_RECOVERY_MAX_SCRYPT.N * 2}$`);
    expect(matchesScryptHash(CODE, tooCostly)).toBe(false);
    expect(matchesScryptHash(CODE, 'bcrypt$1$2$3$abc$def')).toBe(false);
    expect(matchesScryptHash(CODE, 'scrypt$1024$8$1$c2FsdA$')).toBe(false);
  });

  it('answers false, not a throw, for cost parameters within the bounds that scrypt itself refuses', () => {
    const valid = scryptHash(CODE);
    // N must be a power of two; p = 4 with N = 2, r = 1 needs more memory than N·r allows.
    for (const [N, r, p] of [
      [3, 8, 1],
      [2, 1, 4],
    ] as const) {
      expect(
        matchesScryptHash(CODE, valid.replace(/^scrypt\$\d+\$\d+\$\d+\$/, `scrypt$${N}$${r}$${p}$`)),
      ).toBe(false);
    }
  });

  it('a live code with such a hash still lets wrong 12-digit tries count toward the PIN lockout', () => {
    const clock = testClock('2026-03-02T09:00:00Z');
    const s = openKioskStore({ file: ':memory:', defaultSettings: DEFAULT_SETTINGS, now: clock.now });
    open.push(s);
    s.pin.setPin('480317');
    s.pinRecovery.applyOffer({
      ...offer(),
      codeHash: scryptHash(CODE).replace(/^scrypt\$\d+\$/, 'scrypt$3$'),
    });
    let last: ReturnType<typeof s.pin.verify> = { unlocked: false, lockedUntil: null };
    for (let i = 0; i < PIN_MAX_FAILURES; i++)
      last = s.pin.verify(`99999999999${i}`, (input) => s.pinRecovery.consume(input) !== null);
    expect(last.lockedUntil).not.toBeNull();
  });
});
