// The on-screen digit pad of a touch kiosk with no keyboard: the unlock screen and the PIN
// change form type with it. A hardware keyboard still types into the fields themselves.

export const KEYPAD_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'back'] as const;
export type KeypadKey = (typeof KEYPAD_KEYS)[number];

/** The value after one key press: digits are appended up to `maxLength`. */
export function applyKey(value: string, key: KeypadKey, maxLength: number): string {
  if (key === 'clear') return '';
  if (key === 'back') return value.slice(0, -1);
  return value.length < maxLength ? value + key : value;
}

interface Props {
  onKey: (key: KeypadKey) => void;
  disabled?: boolean;
  /** Names the group for assistive tech, e.g. which field it types into. */
  label?: string;
  className?: string;
}

export function Keypad({ onKey, disabled = false, label = 'Keypad', className = '' }: Props) {
  return (
    <div className={`pin__keys ${className}`.trim()} role="group" aria-label={label} data-testid="keypad">
      {KEYPAD_KEYS.map((k) => (
        <button
          key={k}
          type="button"
          className="pin__key"
          disabled={disabled}
          aria-label={k === 'back' ? 'Delete last digit' : k === 'clear' ? 'Clear' : undefined}
          // A tap must not take the focus from the field being typed into: the field shows which
          // one the pad fills, and a hardware keyboard goes on typing there.
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => onKey(k)}
        >
          {k === 'clear' ? 'Clear' : k === 'back' ? '⌫' : k}
        </button>
      ))}
    </div>
  );
}
