// Build a camera source from a spec string (see spec.ts).
import { parseCameraSpec } from './spec.js';
import { ReplayCamera } from './replay.js';
import { WebcamCamera } from './webcam.js';
import { NoCamera, PushCamera } from './push.js';
import type { CameraSource } from './types.js';

export { parseCameraSpec, CameraSpecError } from './spec.js';
export { PushCamera } from './push.js';
export { FramePipeline } from './pipeline.js';
export type { CameraSource, CameraListener, CameraStatus, FrameMeta } from './types.js';

export function createCamera(spec: string): CameraSource {
  const parsed = parseCameraSpec(spec);
  switch (parsed.kind) {
    case 'replay':
      return new ReplayCamera(parsed.options);
    case 'webcam':
      return new WebcamCamera(parsed.options);
    case 'push':
      return new PushCamera();
    case 'none':
      return new NoCamera();
  }
}
