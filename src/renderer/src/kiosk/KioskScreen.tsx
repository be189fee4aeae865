// The door screen: readable from two metres. Camera with face boxes, a big greeting that
// says what happened, the class in session, and a quiet badge when marks wait to be sent.
// When the door cannot take attendance (loading, camera, engine) it says only that, calmly.
import { useEffect, useRef } from 'react';
import type { KioskState } from '../../../contracts/kiosk-api.js';
import { CameraPreview } from './CameraPreview.js';
import { playCue } from '../sound.js';
import {
  clockTime,
  doorBlock,
  greetingShown,
  greetingKey,
  greetingsOnScreen,
  greetingView,
  heldGreetings,
  idleView,
  noteDoorHint,
  noteGreetingSightings,
  sessionLine,
  syncBadge,
  type DoorBlock,
  type DoorHintSighting,
  type GreetingSightings,
  type GreetingView,
  type IdleView,
} from '../view-model.js';
import { useNow } from '../hooks.js';
import { useFitText, useFocusOnMount } from '../a11y.js';

interface Props {
  state: KioskState;
  stream: MediaStream | null;
  onAdmin: () => void;
  /** The shell's preview URL (UiApi.framePreviewUrl), if it has its own. */
  frameUrl?: ((seq: number, epoch?: string) => string) | undefined;
}

/**
 * The door cannot take attendance: one calm message for students, over the whole body (the
 * camera is not working or not used yet). What went wrong technically is in the admin area.
 */
function DoorBlocked({ block }: { block: DoorBlock }) {
  return (
    <section className="doorblock" data-testid="blocker" data-kind={block.kind} aria-live="polite">
      <h2 className="doorblock__title">{block.title}</h2>
      <p className="doorblock__detail">{block.detail}</p>
      {block.progress !== null && (
        <div
          className="progress"
          role="progressbar"
          aria-label="Getting ready"
          aria-valuenow={block.progress}
          aria-valuemin={0}
          aria-valuemax={100}
        >
          <div className="progress__bar" style={{ width: `${block.progress}%` }} />
        </div>
      )}
    </section>
  );
}

/** Someone else greeted a moment before, still at the door: one short line each. */
interface OtherGreeting {
  key: string;
  kind: string;
  view: GreetingView;
}

function Greeting({ view, kind, others }: { view: GreetingView; kind: string; others: OtherGreeting[] }) {
  const ref = useFitText<HTMLElement>(
    `${kind}|${view.headline}|${view.status}|${view.detail ?? ''}|${others.map((o) => o.key).join(',')}`,
  );
  return (
    <section
      ref={ref}
      className={`greeting greeting--${view.tone}`}
      data-testid="greeting"
      data-kind={kind}
      aria-live="polite"
    >
      {view.salutation && <p className="greeting__salutation">{view.salutation}</p>}
      <p className="greeting__headline" data-testid="greeting-name">
        {view.headline}
      </p>
      <p className="greeting__status">{view.status}</p>
      {view.detail && <p className="greeting__detail">{view.detail}</p>}
      {others.length > 0 && (
        <ul className="greeting__others" data-testid="greeting-others">
          {others.map((o) => (
            <li key={o.key} className={`greeting__other greeting__other--${o.view.tone}`} data-kind={o.kind}>
              <span className="greeting__other-name">{o.view.headline}</span>{' '}
              <span className="greeting__other-status">{o.view.status}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Idle({ view }: { view: IdleView }) {
  const ref = useFitText<HTMLElement>(`${view.kind}|${view.headline}`);
  return (
    <section
      ref={ref}
      className="greeting greeting--idle"
      data-testid="greeting"
      data-kind="idle"
      data-idle={view.kind}
      data-hint={view.hint}
      aria-live="polite"
    >
      <p className="greeting__headline">{view.headline}</p>
      <p className="greeting__status">{view.status}</p>
    </section>
  );
}

export function KioskScreen({ state, stream, onAdmin, frameUrl }: Props) {
  const now = useNow(500);
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const block = doorBlock(state);
  // When the greeted face was last in view: a greeting goes soon after its face (view-model).
  // Noted on every render (a new state, or the clock's tick); the rule is pure, so a repeated
  // render notes the same.
  // Several people greeted a moment apart each keep theirs while their own face is in view.
  const sightings = useRef<GreetingSightings>(new Map());
  const held = heldGreetings(state);
  sightings.current = noteGreetingSightings(sightings.current, held, state.faces, now);
  const onScreen = block
    ? []
    : greetingsOnScreen(held, sightings.current, state.faces, now).filter((g) => greetingShown(g, state));
  const fresh = onScreen[0] ?? null;
  const className = state.session?.className ?? null;
  const view = fresh ? greetingView(fresh, className) : null;
  const others: OtherGreeting[] = onScreen.slice(1).map((g) => ({
    key: greetingKey(g),
    kind: g.kind,
    view: greetingView(g, className),
  }));
  // Someone the camera sees but cannot judge (too far, turned away, too dark) is told what to do.
  const hintSeen = useRef<DoorHintSighting | null>(null);
  hintSeen.current = noteDoorHint(hintSeen.current, state.faces, now);
  const session = sessionLine(state.session, now, state.noClassToday ?? false);
  const badge = syncBadge(state.sync);
  // Without a class or a roster nobody is recognised: faces get a neutral outline, no "unknown".
  const calm = !state.session || !state.sync.paired;

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
          <h1 className="topbar__title" ref={heading} tabIndex={-1}>
            {session.title}
          </h1>
          <p className="topbar__detail">{session.detail}</p>
        </div>
        <div className="topbar__right">
          {badge && (
            <p className={`badge badge--${badge.tone}`} data-testid="sync-badge">
              {badge.text}
            </p>
          )}
          <p className="clock">{clockTime(new Date(now))}</p>
        </div>
      </header>
      <main className={`kiosk__body${block ? ' kiosk__body--blocked' : ''}`}>
        {block ? (
          <DoorBlocked block={block} />
        ) : (
          <>
            <div className="kiosk__camera">
              <CameraPreview state={state} stream={stream} frameUrl={frameUrl} calm={calm} />
            </div>
            {view && fresh ? (
              <Greeting view={view} kind={fresh.kind} others={others} />
            ) : (
              <Idle view={idleView(state, hintSeen.current?.hint ?? null)} />
            )}
          </>
        )}
      </main>
      <footer className="kiosk__footer">
        <p className="kiosk__room">{state.room ? state.room.name : 'Rollcall'}</p>
        <button type="button" className="admin-link" onClick={onAdmin} data-testid="open-admin">
          Admin
        </button>
      </footer>
    </div>
  );
}
