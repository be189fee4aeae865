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
 * Null when the camera gives pictures (or the page's own camera stream is open). `camera`: as
 * the screens see it, so the page's own camera failing (getUserMedia refused, no picture) is
 * `missing` or `error` here too (camera/page-camera.ts cameraWithPage).
 */
export function enrolCameraNote(
  camera: Pick<KioskState['camera'], 'status'>,
  hasStream: boolean,
): EnrolCameraNote | null {
  if (hasStream) return null;
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

/** The note leads to the camera setting itself (a camera that is starting needs nothing). */
export const enrolNoteOffersSettings = (note: EnrolCameraNote | null): boolean =>
  note !== null && note.kind !== 'starting';

/**
 * Whether the admin area's door-problem notice carries its own _Camera settings_ button: only
 * for a camera problem (a failed engine is not mended there), not on the Settings tab itself,
 * and not on Enrol when the panel's note already offers one in the picture's place (one way
 * to the setting per screen).
 */
export function noticeOffersCameraSettings(
  tab: string,
  state: Pick<KioskState, 'engine' | 'camera'>,
  hasStream: boolean,
): boolean {
  if (state.engine.state === 'error' || tab === 'settings') return false;
  if (tab === 'enrol' && enrolNoteOffersSettings(enrolCameraNote(state.camera, hasStream))) return false;
  return true;
}
