// Build a camera source from a spec string (see spec.ts).
import { parseCameraSpec } from './spec.js';
import { ReplayCamera } from './replay.js';
export { replayFolderProblem } from './replay.js';
import { defaultWebcamDeps, WebcamCamera } from './webcam.js';
import { NoCamera, PushCamera } from './push.js';
import type { CameraSource } from './types.js';

export { parseCameraSpec, isReplaySpec, CameraSpecError } from './spec.js';
export { PushCamera } from './push.js';
export { FramePipeline } from './pipeline.js';
export type { CameraSource, CameraListener, CameraStatus, FrameMeta } from './types.js';

/**
 * `clock` (ms): stamps every frame's `capturedAt`, so frames and the kiosk's decisions share one
 * time line; the kiosk passes its own clock. A replay also paces by it (its frames are due on the
 * clock's schedule), so a test clock that never advances holds a replay at its first frame.
 */
export function createCamera(spec: string, clock: () => number = () => Date.now()): CameraSource {
  const parsed = parseCameraSpec(spec);
  switch (parsed.kind) {
    case 'replay':
      return new ReplayCamera(parsed.options, clock);
    case 'webcam':
      return new WebcamCamera(parsed.options, defaultWebcamDeps, clock);
    case 'push':
      return new PushCamera(clock);
    case 'none':
      return new NoCamera();
  }
}
