// The admin PIN: scrypt-hashed with a per-PIN salt, compared in constant time, and locked
// out after repeated failures so a passer-by cannot brute-force it at the door. Each lockout
// in a row is longer than the last (5 min, 15 min, 1 h, 4 h, then 24 h each): ~25 guesses in
// the first day and 5 a day after, instead of 1,440 a day. The count is stored, so pulling the
// plug does not reset it. A server-issued recovery code still opens a locked kiosk, so a
// passer-by typing wrong PINs cannot keep the admin out for good.
import type Database from 'better-sqlite3';
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * The PIN a kiosk gets on first run when none is given (`adminPin`, `--admin-pin`). It is
 * public (it is in the docs), so the admin area asks for a new one while it is still set.
 */
export const DEFAULT_ADMIN_PIN = '1234';
export const PIN_MAX_FAILURES = 5;
/** Length of the 1st, 2nd, … lockout in a row; the last one repeats. */
export const PIN_LOCKOUT_STEPS_MS = [
  5 * 60_000,
  15 * 60_000,
  60 * 60_000,
  4 * 60 * 60_000,
  24 * 60 * 60_000,
] as const;
/** The first lockout. */
export const PIN_LOCKOUT_MS = PIN_LOCKOUT_STEPS_MS[0];
const lockoutMs = (nth: number) =>
  PIN_LOCKOUT_STEPS_MS[Math.min(nth, PIN_LOCKOUT_STEPS_MS.length) - 1] ?? PIN_LOCKOUT_MS;

/** `via`: what opened it, the PIN or a one-time recovery code (see verify's `alternative`). */
export type UnlockResult =
  | { unlocked: true; lockedUntil: null; via: 'pin' | 'recovery' }
  | { unlocked: false; lockedUntil: string | null };

const hashPin = (pin: string, salt: Buffer) => scryptSync(pin, salt, 32, { N: 16384, r: 8, p: 1 });

export function createAdminPinRepo(db: Database.Database, now: () => Date) {
  const get = db.prepare('SELECT salt, hash, failures, locked_until, lockouts FROM admin_pin WHERE id = 1');
  const set = db.prepare(
    `INSERT INTO admin_pin (id, salt, hash, failures, locked_until, lockouts) VALUES (1, ?, ?, 0, NULL, 0)
     ON CONFLICT (id) DO UPDATE SET salt = excluded.salt, hash = excluded.hash, failures = 0, locked_until = NULL, lockouts = 0`,
  );
  const setFailures = db.prepare(
    'UPDATE admin_pin SET failures = ?, locked_until = ?, lockouts = ? WHERE id = 1',
  );
  type Row = { salt: string; hash: string; failures: number; locked_until: string | null; lockouts: number };

  /** Whether `pin` is the stored PIN, without counting a failure (no lockout involved). */
  const matches = (row: Row, pin: string) =>
    timingSafeEqual(hashPin(pin, Buffer.from(row.salt, 'base64')), Buffer.from(row.hash, 'base64'));

  return {
    isSet: () => get.get() !== undefined,
    /**
     * The stored PIN is still the factory default. Checked against the hash (no flag to keep in
     * step), so an upgraded kiosk or `--admin-pin 1234` is caught too. Costs one scrypt.
     */
    isFactoryDefault(): boolean {
      const row = get.get() as Row | undefined;
      return row !== undefined && matches(row, DEFAULT_ADMIN_PIN);
    },
    /** When the current lockout ends (ISO), or null when the PIN is not locked out now. */
    lockedUntil(): string | null {
      const row = get.get() as Row | undefined;
      const until = row?.locked_until ?? null;
      return until !== null && new Date(until) > now() ? until : null;
    },
    setPin(pin: string) {
      const salt = randomBytes(16);
      set.run(salt.toString('base64'), hashPin(pin, salt).toString('base64'));
    },
    /**
     * One try at the admin area. `alternative` is a second secret that may open it (a recovery
     * code, which it burns when it matches). Outside a lockout a miss of both counts as one
     * failure. During a lockout the PIN is not even compared, but a recovery code (12 random
     * digits, one use, issued by a server admin) still opens it and ends the lockout.
     */
    verify(pin: string, alternative?: (input: string) => boolean): UnlockResult {
      const row = get.get() as Row | undefined;
      if (!row) return { unlocked: false, lockedUntil: null };
      const t = now();
      if (row.locked_until && new Date(row.locked_until) > t) {
        if (alternative?.(pin)) {
          setFailures.run(0, null, 0);
          return { unlocked: true, lockedUntil: null, via: 'recovery' };
        }
        return { unlocked: false, lockedUntil: row.locked_until };
      }
      const via = matches(row, pin) ? 'pin' : alternative?.(pin) ? 'recovery' : null;
      if (via) {
        setFailures.run(0, null, 0);
        return { unlocked: true, lockedUntil: null, via };
      }
      const failures = row.failures + 1;
      if (failures < PIN_MAX_FAILURES) {
        setFailures.run(failures, null, row.lockouts);
        return { unlocked: false, lockedUntil: null };
      }
      // After a lockout expires the counter restarts, so the next mistakes lock it again, longer.
      const lockouts = row.lockouts + 1;
      const lockedUntil = new Date(t.getTime() + lockoutMs(lockouts)).toISOString();
      setFailures.run(0, lockedUntil, lockouts);
      return { unlocked: false, lockedUntil };
    },
  };
}
export type AdminPinRepo = ReturnType<typeof createAdminPinRepo>;
