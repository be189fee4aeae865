// When the kiosk's camera spec is `browser[:deviceId]` (Electron), the page owns the camera:
// it opens getUserMedia, shows the stream itself and hands JPEG frames to the core through
// the preload's cameraPushFrame. Frames are pushed at a bounded rate; the core drops what it
// cannot keep up with, so this loop never queues.
import { useEffect, useState } from 'react';
import type { UiApi } from '../api/checked-api.js';

const PUSH_INTERVAL_MS = 100;
const JPEG_QUALITY = 0.85;

export function useBrowserCamera(
  api: UiApi,
  browserCamera: { deviceId: string | null } | null | undefined,
): {
  stream: MediaStream | null;
  error: string | null;
} {
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [error, setError] = useState<string | null>(null);
  const deviceId = browserCamera ? (browserCamera.deviceId ?? '') : null;
  const push = api.cameraPushFrame;

  useEffect(() => {
    if (deviceId === null || !push) return;
    let stopped = false;
    let media: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const video = document.createElement('video');
    video.muted = true;
    const canvas = document.createElement('canvas');

    const pump = () => {
      if (stopped) return;
      if (video.videoWidth > 0) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        canvas.getContext('2d')?.drawImage(video, 0, 0);
        canvas.toBlob(
          (blob) => {
            if (!blob || stopped) return;
            void blob.arrayBuffer().then((buf) => push(new Uint8Array(buf)));
          },
          'image/jpeg',
          JPEG_QUALITY,
        );
      }
      timer = setTimeout(pump, PUSH_INTERVAL_MS);
    };

    navigator.mediaDevices
      .getUserMedia({
        video: deviceId ? { deviceId: { exact: deviceId } } : { width: 1280, height: 720 },
        audio: false,
      })
      .then(async (s) => {
        if (stopped) {
          s.getTracks().forEach((t) => t.stop());
          return;
        }
        media = s;
        video.srcObject = s;
        await video.play();
        setStream(s);
        setError(null);
        pump();
      })
      .catch((err: unknown) => setError(err instanceof Error ? `${err.name}: ${err.message}` : String(err)));

    return () => {
      stopped = true;
      clearTimeout(timer);
      media?.getTracks().forEach((t) => t.stop());
      setStream(null);
      // An error belongs to the camera it was about: a new device, or a native camera instead of
      // the page's, starts clean (the Enrol screen would otherwise keep refusing captures).
      setError(null);
    };
  }, [deviceId, push]);

  return { stream, error };
}
