// What the screen shows, projected from the kiosk's parts on demand (KioskState), and the
// stream of it to subscribers. The view keeps only what nothing else holds: the last frame,
// the faces drawn over it and the greeting.
import type { Logger } from 'pino';
import { GREETING_MAX_MS, GREETINGS_MAX, type KioskState } from '../contracts/kiosk-api.js';
import type { AttendanceEngine, Decision } from './attendance/engine.js';
import type { FramePipeline } from './camera/index.js';
import type { CameraController } from './camera-controller.js';
import type { FaceEngineSlot } from './face-engine-slot.js';
import type { KioskStore } from './store/index.js';
import type { SyncService } from '../sync/index.js';

export interface ViewSources {
  store: KioskStore;
  now: () => Date;
  logger: Logger;
  attendance: AttendanceEngine;
  sync: SyncService;
  camera: CameraController;
  pipeline: FramePipeline;
  faceEngine: FaceEngineSlot;
  placement: () => { roomId: string | null; timezone: string | null };
}

type Greeting = NonNullable<KioskState['greeting']>;

/** A decision about the same student's same face that says nothing their greeting does not. */
function repeats(d: Decision, held: Greeting): boolean {
  if (held.track === null || held.track === undefined || held.track !== d.track) return false;
  if (held.studentId === null || held.studentId !== d.studentId) return false;
  return (
    held.kind === d.kind || (d.kind === 'already_marked' && (held.kind === 'present' || held.kind === 'late'))
  );
}

export class KioskView {
  frame: KioskState['frame'] = null;
  /** The last analysed frame as the camera encoded it, for the UI preview. */
  frameData: { seq: number; epoch: string; data: Uint8Array } | null = null;
  /** The current camera start (CameraController.epoch); frames of an older one are not shown. */
  epoch = '';
  faces: KioskState['faces'] = [];
  /**
   * Newest first, one per face track: people arriving together are each greeted, and a newer
   * greeting no longer takes the previous person's away before they have read it.
   */
  private greetings: Greeting[] = [];
  private closed = false;
  private readonly listeners = new Set<(s: KioskState) => void>();

  constructor(private readonly src: ViewSources) {}

  /** A camera (re)start: nothing of the old camera may be shown or served as current. */
  newCamera(epoch: string): void {
    this.epoch = epoch;
    this.frame = null;
    this.frameData = null;
    this.faces = [];
  }

  /** The old site's people were wiped: no greeting or labelled face of theirs stays on screen. */
  forgetPeople(): void {
    this.greetings = [];
    this.faces = [];
  }

  greet(d: Decision): void {
    this.greetings = this.greetings.filter((g) => this.live(g));
    // The face still in view is decided again every few frames; inside the cooldown that only
    // says "already marked". While their own greeting is up, that says nothing new and would take
    // "Marked late" away before they read it: it stays (its time, and so its cap, too).
    if (this.greetings.some((g) => repeats(d, g))) return;
    const track = d.track ?? null;
    const greeting: Greeting = {
      kind: d.kind,
      studentId: d.studentId,
      name: d.name,
      message: d.message,
      at: d.at,
      scores: d.scores,
      track,
    };
    // A newer word about the same face replaces its older one; a greeting without a track (it
    // cannot be told apart from anyone's) replaces them all, as the single greeting did.
    const others = track === null ? [] : this.greetings.filter((g) => g.track !== track && g.track != null);
    this.greetings = [greeting, ...others].slice(0, GREETINGS_MAX);
  }

  private live(g: Greeting): boolean {
    return this.src.now().getTime() - new Date(g.at).getTime() < GREETING_MAX_MS;
  }

  state(): KioskState {
    const { store, attendance, pipeline, camera, sync } = this.src;
    const session = attendance.session();
    const { roomId } = this.src.placement();
    const room = roomId ? store.roster.getRoom(roomId) : null;
    const cls = session ? store.roster.getClass(session.classId) : null;
    // The longest any screen shows one; the door takes it down sooner when its face has left.
    this.greetings = this.greetings.filter((g) => this.live(g));
    return {
      engine: { ...this.src.faceEngine.status },
      camera: { ...camera.status, fps: pipeline.fps() },
      frame: this.frame,
      faces: this.faces,
      greeting: this.greetings[0] ?? null,
      greetings: [...this.greetings],
      session: session
        ? {
            sessionId: session.sessionId,
            className: cls?.name ?? session.classId,
            startsAt: session.startsAt,
            endsAt: session.endsAt,
            lateAfter: session.lateAfter,
          }
        : null,
      noClassToday: session ? false : attendance.noClassToday(),
      room: room ?? (roomId ? { id: roomId, name: roomId } : null),
      // The door's room, just read: the sync line reuses it when it is the paired room.
      sync: sync.status(roomId ? { roomId, room } : undefined),
      droppedFrames: pipeline.counters.dropped,
      // Tells the page to open getUserMedia and push frames (camera spec `push`).
      browserCamera: camera.takesPushedFrames ? { deviceId: null } : null,
      soundCue: store.settings.get().soundCue,
      // Cached by the attendance engine with its gallery, so this costs nothing per frame.
      templateCoverage: attendance.coverage,
      // One indexed row: the PIN pad shows a running lockout as soon as it opens.
      pinLockedUntil: store.pin.lockedUntil(),
    };
  }

  subscribe(listener: (s: KioskState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(): void {
    if (this.closed || this.listeners.size === 0) return;
    const s = this.state();
    for (const l of this.listeners) {
      try {
        l(s);
      } catch (err) {
        this.src.logger.error({ err }, 'state listener threw');
      }
    }
  }

  close(): void {
    this.closed = true;
  }
}
