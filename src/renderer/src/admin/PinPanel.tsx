// Changing the admin PIN: the current PIN, then the new one twice (no current PIN when the
// session was opened with a recovery code: the admin forgot it). The screen gives live
// feedback from the shared policy (contracts/pin-policy.ts) but the core decides: it checks
// the current PIN against the same lockout as the unlock screen and answers a sentence.
// A touch kiosk has no keyboard: the on-screen keypad types into the chosen field (tap a field
// to choose it); a hardware keyboard types into the focused one as usual.
import { useState } from 'react';
import {
  ADMIN_PIN_MAX_LENGTH,
  ADMIN_PIN_MIN_LENGTH,
  adminPinProblem,
} from '../../../contracts/pin-policy.js';
import type { UiApi } from '../api/checked-api.js';
import { applyKey, Keypad, type KeypadKey } from './Keypad.js';

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

type FieldName = 'current' | 'next' | 'again';
const TEST_IDS: Record<FieldName, string> = { current: 'pin-current', next: 'pin-new', again: 'pin-confirm' };
const LABELS: Record<FieldName, string> = {
  current: 'Current PIN',
  next: 'New PIN',
  again: 'New PIN again',
};

function PinField({
  name,
  value,
  onChange,
  active,
  onActivate,
  disabled,
}: {
  name: FieldName;
  value: string;
  onChange: (v: string) => void;
  /** The field the on-screen keypad types into. */
  active: boolean;
  onActivate: () => void;
  disabled: boolean;
}) {
  return (
    <label className="field">
      <span>{LABELS[name]}</span>
      <input
        className={`input pin-field${active ? ' pin-field--active' : ''}`}
        type="password"
        inputMode="numeric"
        autoComplete="off"
        value={value}
        onFocus={onActivate}
        onChange={(e) => onChange(digitsOnly(e.target.value))}
        // Read-only while a change is in flight: its answer clears the fields, which would wipe
        // digits typed meanwhile.
        disabled={disabled}
        data-testid={TEST_IDS[name]}
        data-keypad-target={active ? 'yes' : 'no'}
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
  const first: FieldName = recovery ? 'next' : 'current';
  const [active, setActive] = useState<FieldName>(first);
  // A recovery session has no current-PIN field: never leave the keypad pointing at it.
  const target: FieldName = recovery && active === 'current' ? 'next' : active;

  // Feedback while typing, once there is enough to judge; the core's answer replaces it on submit.
  const nextProblem = next.length >= ADMIN_PIN_MIN_LENGTH ? adminPinProblem(next) : null;
  const mismatch = again.length >= next.length && again.length > 0 && again !== next;
  const hint = error ?? nextProblem ?? (mismatch ? 'The two new PINs are not the same.' : null);

  const edit = (set: (v: string) => void) => (v: string) => {
    set(v);
    setError(null);
    setNote(null);
  };

  const values: Record<FieldName, string> = { current, next, again };
  const setters: Record<FieldName, (v: string) => void> = {
    current: edit(setCurrent),
    next: edit(setNext),
    again: edit(setAgain),
  };
  const press = (k: KeypadKey) => setters[target](applyKey(values[target], k, ADMIN_PIN_MAX_LENGTH));
  const field = (name: FieldName) => (
    <PinField
      name={name}
      value={values[name]}
      onChange={setters[name]}
      active={target === name}
      onActivate={() => setActive(name)}
      disabled={busy}
    />
  );

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
    setActive(first);
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

  const rules = `${ADMIN_PIN_MIN_LENGTH}–${ADMIN_PIN_MAX_LENGTH} digits; not one digit repeated, not a run like 123456, not a repeated group like 121212.`;
  return (
    <section
      className={`panel pin-panel${recovery ? ' pin-panel--recovery' : ''}`}
      data-panel="pin"
      data-app-state="ready"
    >
      <div className="pin-panel__intro">
        <h2>Admin PIN</h2>
        {recovery && (
          <div className="notice notice--warn" role="status" data-testid="pin-recovery-notice">
            <span>
              <strong>Opened with a recovery code.</strong> The code is now used up. Set a new PIN before you
              leave: the old PIN is not needed.
            </span>
          </div>
        )}
        <p className="muted pin-panel__rules">
          {recovery
            ? ''
            : factoryPin
              ? 'This kiosk still uses the factory PIN. Choose your own so only staff can open the admin area. '
              : 'Change the PIN that opens this admin area. '}
          {rules}
        </p>
      </div>
      <form
        className="settings pin-change"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="pin-change__fields">
          {/* Opened with a recovery code on a short landscape panel, the notice takes the rules'
              place beside the heading and the rules go where the current-PIN field would be, so
              the form and its keypad fit 800×480 under a door-problem notice. Shown there only
              (styles.css): elsewhere the rules stay under the heading. */}
          {recovery && (
            <p className="muted pin-change__rules" data-testid="pin-rules-beside-fields">
              {rules}
            </p>
          )}
          {!recovery && field('current')}
          {field('next')}
          {field('again')}
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
        </div>
        <div className="pin-change__pad">
          <p className="pin-change__target">
            Keypad types into <strong>{LABELS[target]}</strong>.
            <span className="pin-change__switch">Tap a field to switch.</span>
          </p>
          <Keypad onKey={press} disabled={busy} label={`Keypad for ${LABELS[target]}`} />
        </div>
      </form>
    </section>
  );
}
