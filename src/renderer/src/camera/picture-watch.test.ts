// An open page camera that stops giving pictures without failing: a muted track, or a frozen
// picture. The watch is fed samples and made-up times; nothing here waits for a timer.
import { describe, expect, it } from 'vitest';
import { PageCameraReport, type KioskState } from '../../../contracts/kiosk-api.js';
import { doorBlock, doorProblemForAdmin } from '../view-model.js';
import { cameraWithPage, pageCameraReport } from './page-camera.js';
import { isFlatSample, PictureWatch, PAGE_CAMERA_FROZEN_MS, PAGE_CAMERA_MUTE_MS } from './picture-watch.js';

/** RGBA bytes of a textured scene, with a little sensor noise when `noise` differs. */
function scene(noise = 0, pixels = 64): Uint8Array {
  const out = new Uint8Array(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    out[p * 4] = (40 + p * 3 + ((p * 7 + noise) % 3)) & 0xff;
    out[p * 4 + 1] = (90 + p) & 0xff;
    out[p * 4 + 2] = (150 + ((p * 5) % 40)) & 0xff;
    out[p * 4 + 3] = 255;
  }
  return out;
}
const black = (): Uint8Array => new Uint8Array(64 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i % 8) % 2));

/** Feeds `sample(t)` once a second from `from` to `to` (ms), as the hook does. */
function feed(watch: PictureWatch, from: number, to: number, sample: (t: number) => Uint8Array): void {
  for (let t = from; t <= to; t += 1000) watch.sample(sample(t), t);
}

const engine: KioskState['engine'] = {
  state: 'ready',
  progress: 1,
  backend: 'wasm',
  modelId: 'm',
  error: null,
};
const waiting: Pick<KioskState, 'camera' | 'browserCamera'> = {
  camera: { status: 'running', detail: 'frames from the UI', fps: 10 },
  browserCamera: { deviceId: null },
};

