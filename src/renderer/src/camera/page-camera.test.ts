import { describe, expect, it } from 'vitest';
import { PAGE_CAMERA_REASON_WORDS, PageCameraReport, type KioskState } from '../../../contracts/kiosk-api.js';
import { doorBlock, doorProblemForAdmin } from '../view-model.js';
import { enrolCameraNote } from '../admin/enrol-camera.js';
import {
  cameraWithPage,
  firstFrameProblem,
  noPictureProblem,
  pageCameraProblem,
  pageCameraReport,
  pageCameraRetryMs,
  unpluggedProblem,
  PAGE_CAMERA_RETRY_MAX_MS,
  type PageCameraProblem,
} from './page-camera.js';

// What getUserMedia rejects with, as Chromium (and so Electron) names it.
const domError = (name: string, message: string) => Object.assign(new Error(message), { name });

const engine: KioskState['engine'] = {
  state: 'ready',
  progress: 1,
  backend: 'wasm',
  modelId: 'm',
  error: null,
};
/** The core while the page owns the camera: it waits for pushed frames, "starting" for ever. */
const waiting: Pick<KioskState, 'engine' | 'camera' | 'browserCamera'> = {
  engine,
  camera: { status: 'starting', detail: 'waiting for frames from the UI', fps: 0 },
  browserCamera: { deviceId: null },
};
const seen = (problem: PageCameraProblem | null, core = waiting) => ({
  engine: core.engine,
  camera: cameraWithPage(core, problem),
});

describe("the page's own camera (getUserMedia) as a camera problem", () => {
  const cases: [string, RegExp][] = [
    ['NotAllowedError', /not allowed.*privacy settings/],
    ['NotFoundError', /No camera was found.*cable/],
    ['NotReadableError', /could not be started.*Another program/],
    ['OverconstrainedError', /chosen camera.*Camera settings/],
  ];

  it.each(cases)('%s: the door is paused kindly, the admin is told what to check', (name, advice) => {
    const problem = pageCameraProblem(domError(name, 'Could not start video source'));
    const state = seen(problem);
    expect(state.camera.status).toMatch(/^(missing|error)$/);
    // Students: one calm line, nothing technical.
    const block = doorBlock(state);
    expect(block).toMatchObject({ kind: 'camera-missing', title: 'Attendance is paused' });
    expect(block?.detail).toMatch(/tell your teacher/);
    expect(JSON.stringify(block)).not.toMatch(/Error|getUserMedia|permission|video source/);
    // The admin notice: what happened, what to check, IT's raw words last, and the consequence.
    const admin = doorProblemForAdmin(state) ?? '';
    expect(admin).toMatch(advice);
    expect(admin).toContain(`${name}: Could not start video source`);
    expect(admin).toMatch(/The door is not taking attendance\.$/);
    expect(admin).not.toMatch(/\.\./);
    // The Enrol screen offers no capture meanwhile.
    expect(enrolCameraNote(state.camera, false)?.kind).toMatch(/^(missing|error)$/);
  });

  it('a camera that gives no picture in time, or is unplugged while running, is a problem too', () => {
    expect(doorBlock(seen(noPictureProblem()))?.kind).toBe('camera-missing');
    expect(doorProblemForAdmin(seen(noPictureProblem()))).toMatch(/gives no picture.*cable/);
    const running = {
      ...waiting,
      camera: { status: 'running' as const, detail: 'frames from the UI', fps: 9 },
    };
    expect(seen(unpluggedProblem(), running).camera).toMatchObject({ status: 'missing', fps: 9 });
    expect(doorProblemForAdmin(seen(unpluggedProblem(), running))).toMatch(/cable/);
  });

  it('anything else getUserMedia throws still says what to check', () => {
    const p = pageCameraProblem(new TypeError('Failed to execute getUserMedia'));
    expect(p.kind).toBe('failed');
    expect(doorProblemForAdmin(seen(p))).toMatch(/cable, the camera permission and the camera setting/);
    expect(pageCameraProblem('odd').raw).toBe('odd');
  });

  it('clears when the camera is back, and belongs only to a page that owns the camera', () => {
    // Back: no problem, the core's own status again (running once frames arrive).
    expect(doorBlock(seen(null))?.kind).toBe('camera-starting');
    const running = { ...waiting, camera: { status: 'running' as const, detail: null, fps: 9 } };
    expect(doorBlock(seen(null, running))).toBeNull();
    expect(doorProblemForAdmin(seen(null, running))).toBeNull();
    // The setting changed to a native camera: the page's old problem is not the camera's.
    const native = { ...running, browserCamera: null };
    expect(cameraWithPage(native, pageCameraProblem(domError('NotFoundError', '')))).toBe(native.camera);
  });

  it('tells the core the same in a few words its channel accepts: missing or error, the reason, the raw words cut', () => {
    const notFound = pageCameraReport(
      pageCameraProblem(domError('NotFoundError', 'Requested device not found')),
    );
    expect(notFound).toEqual({
      status: 'missing',
      reason: 'not-found',
      detail: 'NotFoundError: Requested device not found',
    });
    expect(pageCameraReport(unpluggedProblem())).toMatchObject({ status: 'missing', reason: 'unplugged' });
    expect(pageCameraReport(noPictureProblem())).toMatchObject({ status: 'error', reason: 'no-picture' });
    const long = pageCameraReport(pageCameraProblem(domError('NotReadableError', 'x'.repeat(500))));
    expect(long).toMatchObject({ status: 'error', reason: 'busy' });
    expect(PageCameraReport.safeParse(long).success).toBe(true);
    expect(pageCameraReport(null)).toEqual({ status: 'running' });
  });

  it("the core's own words for a page camera problem (a reloaded page) read as a sentence on the admin notice", () => {
    const core = {
      ...waiting,
      camera: {
        status: 'missing' as const,
        detail: 'No camera was found (NotFoundError: gone).',
        fps: 0,
        reason: 'not-found' as const,
      },
    };
    expect(doorProblemForAdmin(seen(null, core))).toBe(
      'No camera was found (NotFoundError: gone). The door is not taking attendance.',
    );
    // The page's own problem is marked as the kiosk's sentence too: by its reason, not its full stop.
    expect(seen(noPictureProblem()).camera.reason).toBe('no-picture');
  });

  it('a getUserMedia that never answers (a permission prompt, a hung driver) is not "no picture"', () => {
    expect(firstFrameProblem(true).kind).toBe('no-picture');
    const silent = firstFrameProblem(false);
    expect(silent.kind).toBe('no-answer');
    const admin = doorProblemForAdmin(seen(silent)) ?? '';
    expect(admin).toMatch(/^The camera did not answer .*permission question.*unplug the camera/);
    expect(admin).not.toMatch(/gives no picture/);
    expect(doorBlock(seen(silent))?.kind).toBe('camera-missing');
    // The core's channel accepts the reason, and words it the same way.
    const report = pageCameraReport(silent);
    expect(report).toMatchObject({ status: 'error', reason: 'no-answer' });
    expect(PageCameraReport.safeParse(report).success).toBe(true);
    expect(PAGE_CAMERA_REASON_WORDS['no-answer']).toMatch(/did not answer/);
  });

  it('tries a failed camera again soon, then less often', () => {
    expect(pageCameraRetryMs(1)).toBe(2_000);
    expect(pageCameraRetryMs(2)).toBe(4_000);
    expect(pageCameraRetryMs(50)).toBe(PAGE_CAMERA_RETRY_MAX_MS);
  });
});
