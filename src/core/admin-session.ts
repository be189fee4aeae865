// The admin session at the door: unlocked by the PIN (or a server-issued recovery code),
// kept alive by each admin action, locked after ADMIN_IDLE_MS of idleness, at "lock" and
// after a quit. Times come from the kiosk's one clock.
import { KioskError } from './errors.js';

/** An unlocked admin session locks itself after this much idle time. */
export const ADMIN_IDLE_MS = 5 * 60_000;

export class AdminSession {
  private unlockedUntil = 0;
  /** The session was opened with a recovery code: the PIN may be changed without the current one. */
  private viaRecovery = false;
  /**
   * The session was opened with the factory PIN (it is in the docs): only "set a new PIN"
   * works (`require('pinChange')`) until one is set.
   */
  private viaFactoryPin = false;

  constructor(private readonly now: () => Date) {}

  get recovery(): boolean {
    return this.viaRecovery;
  }

  unlock(viaRecovery: boolean, viaFactoryPin = false): void {
    this.unlockedUntil = this.now().getTime() + ADMIN_IDLE_MS;
    this.viaRecovery = viaRecovery;
    this.viaFactoryPin = viaFactoryPin;
  }

  lock(): void {
    this.unlockedUntil = 0;
    this.viaRecovery = false;
    this.viaFactoryPin = false;
  }

  /** Ends the session but keeps a recovery flag as it is (the PIN counter locked the admin out). */
  expire(): void {
    this.unlockedUntil = 0;
  }

  /** The PIN was changed: a recovery or factory-PIN session becomes an ordinary one. */
  pinChanged(): void {
    this.viaRecovery = false;
    this.viaFactoryPin = false;
  }

  /**
   * Throws `locked` unless a session is open; an open one is kept alive by the call. `scope`
   * 'pinChange' is what a factory-PIN session may do (status, change PIN); anything else
   * throws `pin_change_required` until a new PIN is set.
   */
  require(scope: 'all' | 'pinChange' = 'all'): void {
    const t = this.now().getTime();
    if (t >= this.unlockedUntil) {
      this.viaRecovery = false; // a lapsed recovery session does not come back with the next PIN unlock
      this.viaFactoryPin = false;
      throw new KioskError('locked', 'Admin PIN required.');
    }
    if (this.viaFactoryPin && scope === 'all') {
      throw new KioskError(
        'pin_change_required',
        'This kiosk still uses the factory PIN. Set a new PIN first: nothing else in the admin area works until then.',
      );
    }
    this.unlockedUntil = t + ADMIN_IDLE_MS; // each admin action keeps the session alive
  }
}
