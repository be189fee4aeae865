// The admin PIN: scrypt-hashed with a per-PIN salt, compared in constant time, and locked
// out after repeated failures so a passer-by cannot brute-force a 4-digit PIN at the door.
import type Database from 'better-sqlite3';
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * The PIN a kiosk gets on first run when none is given (`adminPin`, `--admin-pin`). It is
 * public (it is in the docs), so the admin area asks for a new one while it is still set.
 */
export const DEFAULT_ADMIN_PIN = '1234';
export const PIN_MAX_FAILURES = 5;
export const PIN_LOCKOUT_MS = 5 * 60_000;

/** `via`: what opened it, the PIN or a one-time recovery code (see verify's `alternative`). */
export type UnlockResult = { unlocked: true; lockedUntil: null; via: 'pin' | 'recovery' } | { unlocked: false; lockedUntil: string | null };

const hashPin = (pin: string, salt: Buffer) => scryptSync(pin, salt, 32, { N: 16384, r: 8, p: 1 });

export function createAdminPinRepo(db: Database.Database, now: () => Date) {
  const get = db.prepare('SELECT salt, hash, failures, locked_until FROM admin_pin WHERE id = 1');
  const set = db.prepare(
    `INSERT INTO admin_pin (id, salt, hash, failures, locked_until) VALUES (1, ?, ?, 0, NULL)
     ON CONFLICT (id) DO UPDATE SET salt = excluded.salt, hash = excluded.hash, failures = 0, locked_until = NULL`,
  );
  const setFailures = db.prepare('UPDATE admin_pin SET failures = ?, locked_until = ? WHERE id = 1');
  type Row = { salt: string; hash: string; failures: number; locked_until: string | null };

  /** Whether `pin` is the stored PIN, without counting a failure (no lockout involved). */
  const matches = (row: Row, pin: string) => timingSafeEqual(hashPin(pin, Buffer.from(row.salt, 'base64')), Buffer.from(row.hash, 'base64'));

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
    setPin(pin: string) {
      const salt = randomBytes(16);
      set.run(salt.toString('base64'), hashPin(pin, salt).toString('base64'));
    },
    /**
     * One try at the admin area. `alternative` is a second secret that may open it (a recovery
     * code, which it burns when it matches): it is asked only outside a lockout, and a miss
     * of both counts as one failure, so recovery codes share the PIN's lockout.
     */
    verify(pin: string, alternative?: (input: string) => boolean): UnlockResult {
      const row = get.get() as Row | undefined;
      if (!row) return { unlocked: false, lockedUntil: null };
      const t = now();
      if (row.locked_until && new Date(row.locked_until) > t) return { unlocked: false, lockedUntil: row.locked_until };
      const via = matches(row, pin) ? 'pin' : alternative?.(pin) ? 'recovery' : null;
      if (via) {
        setFailures.run(0, null);
        return { unlocked: true, lockedUntil: null, via };
      }
      const failures = row.failures + 1;
      const lockedUntil = failures >= PIN_MAX_FAILURES ? new Date(t.getTime() + PIN_LOCKOUT_MS).toISOString() : null;
      // After a lockout expires the counter restarts, so the next mistakes lock it again.
      setFailures.run(lockedUntil ? 0 : failures, lockedUntil);
      return { unlocked: false, lockedUntil };
    },
  };
}
export type AdminPinRepo = ReturnType<typeof createAdminPinRepo>;