describe('a frozen page camera', () => {
  it('is frozen once the very same picture has come for PAGE_CAMERA_FROZEN_MS, not before', () => {
    const watch = new PictureWatch();
    const still = scene(1);
    feed(watch, 0, PAGE_CAMERA_FROZEN_MS - 1000, () => still);
    expect(watch.problem(PAGE_CAMERA_FROZEN_MS - 1)).toBeNull();
    expect(watch.problem(PAGE_CAMERA_FROZEN_MS)).toMatchObject({ kind: 'frozen' });
  });

  it('a live camera on a still scene is never frozen: its sensor noise changes the samples', () => {
    const watch = new PictureWatch();
    feed(watch, 0, 120_000, (t) => scene(t / 1000));
    expect(watch.problem(120_000)).toBeNull();
  });

  it('the problem clears the moment the picture moves again', () => {
    const watch = new PictureWatch();
    feed(watch, 0, 20_000, () => scene(0));
    expect(watch.problem(20_000)?.kind).toBe('frozen');
    watch.sample(scene(1), 21_000);
    expect(watch.problem(21_000)).toBeNull();
    // ... and a new freeze is timed from its own start.
    feed(watch, 22_000, 21_000 + PAGE_CAMERA_FROZEN_MS - 1000, () => scene(1));
    expect(watch.problem(21_000 + PAGE_CAMERA_FROZEN_MS - 1)).toBeNull();
  });

  it('a flat picture (covered lens, dark room) is never called frozen: it is covered, and clears when it shows something', () => {
    expect(isFlatSample(black())).toBe(true);
    expect(isFlatSample(scene())).toBe(false);
    const watch = new PictureWatch();
    feed(watch, 0, PAGE_CAMERA_FROZEN_MS - 1000, black);
    expect(watch.problem(PAGE_CAMERA_FROZEN_MS - 1)).toBeNull();
    feed(watch, PAGE_CAMERA_FROZEN_MS, 120_000, black);
    expect(watch.problem(120_000)).toEqual({ kind: 'covered', raw: `for ${PAGE_CAMERA_FROZEN_MS / 1000} s` });
    watch.sample(scene(1), 121_000);
    expect(watch.problem(121_000)).toBeNull();
  });

  it('a covered camera tells the admin what to check, as the core says of its webcam', () => {
    const watch = new PictureWatch();
    feed(watch, 0, PAGE_CAMERA_FROZEN_MS, black);
    const problem = watch.problem(PAGE_CAMERA_FROZEN_MS);
    expect(PageCameraReport.parse(pageCameraReport(problem))).toEqual({
      status: 'error',
      reason: 'covered',
      detail: `for ${PAGE_CAMERA_FROZEN_MS / 1000} s`,
    });
    const state = { engine, camera: cameraWithPage(waiting, problem) };
    expect(doorProblemForAdmin(state)).toBe(
      'The camera sees only darkness or one flat colour (for 15 s). Is the lens covered, or the room dark? ' +
        'Uncover it or turn on the light: this clears by itself as soon as the camera sees something. ' +
        'The door is not taking attendance.',
    );
  });

  it('a hidden page forgets the picture: the freeze is timed afresh when it is shown again', () => {
    const watch = new PictureWatch();
    feed(watch, 0, 10_000, () => scene(0));
    watch.forgetPicture();
    feed(watch, 11_000, 20_000, () => scene(0));
    expect(watch.problem(20_000)).toBeNull();
  });

  it('is told to the admin in plain sentences and pauses the door', () => {
    const watch = new PictureWatch();
    feed(watch, 0, PAGE_CAMERA_FROZEN_MS, () => scene(0));
    const problem = watch.problem(PAGE_CAMERA_FROZEN_MS);
    const report = pageCameraReport(problem);
    expect(PageCameraReport.parse(report)).toEqual({
      status: 'error',
      reason: 'frozen',
      detail: `no change in ${PAGE_CAMERA_FROZEN_MS / 1000} s`,
    });
    const state = { engine, camera: cameraWithPage(waiting, problem) };
    expect(doorBlock(state)).toMatchObject({ kind: 'camera-missing', title: 'Attendance is paused' });
    expect(doorProblemForAdmin(state)).toBe(
      'The camera keeps sending the same picture (no change in 15 s). Unplug it and plug it back in, or restart the kiosk. The door is not taking attendance.',
    );
  });
});

describe('a muted page camera track', () => {
  it('gives no picture once muted for PAGE_CAMERA_MUTE_MS, and is fine again when it unmutes', () => {
    const watch = new PictureWatch();
    watch.muted(1000);
    expect(watch.problem(1000 + PAGE_CAMERA_MUTE_MS - 1)).toBeNull();
    expect(watch.problem(1000 + PAGE_CAMERA_MUTE_MS)).toEqual({
      kind: 'no-picture',
      raw: `video track muted for ${PAGE_CAMERA_MUTE_MS / 1000} s`,
    });
    watch.unmuted();
    expect(watch.problem(1000 + PAGE_CAMERA_MUTE_MS + 1)).toBeNull();
  });

  it('a short mute is nothing; a mute that repeats is timed from its first event', () => {
    const watch = new PictureWatch();
    watch.muted(0);
    watch.unmuted();
    watch.muted(3000);
    watch.muted(6000); // a second event while muted does not restart the clock
    expect(watch.problem(3000 + PAGE_CAMERA_MUTE_MS - 1)).toBeNull();
    expect(watch.problem(3000 + PAGE_CAMERA_MUTE_MS)?.kind).toBe('no-picture');
  });

  it('says no picture rather than frozen: the <video> keeps showing the last frame while muted', () => {
    const watch = new PictureWatch();
    watch.muted(0);
    feed(watch, 0, 30_000, () => scene(0));
    expect(watch.problem(30_000)?.kind).toBe('no-picture');
    // Unmuted: the picture is judged afresh (the old identical samples do not count).
    watch.unmuted();
    feed(watch, 31_000, 35_000, () => scene(0));
    expect(watch.problem(35_000)).toBeNull();
  });
});
