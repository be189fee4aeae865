// Build a camera source from a spec string (see spec.ts).
import { parseCameraSpec } from './spec';
import { ReplayCamera } from './replay';
import { WebcamCamera } from './webcam';
import { NoCamera, PushCamera } from './push';
import type { CameraSource } from './types';

export { parseCameraSpec, CameraSpecError } from './spec';
export { PushCamera } from './push';
export { FramePipeline } from './pipeline';
export type { CameraSource, CameraListener, CameraStatus, FrameMeta } from './types';

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
