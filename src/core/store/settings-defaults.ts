// Defaults for the kiosk's settings. The recognition values are overridden at kiosk
// creation by the face engine's calibrated RECOGNITION_DEFAULTS when they are available.
import type { Settings } from '../../contracts/kiosk-api.js';

export const DEFAULT_SETTINGS: Settings = {
  cameraSpec: 'webcam:default',
  roomId: null,
  matchThreshold: 0.5,
  matchMargin: 0.05,
  // Two agreeing frames out of the last four: at the ~4-5 analysed frames per second the
  // WASM backend manages, that marks a student within about a second.
  votesNeeded: 2,
  voteWindow: 4,
  cooldownSeconds: 30,
  livenessLevel: 'standard',
  soundCue: true,
  allowInsecureServer: false,
};
