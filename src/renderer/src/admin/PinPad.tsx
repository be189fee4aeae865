// PIN entry in front of the admin area. The core counts wrong PINs and decides the lockout;
// this screen only shows it (with a countdown) and never keeps the PIN after a try. A one-time
// recovery code from the server is typed here too (the core tells which one opened it).
import { useState } from 'react';
import type { UiApi } from '../api/checked-api.js';
import { useIdleTimeout, useNow } from '../hooks.js';
import { lockoutText } from '../view-model.js';
import { PIN_RECOVERY_CODE_DIGITS } from '../../../contracts/sync.js';
import { applyKey, Keypad, type KeypadKey } from './Keypad.js';

interface Props {
  api: UiApi;
  /** Shown until the first key press (e.g. why the admin area was just locked). */
  notice?: string | null;
  /**
   * The core's lockout (KioskState.pinLockedUntil), live: a pad opened during one shows the
   * countdown at once, not only after the next try.
   */
  coreLockedUntil?: string | null;
  /** `viaRecovery`: opened with a recovery code, so the admin must set a new PIN. */
  onUnlocked: (viaRecovery: boolean) => void;
  onCancel: () => void;
}

/** The later of two ISO times (either may be missing). */
function laterOf(a: string | null, b: string | null): string | null {
  if (a === null || b === null) return a ?? b;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/** Long enough for a recovery code, which is typed on the same pad. */
const MAX_DIGITS = 12;

/**
 * The pad goes back to the door after this long without a touch or a key. Anyone can open it
 * (a curious student, someone who gave up, a lockout's countdown): while it is up the door shows
 * no greeting, so students walking in would get no word of being marked for the rest of the day.
 */
export const PIN_IDLE_MS = 30_000;

export function PinPad({ api, notice = null, coreLockedUntil = null, onUnlocked, onCancel }: Props) {
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(notice);
  /** The lockout the last try answered; the core's own (`coreLockedUntil`) may come first. */
  const [triedUntil, setLockedUntil] = useState<string | null>(null);
  const now = useNow(1000);
  const lockedUntil = laterOf(triedUntil, coreLockedUntil);
  const locked = lockedUntil !== null && Date.parse(lockedUntil) > now;

  // Back to the door when nobody touches the pad (the core keeps any lockout; opened again, the pad shows it).
  useIdleTimeout(PIN_IDLE_MS, onCancel);

  const press = (k: KeypadKey) => {
    setMessage(null);
    setPin((p) => applyKey(p, k, MAX_DIGITS));
  };

  const submit = async () => {
    if (pin.length < 4 || busy) return;
    setBusy(true);
    const r = await api.adminUnlock({ pin });
    setBusy(false);
    setPin('');
    if (!r.ok) {
      setMessage(r.error.message);
      return;
    }
    if (r.value.unlocked) {
      onUnlocked(r.value.recovery);
      return;
    }
    setLockedUntil(r.value.lockedUntil);
    setMessage(
      r.value.lockedUntil
        ? null
        : pin.length === PIN_RECOVERY_CODE_DIGITS
          ? 'Wrong PIN or recovery code. Try again.'
          : 'Wrong PIN. Try again.',
    );
  };

  return (
    // One grid: stacked on tall screens; on short landscape panels (800×480) the keypad moves
    // beside the field so Unlock, Back, "Wrong PIN" and the lockout countdown stay on screen.
    <main className="pin" data-screen="pin" data-app-state="ready">
      <form
        className="pin__form"
        aria-labelledby="pin-title"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {/* Focus goes to the field (autoFocus), which this heading names through the form. */}
        <h1 className="pin__title" id="pin-title">
          Admin PIN
        </h1>
        <input
          className="pin__display"
          data-testid="pin-input"
          type="password"
          inputMode="numeric"
          autoComplete="off"
          aria-label="PIN"
          aria-describedby="pin-message"
          value={pin}
          disabled={locked}
          onChange={(e) => setPin(e.target.value.replace(/\D/g, '').slice(0, MAX_DIGITS))}
          autoFocus
        />
        <p className="pin__message" id="pin-message" role="alert" data-testid="pin-message">
          {locked && lockedUntil ? lockoutText(lockedUntil, now) : message}
        </p>
        <Keypad onKey={press} disabled={locked} />
        <div className="pin__actions">
          <button type="button" className="btn" onClick={onCancel}>
            Back to kiosk
          </button>
          <button
            type="submit"
            className="btn btn--primary"
            data-testid="pin-submit"
            disabled={locked || busy || pin.length < 4}
          >
            Unlock
          </button>
        </div>
        {/* Folded: the pad must fit a small screen, and students at the door need none of it. */}
        <details className="pin__help" data-testid="pin-recovery-help">
          <summary>Forgot the PIN?</summary>
          <p>
            Ask your IT admin for a one-time recovery code for this kiosk (they issue it on the Rollcall
            server). Type its {PIN_RECOVERY_CODE_DIGITS} digits here instead of the PIN: it opens the PIN
            settings to set a new one. The kiosk must be online to receive the code, so an offline kiosk
            cannot use one.
          </p>
        </details>
      </form>
    </main>
  );
}
