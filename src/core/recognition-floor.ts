// The loosest recognition a kiosk's Settings may choose. The match threshold and margin were
// calibrated by a rule (docs/recognition.md, "Calibration rule"): below that point the
// measured cost is strangers accepted as students. One vote marking a student is "one lucky
// frame". Whoever holds the kiosk PIN (a teacher, a technician, whoever watched it typed) could
// otherwise drag the sliders down and have a friend marked present by any face. So Settings can
// make matching stricter, never looser than the kiosk started with; a school that needs another
// point re-calibrates on its own enrolment photos (eval tools) and ships it with the engine.
import type { Settings } from '../contracts/kiosk-api.js';

export interface RecognitionFloor {
  matchThreshold: number;
  matchMargin: number;
  votesNeeded: number;
}

/** Agreeing frames a mark needs at least: one frame alone is never evidence enough. */
export const MIN_VOTES_NEEDED = 2;

/** The floor of a kiosk whose defaults are these (the calibrated point, or a test's own). */
export const recognitionFloorOf = (defaults: Settings): RecognitionFloor => ({
  matchThreshold: defaults.matchThreshold,
  matchMargin: defaults.matchMargin,
  votesNeeded: Math.min(MIN_VOTES_NEEDED, defaults.votesNeeded),
});

/** The admin's sentence when a settings patch would loosen recognition below the floor; null when it does not. */
export function looserThanFloor(
  patch: Partial<Pick<Settings, 'matchThreshold' | 'matchMargin' | 'votesNeeded'>>,
  floor: RecognitionFloor,
): string | null {
  const why = 'anything looser would mark strangers or the wrong student present';
  if (patch.matchThreshold !== undefined && patch.matchThreshold < floor.matchThreshold)
    return `The match threshold cannot go below ${floor.matchThreshold.toFixed(2)}, the calibrated point: ${why}. Raise it to ask for closer matches.`;
  if (patch.matchMargin !== undefined && patch.matchMargin < floor.matchMargin)
    return `The margin cannot go below ${floor.matchMargin.toFixed(2)}, the calibrated point: ${why}.`;
  if (patch.votesNeeded !== undefined && patch.votesNeeded < floor.votesNeeded)
    return `A mark needs at least ${floor.votesNeeded} agreeing frames: one frame alone could be a fluke.`;
  return null;
}

/**
 * Settings with any recognition value below the floor raised to it: what the door uses. A value
 * stored before the floor existed (or written into the database by hand) is not obeyed.
 */
export const raisedToFloor = (settings: Settings, floor: RecognitionFloor): Settings => ({
  ...settings,
  matchThreshold: Math.max(settings.matchThreshold, floor.matchThreshold),
  matchMargin: Math.max(settings.matchMargin, floor.matchMargin),
  votesNeeded: Math.max(settings.votesNeeded, floor.votesNeeded),
});
