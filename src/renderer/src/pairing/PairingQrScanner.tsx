// "Scan the QR code" on the pairing form: the kiosk's own camera reads the code the staff
// console shows beside a new pairing code. Twice a second it takes the picture the preview shows
// (the core's latest frame, or the page's own <video> when the page owns the camera), draws it
// on a canvas and looks for a Rollcall pairing code (decode-pairing-qr.ts). What it finds only
// fills the form: the admin checks the server address and presses Pair.
import { useEffect, useRef, useState } from 'react';
import type { KioskState } from '../../../contracts/kiosk-api.js';
import type { PairingQr } from '../../../contracts/pairing-qr.js';
import { previewPath } from '../api/preview-path.js';
import { CameraPreview } from '../kiosk/CameraPreview.js';
import { decodePairingQr } from './decode-pairing-qr.js';

const EVERY_MS = 500;
const GIVE_UP_MS = 60_000;

/** The current picture as pixels, or null when there is none yet. */
async function grab(
  source: { stream: MediaStream | null; video: HTMLVideoElement | null; url: string | null },
  canvas: HTMLCanvasElement,
): Promise<ImageData | null> {
  let image: CanvasImageSource;
  let width: number;
  let height: number;
  if (source.stream && source.video) {
    if (source.video.readyState < 2) return null;
    image = source.video;
    width = source.video.videoWidth;
    height = source.video.videoHeight;
  } else if (source.url) {
    const img = new Image();
    img.src = source.url;
    await img.decode();
    image = img;
    width = img.naturalWidth;
    height = img.naturalHeight;
  } else return null;
  if (width === 0 || height === 0) return null;
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return null;
  ctx.drawImage(image, 0, 0, width, height);
  return ctx.getImageData(0, 0, width, height);
}

export function PairingQrScanner({
  state,
  stream,
  frameUrl = previewPath,
  onFound,
  onClose,
}: {
  state: KioskState;
  stream: MediaStream | null;
  frameUrl?: ((seq: number, epoch?: string) => string) | undefined;
  onFound(qr: PairingQr): void;
  onClose(): void;
}) {
  const [status, setStatus] = useState<'looking' | 'gave_up' | 'no_camera'>('looking');
  const latest = useRef({ state, stream, frameUrl, onFound });
  latest.current = { state, stream, frameUrl, onFound };
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let stopped = false;
    const canvas = document.createElement('canvas');
    let video: HTMLVideoElement | null = null;
    if (latest.current.stream) {
      video = document.createElement('video');
      video.muted = true;
      video.playsInline = true;
      video.srcObject = latest.current.stream;
      void video.play().catch(() => undefined);
    }
    const started = Date.now();
    setStatus('looking');
    const tick = async () => {
      if (stopped) return;
      const { state: s, stream: st, frameUrl: url, onFound: found } = latest.current;
      const frame = s.frame;
      const source = {
        stream: st,
        video,
        url: !st && frame && s.camera.status === 'running' ? url(frame.seq, frame.epoch) : null,
      };
      try {
        const pixels = await grab(source, canvas);
        const qr = pixels ? decodePairingQr(pixels.data, pixels.width, pixels.height) : null;
        if (qr && !stopped) {
          stopped = true;
          found(qr);
          return;
        }
      } catch {
        // A frame that failed to load (the camera restarting): the next one is tried.
      }
      if (stopped) return;
      if (Date.now() - started > GIVE_UP_MS) {
        setStatus(!st && s.camera.status !== 'running' ? 'no_camera' : 'gave_up');
        return;
      }
      timer = setTimeout(() => void tick(), EVERY_MS);
    };
    let timer = setTimeout(() => void tick(), 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
      if (video) video.srcObject = null;
    };
  }, [attempt]);

  return (
    <div className="qr-scan" data-testid="pair-qr-scanner">
      <CameraPreview state={state} stream={stream} compact frameUrl={frameUrl} />
      <p role="status" data-testid="pair-qr-status">
        {status === 'looking'
          ? 'Looking for the QR code… Hold the code the staff console shows in front of this kiosk’s camera.'
          : status === 'no_camera'
            ? 'The camera is not running, so the code cannot be read. Type the server address and the code instead.'
            : 'No pairing QR code seen in the last minute. Hold it closer and steady, or type the code.'}
      </p>
      <div className="row">
        {status !== 'looking' && (
          <button type="button" className="btn" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        )}
        <button type="button" className="btn" onClick={onClose} data-testid="pair-qr-stop">
          Stop scanning
        </button>
      </div>
    </div>
  );
}
