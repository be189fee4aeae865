// The camera spec grammar lives in the contracts (the settings contract refuses a bad spec
// before it is stored); the core re-exports it for the camera factory and the CLI.
export {
  parseCameraSpec,
  isReplaySpec,
  CameraSpecError,
  CameraSpecString,
  WebcamOptions,
  ReplayOptions,
  WEBCAM_DEVICE,
  type CameraSpec,
} from '../../contracts/camera-spec.js';
