// The live camera image with face boxes. The preview is the core's latest frame as JPEG
// (FRAME_PREVIEW_PATH), or the page's own <video> when the page owns the camera (Electron
// getUserMedia). Boxes are normalised to the frame, so they are placed in percent inside
// a box with the frame's aspect ratio and stay right at any window size. The shell may give
// its own preview URL (the browser bridge adds its access token; see api/bridge-client.ts).
import { useEffect, useRef } from 'react';
import type { KioskState } from '../../../contracts/kiosk-api.js';
import { previewPath } from '../api/preview-path.js';

interface Props {
  state: KioskState;
  stream?: MediaStream | null;
  compact?: boolean;
  /**
   * No class or no roster: faces are outlined in a neutral colour and never labelled
   * "unknown" (nobody is being recognised, so nobody is "not recognised").
   */
  calm?: boolean;
  /** The <img> URL of frame (`seq`, `epoch`); by default previewPath() relative to the page. */
  frameUrl?: ((seq: number, epoch?: string) => string) | undefined;
}

export function CameraPreview({
  state,
  stream = null,
  compact = false,
  calm = false,
  frameUrl = previewPath,
}: Props) {
  const videoRef = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (videoRef.current && stream) videoRef.current.srcObject = stream;
  }, [stream]);
  const live = stream !== null || state.camera.status === 'running';
  const frame = state.frame;
  const aspect = frame ? `${frame.width} / ${frame.height}` : '4 / 3';
  return (
    <div className={`preview${compact ? ' preview--compact' : ''}`} data-testid="camera-preview">
      <div className="preview__frame" style={{ aspectRatio: aspect }}>
        {stream ? (
          <video ref={videoRef} className="preview__media" autoPlay muted playsInline />
        ) : frame && live ? (
          <img
            // A new camera start is a new element: it stays blank until its own first picture
            // loads, instead of holding the previous camera's last picture meanwhile.
            key={frame.epoch ?? 'frame'}
            className="preview__media"
            alt=""
            src={frameUrl(frame.seq, frame.epoch)}
            // A shell without a preview answers 404: show the boxes on black, not a broken image.
            onError={(e) => (e.currentTarget.style.visibility = 'hidden')}
            onLoad={(e) => (e.currentTarget.style.visibility = 'visible')}
          />
        ) : state.camera.status === 'running' ? (
          <div className="preview__empty">Waiting for the first picture…</div>
        ) : null}
        {/* Boxes from a camera that has stopped are stale: show none rather than old ones. No name
            on a box: the greeting says whom a decision named, in type read from the door; a name
            over a box was too small to read there, ran off the picture at its edges and over the
            next face's, and once named a photo held up to the door (docs/security.md row 43). */}
        {(live ? state.faces : []).map((f, i) => {
          const [x, y, w, h] = f.box;
          return (
            <div
              key={i}
              className={`facebox facebox--${calm ? 'calm' : f.state}`}
              data-testid="face-box"
              style={{ left: `${x * 100}%`, top: `${y * 100}%`, width: `${w * 100}%`, height: `${h * 100}%` }}
            />
          );
        })}
      </div>
    </div>
  );
}
