// When the kiosk's camera spec is `browser[:deviceId]` (Electron), the page owns the camera:
// it opens getUserMedia, shows the stream itself and hands JPEG frames to the core through
// the preload's cameraPushFrame. Frames are pushed at a bounded rate; the core drops what it
// cannot keep up with, so this loop never queues.
//
// The core cannot see this camera fail (it only waits for frames), so the page says so: a
// refused or failed getUserMedia, a camera that gives no picture within
// PAGE_CAMERA_FIRST_FRAME_MS (or a getUserMedia that has not answered by then) and a camera
// unplugged while running (its track `ended`) become a `problem`
// (camera/page-camera.ts). A failed camera is tried again, on a backoff and at once when a
// device is plugged in (`devicechange`); the problem clears with the first picture. An open
// camera whose track stays muted, or whose picture stops changing, is a problem too
// (camera/picture-watch.ts): it stays open, its stale picture is not pushed, and the problem
// clears when the track unmutes or the picture moves (or a plugged-in camera reopens it). The core
// is told too (cameraReport), once per change, so its own state, log and the server's Kiosks
// page know; a report that did not arrive is sent again at the next try or picture.
import { useEffect, useState } from 'react';
import type { UiApi } from '../api/checked-api.js';
import {
  firstFrameProblem,
  pageCameraProblem,
  pageCameraRetryMs,
  unpluggedProblem,
  pageCameraReport,
  PAGE_CAMERA_FIRST_FRAME_MS,
  type PageCameraProblem,
} from './page-camera.js';
import { PictureWatch } from './picture-watch.js';

const PUSH_INTERVAL_MS = 100;
const JPEG_QUALITY = 0.85;
/** How often the picture is sampled for the freeze check: often enough, and cheap (a few rows). */
const SAMPLE_EVERY_MS = 1_000;
const SAMPLE_ROWS = 4;

/**
 * A few whole rows of the picture, at full resolution: raw pixels keep the sensor's noise,
 * which a downscaled copy would average away (a still scene would then look frozen).
 */
function sparseSample(ctx: CanvasRenderingContext2D, width: number, height: number): Uint8Array {
  const rowBytes = width * 4;
  const out = new Uint8Array(rowBytes * SAMPLE_ROWS);
  for (let k = 0; k < SAMPLE_ROWS; k++) {
    const y = Math.floor((height * (k + 1)) / (SAMPLE_ROWS + 1));
    out.set(ctx.getImageData(0, y, width, 1).data, k * rowBytes);
  }
  return out;
}

