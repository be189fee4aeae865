// Admin-PIN recovery codes issued on the server for this kiosk. The server sends only a scrypt
// hash (its password format, server/src/services/passwords.ts); the admin types the code on
// the PIN pad. A code works once and only before it expires; a newer code replaces an unused
// one; a used code is reported to the server by sync (pendingReports → markReported).
import type Database from 'better-sqlite3';
import { scryptSync, timingSafeEqual } from 'node:crypto';
import {
  PIN_RECOVERY_CODE_DIGITS,
  PIN_RECOVERY_MAX_SCRYPT,
  type PinRecoveryOffer,
} from '../../contracts/sync.js';

/**
 * Whether `code` matches a `scrypt$N$r$p$salt$hash` string. False (never a throw) for a
 * malformed hash or cost parameters above PIN_RECOVERY_MAX_SCRYPT.
 */
export function matchesScryptHash(code: string, stored: string): boolean {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const max = PIN_RECOVERY_MAX_SCRYPT;
  if (![N, r, p].every((v) => Number.isInteger(v) && v > 0) || N > max.N || r > max.r || p > max.p)
    return false;
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  if (expected.length < 16) return false;
  let actual: Buffer;
  try {
    actual = scryptSync(code.normalize('NFKC'), Buffer.from(parts[4] ?? '', 'base64url'), expected.length, {
      N,
      r,
      p,
      maxmem: 256 * N * r,
    });
  } catch {
    // Parameters scrypt refuses (N not a power of two, p too large for N·r): no code matches.
    // A throw here would escape the unlock before the failure is counted (no lockout).
    return false;
  }
  return timingSafeEqual(actual, expected);
}

/** What a pull changed: for the sync history. */
export type OfferOutcome = 'unchanged' | 'received' | 'withdrawn';

export function createPinRecoveryRepo(db: Database.Database, now: () => Date) {
  type Row = {
    id: string;
    code_hash: string;
    expires_at: string;
    used_at: string | null;
    reported_at: string | null;
  };
  const byId = db.prepare('SELECT id FROM pin_recovery WHERE id = ?');
  const unused = db.prepare(
    'SELECT id, code_hash, expires_at, used_at, reported_at FROM pin_recovery WHERE used_at IS NULL',
  );
  const dropUnused = db.prepare('DELETE FROM pin_recovery WHERE used_at IS NULL');
  // Reported codes are only kept to recognise their id; one generation back is enough.
  const dropReported = db.prepare('DELETE FROM pin_recovery WHERE reported_at IS NOT NULL');
  const insert = db.prepare(
    'INSERT INTO pin_recovery (id, code_hash, expires_at, received_at) VALUES (?, ?, ?, ?)',
  );
  const burn = db.prepare('UPDATE pin_recovery SET used_at = ? WHERE id = ? AND used_at IS NULL');
  const pending = db.prepare(
    'SELECT id, used_at FROM pin_recovery WHERE used_at IS NOT NULL AND reported_at IS NULL ORDER BY used_at',
  );
  const reported = db.prepare('UPDATE pin_recovery SET reported_at = ? WHERE id = ?');

  /** The one code that may unlock now: unused and not expired by this kiosk's clock. */
  const live = (): Row | undefined =>
    (unused.all() as Row[]).find((r) => Date.parse(r.expires_at) > now().getTime());

  return {
    /**
     * The server's current offer from a pull: `null` says it has no live code for this kiosk
     * (used, expired), so an unused one here is dropped; `undefined` (an older server) changes
     * nothing. A new id replaces the unused code. Used codes stay until reported.
     */
    applyOffer(offer: PinRecoveryOffer | null | undefined): OfferOutcome {
      if (offer === undefined) return 'unchanged';
      return db.transaction((): OfferOutcome => {
        if (offer === null) return dropUnused.run().changes > 0 ? 'withdrawn' : 'unchanged';
        if (byId.get(offer.id)) return 'unchanged';
        dropUnused.run();
        dropReported.run();
        insert.run(offer.id, offer.codeHash, offer.expiresAt, now().toISOString());
        return 'received';
      })();
    },
    /** Whether a live code waits (the PIN pad mentions recovery codes either way). */
    hasLive: () => live() !== undefined,
    /**
     * Burns the live code when `input` is it, and answers its id; null otherwise. Only inputs
     * of the code's length cost a hash, so ordinary PIN typos stay fast.
     */
    consume(input: string): string | null {
      if (input.length !== PIN_RECOVERY_CODE_DIGITS) return null;
      const row = live();
      if (!row || !matchesScryptHash(input, row.code_hash)) return null;
      return burn.run(now().toISOString(), row.id).changes === 1 ? row.id : null;
    },
    pendingReports: () => pending.all() as { id: string; used_at: string }[],
    markReported: (id: string) => void reported.run(now().toISOString(), id),
  };
}
export type PinRecoveryRepo = ReturnType<typeof createPinRecoveryRepo>;
