// Changing the admin PIN: the current PIN, then the new one twice (no current PIN when the
// session was opened with a recovery code: the admin forgot it). The screen gives live
// feedback from the shared policy (contracts/pin-policy.ts) but the core decides: it checks
// the current PIN against the same lockout as the unlock screen and answers a sentence.
import { useState } from 'react';
import {
  ADMIN_PIN_MAX_LENGTH,
  ADMIN_PIN_MIN_LENGTH,
  adminPinProblem,
} from '../../../contracts/pin-policy.js';
import type { UiApi } from '../api/checked-api.js';

interface Props {
  api: UiApi;
  factoryPin: boolean;
  /** Opened with a one-time recovery code: set a new PIN without the current one. */
  recovery?: boolean;
  /** The PIN was changed (the admin area drops its factory-PIN prompt). */
  onChanged: () => void;
  /** Too many wrong current PINs: the core closed the admin session. */
  onLockedOut: (message: string) => void;
}

const digitsOnly = (v: string) => v.replace(/\D/g, '').slice(0, ADMIN_PIN_MAX_LENGTH);

function PinField({
  label,
  value,
  onChange,
  testId,
  disabled,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  testId: string;
  disabled: boolean;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        className="input pin-field"
        type="password"
        inputMode="numeric"
        autoComplete="off"
        value={value}
        onChange={(e) => onChange(digitsOnly(e.target.value))}
        // Read-only while a change is in flight: its answer clears the fields, which would wipe
        // digits typed meanwhile.
        disabled={disabled}
        data-testid={testId}
      />
    </label>
  );
}

export function PinPanel({ api, factoryPin, recovery = false, onChanged, onLockedOut }: Props) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  // Feedback while typing, once there is enough to judge; the core's answer replaces it on submit.
  const nextProblem = next.length >= ADMIN_PIN_MIN_LENGTH ? adminPinProblem(next) : null;
  const mismatch = again.length >= next.length && again.length > 0 && again !== next;
  const hint = error ?? nextProblem ?? (mismatch ? 'The two new PINs are not the same.' : null);

  const edit = (set: (v: string) => void) => (v: string) => {
    set(v);
    setError(null);
    setNote(null);
  };

  const submit = async () => {
    if (busy) return;
    setBusy(true);
    const r = await api.adminChangePin(
      recovery
        ? { newPin: next, confirmPin: again }
        : { currentPin: current, newPin: next, confirmPin: again },
    );
    setBusy(false);
    // Nothing typed is kept after a try, right or wrong.
    setCurrent('');
    if (!r.ok) {
      if (r.error.code === 'pin_locked_out') {
        onLockedOut(r.error.message);
        return;
      }
      setError(r.error.message);
      return;
    }
    setNext('');
    setAgain('');
    setNote('PIN changed. Use the new PIN next time you open the admin area.');
    onChanged();
  };

  return (
    <section className="panel" data-panel="pin" data-app-state="ready">
      <h2>Admin PIN</h2>
      {recovery && (
        <div className="notice notice--warn" role="status" data-testid="pin-recovery-notice">
          <span>
            <strong>Opened with a recovery code.</strong> The code is now used up. Set a new PIN before you
            leave: the old PIN is not needed.
          </span>
        </div>
      )}
      <p className="muted">
        {factoryPin
          ? 'This kiosk still uses the factory PIN. Choose your own so only staff can open the admin area.'
          : 'Change the PIN that opens this admin area.'}{' '}
        {ADMIN_PIN_MIN_LENGTH}–{ADMIN_PIN_MAX_LENGTH} digits; not one digit repeated, not a run like 123456,
        not a repeated group like 121212.
      </p>
      <form
        className="settings"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {!recovery && (
          <PinField
            label="Current PIN"
            value={current}
            onChange={edit(setCurrent)}
            testId="pin-current"
            disabled={busy}
          />
        )}
        <PinField label="New PIN" value={next} onChange={edit(setNext)} testId="pin-new" disabled={busy} />
        <PinField
          label="New PIN again"
          value={again}
          onChange={edit(setAgain)}
          testId="pin-confirm"
          disabled={busy}
        />
        <div className="row">
          <button
            type="submit"
            className="btn btn--primary"
            data-testid="pin-change"
            disabled={busy || (!recovery && current.length < 4) || next.length === 0 || again.length === 0}
          >
            Change PIN
          </button>
        </div>
        {hint && (
          <p className="error" role="alert" data-testid="pin-change-error">
            {hint}
          </p>
        )}
        {note && !hint && (
          <p className="ok" data-testid="pin-change-ok">
            {note}
          </p>
        )}
      </form>
    </section>
  );
}
