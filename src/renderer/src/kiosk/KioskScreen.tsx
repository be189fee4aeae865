// The door screen: readable from two metres. Camera with face boxes, a big greeting that
// says what happened, the class in session, and an offline badge with marks waiting.
import { useEffect, useRef } from 'react';
import type { KioskState } from '../../../contracts/kiosk-api';
import { CameraPreview } from './CameraPreview';
import { playCue } from '../sound';
import { greetingView, isGreetingFresh, sessionLine, syncBadge } from '../view-model';
import { useNow } from '../hooks';

interface Props {
  state: KioskState;
  stream: MediaStream | null;
  cameraError: string | null;
  onAdmin: () => void;
  /** The shell's preview URL (UiApi.framePreviewUrl), if it has its own. */
  frameUrl?: ((seq: number) => string) | undefined;
}

function Blocker({ state, cameraError }: { state: KioskState; cameraError: string | null }) {
  const { engine, camera } = state;
  if (engine.state === 'error') {
    return (
      <div className="blocker blocker--bad" data-testid="blocker" data-kind="engine-error">
        <div className="blocker__title">Face recognition is not working</div>
        <div className="blocker__detail">{engine.error ?? 'Unknown error'} — please tell the office.</div>
      </div>
    );
  }
  if (cameraError || camera.status === 'missing' || camera.status === 'error') {
    return (
      <div className="blocker blocker--bad" data-testid="blocker" data-kind="camera-missing">
        <div className="blocker__title">{camera.status === 'missing' ? 'No camera found' : 'Camera problem'}</div>
        <div className="blocker__detail">{cameraError ?? camera.detail ?? 'Check that the camera is plugged in.'}</div>
      </div>
    );
  }
  if (engine.state === 'loading') {
    const pct = Math.round(Math.min(1, Math.max(0, engine.progress)) * 100);
    return (
      <div className="blocker" data-testid="blocker" data-kind="loading">
        <div className="blocker__title">Getting ready…</div>
        <div className="blocker__detail">Loading face models ({pct}%)</div>
        <div className="progress" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
          <div className="progress__bar" style={{ width: `${pct}%` }} />
        </div>
      </div>
    );
  }
  if (camera.status === 'starting' || camera.status === 'stopped') {
    return (
      <div className="blocker" data-testid="blocker" data-kind="camera-starting">
        <div className="blocker__title">{camera.status === 'starting' ? 'Starting the camera…' : 'Camera off'}</div>
        {camera.detail && <div className="blocker__detail">{camera.detail}</div>}
      </div>
    );
  }
  return null;
}

export function KioskScreen({ state, stream, cameraError, onAdmin, frameUrl }: Props) {
  const now = useNow(500);
  const fresh = isGreetingFresh(state.greeting, now) ? state.greeting : null;
  const view = fresh ? greetingView(fresh, state.session?.className ?? null) : null;
  const session = sessionLine(state.session, now, state.noClassToday ?? false);
  const badge = syncBadge(state.sync);
  const cameraWorks = state.camera.status === 'running' || state.camera.status === 'starting';

  // Sound once per new greeting (keyed by its time + student), only if enabled.
  const audio = useRef<AudioContext | null>(null);
  const lastCue = useRef<string | null>(null);
  const cueKey = fresh ? `${fresh.at}|${fresh.studentId ?? ''}|${fresh.kind}` : null;
  useEffect(() => {
    if (!cueKey || !view || cueKey === lastCue.current) return;
    lastCue.current = cueKey;
    if (!state.soundCue) return;
    try {
      audio.current ??= new AudioContext();
      playCue(audio.current, view.tone);
    } catch {
      // No audio device: the cue is optional, the screen still says everything.
    }
  }, [cueKey, view, state.soundCue]);

  return (
    <div className="kiosk" data-screen="kiosk" data-app-state="ready">
      <header className="topbar">
        <div className="topbar__session" data-testid="session">
          <div className="topbar__title">{session.title}</div>
          <div className="topbar__detail">{session.detail}</div>
        </div>
        <div className="topbar__right">
          {badge && (
            <div className={`badge badge--${badge.tone}`} data-testid="sync-badge">
              {badge.text}
            </div>
          )}
          <div className="clock">{new Date(now).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false })}</div>
        </div>
      </header>
      <main className="kiosk__body">
        <div className="kiosk__camera">
          <CameraPreview state={state} stream={stream} frameUrl={frameUrl} />
          <Blocker state={state} cameraError={cameraError} />
        </div>
        {view && fresh ? (
          <section className={`greeting greeting--${view.tone}`} data-testid="greeting" data-kind={fresh.kind} aria-live="polite">
            {view.salutation && <div className="greeting__salutation">{view.salutation}</div>}
            <div className="greeting__headline" data-testid="greeting-name">
              {view.headline}
            </div>
            <div className="greeting__status">{view.status}</div>
            {view.detail && <div className="greeting__detail">{view.detail}</div>}
          </section>
        ) : (
          <section className="greeting greeting--idle" data-testid="greeting" data-kind="idle" aria-live="polite">
            <div className="greeting__headline">{!cameraWorks ? 'Hello' : state.session ? 'Look at the camera' : 'Hello'}</div>
            <div className="greeting__status">
              {!cameraWorks
                ? 'Attendance is paused — please tell your teacher'
                : state.session
                  ? 'Pause for a moment as you walk in'
                  : state.noClassToday
                    ? 'No class today'
                    : 'No class in this room right now'}
            </div>
          </section>
        )}
      </main>
      <footer className="kiosk__footer">
        <span>{state.room ? state.room.name : 'No room set'}</span>
        <button type="button" className="admin-link" onClick={onAdmin} data-testid="open-admin">
          Admin
        </button>
      </footer>
    </div>
  );
}
