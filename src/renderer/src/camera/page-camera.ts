// The page's own camera (camera spec `push`: Electron's getUserMedia, or the browser bridge's)
// fails where the core cannot see it: the core only waits for pushed frames and says
// "starting" for ever. This turns what getUserMedia said (or did not say) into a camera
// problem in the kiosk's own terms, so the door, the admin notice and the Enrol screen all
// read it from one camera state. Pure: the hook in use-browser-camera.ts drives it.
import {
  COVERED_CHECK,
  PAGE_CAMERA_DETAIL_MAX,
  PAGE_CAMERA_REASON_WORDS,
  type KioskState,
  type PageCameraReason,
  type PageCameraReport,
} from '../../../contracts/kiosk-api.js';

/** A camera opened (or being opened) that has given no picture for this long is a problem. */
export const PAGE_CAMERA_FIRST_FRAME_MS = 10_000;
/** Tries to open a failed camera again, backing off to this (a plugged camera is seen sooner: devicechange). */
export const PAGE_CAMERA_RETRY_MAX_MS = 30_000;
const PAGE_CAMERA_RETRY_FIRST_MS = 2_000;

export type PageCameraProblemKind = PageCameraReason;

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
export const noAnswerProblem = (): PageCameraProblem => ({
  kind: 'no-answer',
  raw: `getUserMedia: no answer after ${PAGE_CAMERA_FIRST_FRAME_MS / 1000} s`,
});
export const unpluggedProblem = (): PageCameraProblem => ({ kind: 'unplugged', raw: 'video track ended' });

/**
 * No picture PAGE_CAMERA_FIRST_FRAME_MS after a try began: an opened camera gives no picture;
 * an unopened one never answered (getUserMedia still pending: a permission prompt, a hung driver).
 */
export const firstFrameProblem = (opened: boolean): PageCameraProblem =>
  opened ? noPictureProblem() : noAnswerProblem();

/** How long to wait before opening the camera again after `failures` failed tries in a row. */
export function pageCameraRetryMs(failures: number): number {
  const n = Math.max(0, failures - 1);
  return Math.min(PAGE_CAMERA_RETRY_MAX_MS, PAGE_CAMERA_RETRY_FIRST_MS * 2 ** Math.min(n, 10));
}

const LOOKS_AGAIN = 'the kiosk tries the camera again by itself';
/** For the admin: what to check (the cable, the permission, the camera setting); what happened is the contract's. */
const ADMIN_CHECK: Record<PageCameraProblemKind, string> = {
  permission: `Allow the camera for Rollcall in the computer's privacy settings (in a browser: the site's camera permission); ${LOOKS_AGAIN}.`,
  'not-found': `Check that the camera's cable is plugged in firmly; ${LOOKS_AGAIN}.`,
  busy: `Another program may be using it, or it needs unplugging and plugging in again; ${LOOKS_AGAIN}.`,
  unsuitable: 'Check its cable, or choose another camera under Camera settings.',
  'no-picture':
    'Check its cable (unplug it and plug it in again), then the camera setting under Camera settings.',
  // Not "tries again": a try still waiting is left to answer (a plugged-in camera starts a new one).
  'no-answer':
    "A camera permission question may be waiting on this computer's screen: answer it. Otherwise unplug the camera and plug it in again (the kiosk then tries it at once).",
  unplugged: `Check that its cable is plugged in firmly; ${LOOKS_AGAIN}.`,
  failed: `Check its cable, the camera permission and the camera setting under Camera settings; ${LOOKS_AGAIN}.`,
  // The kiosk cannot mend a stuck driver by looking again: its picture clears the notice the
  // moment it changes, which unplugging or a restart usually brings.
  frozen: 'Unplug it and plug it back in, or restart the kiosk.',
  // The same advice as the core's for its webcam.
  covered: COVERED_CHECK,
};

/** Whole sentences ending in a full stop: "What happened (raw). What to check." */
export function pageCameraAdminText(p: PageCameraProblem): string {
  return `${PAGE_CAMERA_REASON_WORDS[p.kind]} (${p.raw}). ${ADMIN_CHECK[p.kind]}`;
}

/** No camera to open (not found, unplugged) is `missing`; any other problem is an `error`. */
const isMissing = (p: PageCameraProblem) => p.kind === 'not-found' || p.kind === 'unplugged';

/** What the page tells the core of its camera (kiosk-api PageCameraReport): a problem, or none. */
export function pageCameraReport(problem: PageCameraProblem | null): PageCameraReport {
  if (!problem) return { status: 'running' };
  return {
    status: isMissing(problem) ? 'missing' : 'error',
    reason: problem.kind,
    detail: problem.raw.slice(0, PAGE_CAMERA_DETAIL_MAX),
  };
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
  return {
    ...state.camera,
    status: isMissing(problem) ? 'missing' : 'error',
    detail: pageCameraAdminText(problem),
    reason: problem.kind,
  };
}
