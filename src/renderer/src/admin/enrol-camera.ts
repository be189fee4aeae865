// What the Enrol screen says in place of the camera picture when there is no picture to enrol
// from, and whether a capture may start. A capture without a camera can only wait for frames
// that never come, so it is not offered; the words say what to check, never whose fault it is.
import type { KioskState } from '../../../contracts/kiosk-api.js';

export interface EnrolCameraNote {
  /** `starting` passes by itself; the others need someone to look at the camera or its setting. */
  kind: 'starting' | 'missing' | 'error' | 'off';
  title: string;
  detail: string;
}

const CHECK =
  'Check that the camera’s cable is plugged in firmly; the kiosk looks for it again by itself. If the picture does not come back, check the camera setting under Camera settings.';

/**
 * Null when the camera gives pictures (or the page's own camera stream is open). `pageCameraError`:
 * the page could not open its own camera (Electron's getUserMedia refused or failed).
 */
export function enrolCameraNote(
  camera: Pick<KioskState['camera'], 'status'>,
  hasStream: boolean,
  pageCameraError: string | null = null,
): EnrolCameraNote | null {
  if (hasStream) return null;
  if (pageCameraError) return { kind: 'error', title: 'The camera is not available', detail: CHECK };
  switch (camera.status) {
    case 'running':
      return null;
    case 'starting':
      return {
        kind: 'starting',
        title: 'The camera is starting…',
        detail: 'Shots can be taken as soon as its picture appears here.',
      };
    case 'missing':
      return { kind: 'missing', title: 'The camera is not available', detail: CHECK };
    case 'error':
      return { kind: 'error', title: 'The camera is not working', detail: CHECK };
    case 'stopped':
      return {
        kind: 'off',
        title: 'The camera is turned off',
        detail:
          'Students are enrolled from the camera’s picture. Choose the camera under Camera settings, then come back here.',
      };
  }
}
