// An open page camera can stop giving pictures without failing: its video track goes `mute`
// (the driver or the operating system stopped sending frames) or a stuck driver keeps handing
// over the identical picture. The <video> element then shows its last frame for ever, the page
// keeps pushing that frame, and the core would call the camera "running". This watch turns
// what the hook sees (mute and unmute, a sparse sample of the picture now and then) into a
// problem in the page camera's terms. Pure: the caller gives the times (use-browser-camera.ts
// drives it with the real clock, the tests with made-up ones).
import type { PageCameraProblem } from './page-camera.js';

/** A track muted this long gives no picture (a short mute is a driver renegotiating). */
export const PAGE_CAMERA_MUTE_MS = 5_000;
/** The picture unchanged this long is frozen (the core's cameras wait as long: NO_PICTURE_MS). */
export const PAGE_CAMERA_FROZEN_MS = 15_000;
/**
 * A sample whose channels all lie within this of each other is flat: a covered lens, a dark
 * room, a blown-out picture. Its noise is clipped to one value, so flat samples are identical
 * though the camera works; "unplug it" would be the wrong advice, so a flat picture is never
 * called frozen. Flat for PAGE_CAMERA_FROZEN_MS it is `covered` instead, as the core calls its
 * webcam's (camera/flat-picture.ts): the door sees nobody, and the admin is told what to check.
 */
export const FLAT_SPREAD = 2;

export const mutedProblem = (): PageCameraProblem => ({
  kind: 'no-picture',
  raw: `video track muted for ${PAGE_CAMERA_MUTE_MS / 1000} s`,
});
export const frozenProblem = (): PageCameraProblem => ({
  kind: 'frozen',
  raw: `no change in ${PAGE_CAMERA_FROZEN_MS / 1000} s`,
});
export const coveredProblem = (): PageCameraProblem => ({
  kind: 'covered',
  raw: `for ${PAGE_CAMERA_FROZEN_MS / 1000} s`,
});

/** True when the RGB bytes of an RGBA sample (as getImageData gives) barely differ. */
export function isFlatSample(rgba: ArrayLike<number>): boolean {
  let min = 255;
  let max = 0;
  for (let i = 0; i < rgba.length; i++) {
    if (i % 4 === 3) continue; // alpha: always opaque
    const v = rgba[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return max - min <= FLAT_SPREAD;
}

function sameBytes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One open camera's track and picture, watched. A new try (a reopened camera) gets a new watch. */
export class PictureWatch {
  private mutedSince: number | null = null;
  /** The last sample (a copy) and since when every sample has been byte-identical to it. */
  private last: Uint8Array | null = null;
  private sameSince: number | null = null;
  /** Since when every sample has been flat (one even colour); null while the picture shows something. */
  private flatSince: number | null = null;

  /** The track says it gets no frames (`track.muted` at open, or its `mute` event). */
  muted(now: number): void {
    this.mutedSince ??= now;
  }

  /** Frames flow again (`unmute`): the picture is judged afresh from the next sample. */
  unmuted(): void {
    this.mutedSince = null;
    this.forgetPicture();
  }

  /** The page was hidden (a browser may stop drawing a hidden page's video): judge afresh. */
  forgetPicture(): void {
    this.last = null;
    this.sameSince = null;
    this.flatSince = null;
  }

  /**
   * A sparse sample of the picture now, RGBA bytes at the same places each time. A real camera's
   * sensor noise changes some of them in every frame, so byte-identical samples for
   * PAGE_CAMERA_FROZEN_MS mean a stuck pipeline, however patiently it keeps delivering.
   */
  sample(rgba: ArrayLike<number>, now: number): void {
    if (this.last !== null && this.sameSince !== null && sameBytes(rgba, this.last)) return;
    const flat = isFlatSample(rgba);
    this.last = flat ? null : Uint8Array.from(rgba);
    this.sameSince = flat ? null : now;
    this.flatSince = flat ? (this.flatSince ?? now) : null;
  }

  /** What is wrong with the picture at `now`, or null. A long mute says more than a frozen picture. */
  problem(now: number): PageCameraProblem | null {
    if (this.mutedSince !== null && now - this.mutedSince >= PAGE_CAMERA_MUTE_MS) return mutedProblem();
    if (this.sameSince !== null && now - this.sameSince >= PAGE_CAMERA_FROZEN_MS) return frozenProblem();
    if (this.flatSince !== null && now - this.flatSince >= PAGE_CAMERA_FROZEN_MS) return coveredProblem();
    return null;
  }
}
