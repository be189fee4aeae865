// The live camera image with face boxes. The preview is the core's latest frame as JPEG
// (FRAME_PREVIEW_PATH), or the page's own <video> when the page owns the camera (Electron
// getUserMedia). Boxes are normalised to the frame, so they are placed in percent inside
// a box with the frame's aspect ratio and stay right at any window size. The shell may give
// its own preview URL (the browser bridge adds its access token; see api/bridge-client.ts).
import { useEffect, useRef } from 'react';
import { FRAME_PREVIEW_PATH, type KioskState } from '../../../contracts/kiosk-api';

interface Props {
  state: KioskState;
  stream?: MediaStream | null;
  compact?: boolean;
  /** The <img> URL of frame `seq`; by default FRAME_PREVIEW_PATH relative to the page. */
  frameUrl?: ((seq: number) => string) | undefined;
}

const defaultFrameUrl = (seq: number) => `${FRAME_PREVIEW_PATH}?seq=${seq}`;

const BOX_LABEL: Record<KioskState['faces'][number]['state'], string> = {
  gated: '',
  unknown: 'Unknown',
  candidate: '',
  recognised: '',
};

export function CameraPreview({ state, stream = null, compact = false, frameUrl = defaultFrameUrl }: Props) {
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
            className="preview__media"
            alt=""
            src={frameUrl(frame.seq)}
            // A shell without a preview answers 404: show the boxes on black, not a broken image.
            onError={(e) => (e.currentTarget.style.visibility = 'hidden')}
            onLoad={(e) => (e.currentTarget.style.visibility = 'visible')}
          />
        ) : state.camera.status === 'running' ? (
          <div className="preview__empty">Waiting for the first picture…</div>
        ) : null}
        {/* Boxes from a camera that has stopped are stale: show none rather than old ones. */}
        {(live ? state.faces : []).map((f, i) => {
          const [x, y, w, h] = f.box;
          return (
            <div
              key={i}
              className={`facebox facebox--${f.state}`}
              data-testid="face-box"
              style={{ left: `${x * 100}%`, top: `${y * 100}%`, width: `${w * 100}%`, height: `${h * 100}%` }}
            >
              {(f.label ?? BOX_LABEL[f.state]) && <span className="facebox__label">{f.label ?? BOX_LABEL[f.state]}</span>}
            </div>
          );
        })}
      </div>
    </div>
  );
}
