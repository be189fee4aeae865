// What a new admin PIN must be. Shared by the core (the authority: it refuses a bad PIN) and
// the admin screen (live feedback while typing). Pure: no zod, no Node, no DOM.
//
// The PIN guards the admin area at a door where students stand all day, so a PIN anyone
// could guess (the factory 1234, 000000, 123456, a birthday-like 121212) must not be set.
// Existing shorter PINs still unlock (PinArgs keeps 4..12 digits) so upgrades lock no one out.

/** Shorter PINs are too easy to shoulder-surf or guess within the lockout allowance. */
export const ADMIN_PIN_MIN_LENGTH = 6;
/** The PIN field and PinArgs accept at most this many digits. */
export const ADMIN_PIN_MAX_LENGTH = 12;

/** Digits that step by the same +1 or -1 throughout (123456, 987654). */
function isRun(pin: string): boolean {
  const step = pin.charCodeAt(1) - pin.charCodeAt(0);
  if (step !== 1 && step !== -1) return false;
  for (let i = 2; i < pin.length; i++) if (pin.charCodeAt(i) - pin.charCodeAt(i - 1) !== step) return false;
  return true;
}

/** The PIN is one shorter block said again and again (121212, 123123, 12341234). */
function isRepeatedBlock(pin: string): boolean {
  for (let size = 1; size <= pin.length / 2; size++) {
    if (pin.length % size === 0 && pin.slice(0, size).repeat(pin.length / size) === pin) return true;
  }
  return false;
}

/**
 * Why `pin` cannot be the new admin PIN, as a sentence for the admin; null when it can.
 * Trivial means guessable without knowing anything about the school: one digit repeated,
 * a run up or down, or a short group repeated.
 */
export function adminPinProblem(pin: string): string | null {
  if (!/^\d+$/.test(pin) || pin.length < ADMIN_PIN_MIN_LENGTH || pin.length > ADMIN_PIN_MAX_LENGTH) {
    return `The new PIN must be ${ADMIN_PIN_MIN_LENGTH} to ${ADMIN_PIN_MAX_LENGTH} digits (numbers only).`;
  }
  if (/^(\d)\1*$/.test(pin))
    return 'That PIN is too easy to guess: every digit is the same (like 000000). Choose another.';
  if (isRun(pin))
    return 'That PIN is too easy to guess: the digits count up or down (like 123456). Choose another.';
  if (isRepeatedBlock(pin))
    return 'That PIN is too easy to guess: it repeats a short group of digits (like 121212). Choose another.';
  return null;
}