export function useBrowserCamera(
  api: UiApi,
  browserCamera: { deviceId: string | null } | null | undefined,
): {
  stream: MediaStream | null;
  problem: PageCameraProblem | null;
} {
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [problem, setProblem] = useState<PageCameraProblem | null>(null);
  const deviceId = browserCamera ? (browserCamera.deviceId ?? '') : null;
  const push = api.cameraPushFrame;
  const tellCore = api.cameraReport;

  useEffect(() => {
    if (deviceId === null || !push) return;
    const devices = navigator.mediaDevices as MediaDevices | undefined;
    let stopped = false;
    /** Which try is current: a late answer of an earlier one only closes its stream. */
    let attempt = 0;
    let failures = 0;
    let failing = false;
    /** The problem last reported (null: none), so a lasting one is reported once. */
    let current: PageCameraProblem | null = null;
    /** The open camera's track and picture (a new one for every try). */
    let watch = new PictureWatch();
    let nextSampleAt = 0;
    let media: MediaStream | null = null;
    let pumpTimer: ReturnType<typeof setTimeout> | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let firstFrameTimer: ReturnType<typeof setTimeout> | undefined;
    const video = document.createElement('video');
    video.muted = true;
    const canvas = document.createElement('canvas');

    /** What the core was last told ("status reason"), null when not told or not delivered. */
    let told: string | null = null;
    const tell = (p: PageCameraProblem | null) => {
      const report = pageCameraReport(p);
      const key = report.status === 'running' ? 'running' : `${report.status} ${report.reason}`;
      if (key === told) return;
      told = key;
      void tellCore(report).then((r) => {
        // Not delivered (the bridge briefly away): the next try or picture says it again. A
        // refusal (the camera is no longer the page's) is not worth repeating.
        if (!r.ok && (r.error.code === 'unreachable' || r.error.code === 'internal') && told === key)
          told = null;
      });
    };
    const report = (p: PageCameraProblem | null) => {
      failing = p !== null;
      current = p;
      setProblem(p);
      tell(p);
    };
    const closeMedia = () => {
      clearTimeout(pumpTimer);
      clearTimeout(firstFrameTimer);
      media?.getTracks().forEach((t) => t.stop());
      media = null;
      video.srcObject = null;
    };
    const fail = (p: PageCameraProblem) => {
      closeMedia();
      setStream(null);
      report(p);
      failures += 1;
      clearTimeout(retryTimer);
      retryTimer = setTimeout(open, pageCameraRetryMs(failures));
    };

    const pump = () => {
      if (stopped) return;
      if (video.videoWidth > 0) {
        clearTimeout(firstFrameTimer);
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        const ctx = canvas.getContext('2d');
        ctx?.drawImage(video, 0, 0);
        const now = Date.now();
        if (ctx && now >= nextSampleAt) {
          nextSampleAt = now + SAMPLE_EVERY_MS;
          // A hidden page's video may stop being drawn: that is not the camera's doing.
          if (document.hidden) watch.forgetPicture();
          else watch.sample(sparseSample(ctx, canvas.width, canvas.height), now);
        }
        const stuck = watch.problem(now);
        if (stuck) {
          // A muted or frozen camera's picture is an old one: it says nothing of who is at the
          // door now, so it is not pushed (a student who has left must not be marked from it).
          // A covered one shows nobody: nothing to push either.
          if (current?.kind !== stuck.kind) report(stuck);
          else tell(stuck); // again, if the core did not get it
          pumpTimer = setTimeout(pump, PUSH_INTERVAL_MS);
          return;
        }
        if (failing) {
          // The first (or a moving) picture: the camera is back.
          failures = 0;
          report(null);
        }
        // With a picture the core is told there is no problem (again, if that report was lost).
        tell(null);
        canvas.toBlob(
          (blob) => {
            if (!blob || stopped) return;
            void blob.arrayBuffer().then((buf) => push(new Uint8Array(buf)));
          },
          'image/jpeg',
          JPEG_QUALITY,
        );
      }
      pumpTimer = setTimeout(pump, PUSH_INTERVAL_MS);
    };

    function open() {
      if (stopped) return;
      const mine = ++attempt;
      clearTimeout(retryTimer);
      closeMedia();
      watch = new PictureWatch();
      nextSampleAt = 0;
      firstFrameTimer = setTimeout(() => {
        if (stopped || mine !== attempt) return;
        // An open camera without a picture is closed and tried again; a try still waiting (a
        // permission prompt, a hung driver) may yet answer, so it is only reported, as a camera
        // that did not answer (a plugged-in camera, devicechange, starts a new try anyway).
        const problem = firstFrameProblem(media !== null);
        if (media) fail(problem);
        else report(problem);
      }, PAGE_CAMERA_FIRST_FRAME_MS);
      if (!devices?.getUserMedia) {
        fail(pageCameraProblem(new TypeError('this page cannot open a camera (no mediaDevices)')));
        return;
      }
      devices
        .getUserMedia({
          video: deviceId ? { deviceId: { exact: deviceId } } : { width: 1280, height: 720 },
          audio: false,
        })
        .then(async (s) => {
          if (stopped || mine !== attempt) {
            s.getTracks().forEach((t) => t.stop());
            return;
          }
          media = s;
          for (const track of s.getVideoTracks()) {
            track.addEventListener('ended', () => {
              if (!stopped && mine === attempt) fail(unpluggedProblem());
            });
            // Muted: open, but no frames come (the <video> keeps showing the last one).
            if (track.muted) watch.muted(Date.now());
            track.addEventListener('mute', () => {
              if (!stopped && mine === attempt) watch.muted(Date.now());
            });
            track.addEventListener('unmute', () => {
              if (!stopped && mine === attempt) watch.unmuted();
            });
          }
          video.srcObject = s;
          await video.play();
          if (stopped || mine !== attempt) return;
          setStream(s);
          pump();
        })
        .catch((err: unknown) => {
          if (!stopped && mine === attempt) fail(pageCameraProblem(err));
        });
    }

    // A camera plugged in (or out): a failing camera is tried again at once.
    const onDeviceChange = () => {
      if (failing) open();
    };
    devices?.addEventListener?.('devicechange', onDeviceChange);
    // A new page (a reload) or another camera starts clean in the core too: a problem an earlier
    // page reported was about the camera it had open, and this one is only being opened.
    tell(null);
    open();

    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      closeMedia();
      devices?.removeEventListener?.('devicechange', onDeviceChange);
      setStream(null);
      // A problem belongs to the camera it was about: a new device, or a native camera instead
      // of the page's, starts clean (the Enrol screen would otherwise keep refusing captures).
      setProblem(null);
    };
  }, [deviceId, push, tellCore]);

  return { stream, problem };
}
