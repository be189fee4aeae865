// The page's own camera (camera spec `push`: Electron's getUserMedia, or the browser bridge's)
// fails where the core cannot see it: the core only waits for pushed frames and says
// "starting" for ever. This turns what getUserMedia said (or did not say) into a camera
// problem in the kiosk's own terms, so the door, the admin notice and the Enrol screen all
// read it from one camera state. Pure: the hook in use-browser-camera.ts drives it.
import type { KioskState } from '../../../contracts/kiosk-api.js';

/** A camera opened (or being opened) that has given no picture for this long is a problem. */
export const PAGE_CAMERA_FIRST_FRAME_MS = 10_000;
/** Tries to open a failed camera again, backing off to this (a plugged camera is seen sooner: devicechange). */
export const PAGE_CAMERA_RETRY_MAX_MS = 30_000;
const PAGE_CAMERA_RETRY_FIRST_MS = 2_000;

export type PageCameraProblemKind =
  'permission' | 'not-found' | 'busy' | 'unsuitable' | 'no-picture' | 'unplugged' | 'failed';

export interface PageCameraProblem {
  kind: PageCameraProblemKind;
  /** getUserMedia's own name and message, for IT (the admin notice's last words). */
  raw: string;
}

// getUserMedia's DOMException names, with the older Chromium aliases.
const BY_NAME: Record<string, PageCameraProblemKind> = {
  NotAllowedError: 'permission',
  PermissionDeniedError: 'permission',
  SecurityError: 'permission',
  NotFoundError: 'not-found',
  DevicesNotFoundError: 'not-found',
  NotReadableError: 'busy',
  TrackStartError: 'busy',
  AbortError: 'busy',
  OverconstrainedError: 'unsuitable',
  ConstraintNotSatisfiedError: 'unsuitable',
};

/** What a getUserMedia rejection means for the door. */
export function pageCameraProblem(err: unknown): PageCameraProblem {
  const name =
    typeof err === 'object' && err !== null && typeof (err as { name?: unknown }).name === 'string'
      ? (err as { name: string }).name
      : '';
  const message =
    typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string'
      ? (err as { message: string }).message
      : String(err);
  const raw = name ? `${name}${message ? `: ${message}` : ''}` : message;
  return { kind: BY_NAME[name] ?? 'failed', raw };
}

export const noPictureProblem = (): PageCameraProblem => ({
  kind: 'no-picture',
  raw: `no picture within ${PAGE_CAMERA_FIRST_FRAME_MS / 1000} s`,
});
export const unpluggedProblem = (): PageCameraProblem => ({ kind: 'unplugged', raw: 'video track ended' });

/** How long to wait before opening the camera again after `failures` failed tries in a row. */
export function pageCameraRetryMs(failures: number): number {
  const n = Math.max(0, failures - 1);
  return Math.min(PAGE_CAMERA_RETRY_MAX_MS, PAGE_CAMERA_RETRY_FIRST_MS * 2 ** Math.min(n, 10));
}

const LOOKS_AGAIN = 'the kiosk tries the camera again by itself';
/** For the admin: what happened, and what to check (the cable, the permission, the camera setting). */
const ADMIN_WORDS: Record<PageCameraProblemKind, { what: string; check: string }> = {
  permission: {
    what: 'The kiosk is not allowed to use the camera',
    check: `Allow the camera for Rollcall in the computer's privacy settings (in a browser: the site's camera permission); ${LOOKS_AGAIN}.`,
  },
  'not-found': {
    what: 'No camera was found',
    check: `Check that the camera's cable is plugged in firmly; ${LOOKS_AGAIN}.`,
  },
  busy: {
    what: 'The camera could not be started',
    check: `Another program may be using it, or it needs unplugging and plugging in again; ${LOOKS_AGAIN}.`,
  },
  unsuitable: {
    what: 'The chosen camera is not connected or cannot give a picture',
    check: 'Check its cable, or choose another camera under Camera settings.',
  },
  'no-picture': {
    what: 'The camera was opened but gives no picture',
    check: 'Check its cable (unplug it and plug it in again), then the camera setting under Camera settings.',
  },
  unplugged: {
    what: 'The camera stopped giving pictures (unplugged?)',
    check: `Check that its cable is plugged in firmly; ${LOOKS_AGAIN}.`,
  },
  failed: {
    what: 'The camera could not be opened',
    check: `Check its cable, the camera permission and the camera setting under Camera settings; ${LOOKS_AGAIN}.`,
  },
};

/** Whole sentences ending in a full stop: "What happened (raw). What to check." */
export function pageCameraAdminText(p: PageCameraProblem): string {
  const { what, check } = ADMIN_WORDS[p.kind];
  return `${what} (${p.raw}). ${check}`;
}

/**
 * The camera as every screen should see it. While the page owns the camera (`browserCamera`),
 * the page's problem is the camera's problem: `missing` when there is no camera to open
 * (not found, unplugged), `error` otherwise, with the admin's words as the detail. A problem of
 * a page that no longer owns the camera (the setting changed to a native camera) is not.
 */
export function cameraWithPage(
  state: Pick<KioskState, 'camera' | 'browserCamera'>,
  problem: PageCameraProblem | null,
): KioskState['camera'] {
  if (!problem || !state.browserCamera) return state.camera;
  const missing = problem.kind === 'not-found' || problem.kind === 'unplugged';
  return { ...state.camera, status: missing ? 'missing' : 'error', detail: pageCameraAdminText(problem) };
}
