// Pure functions that turn kiosk state into what the screens say. Kept apart from React so
// the wording (which matters at the door) is unit-tested.
import type { z } from 'zod';
import {
  GREETING_MAX_MS,
  type ActiveSession,
  type Greeting,
  type KioskState,
  type SyncStatus,
} from '../../contracts/kiosk-api.js';
import { cameraNotWorking } from '../../contracts/sync.js';

/**
 * `elsewhere`: a known student at a door whose class list does not have them (perhaps the wrong
 * room). Its own colour (violet), so from two metres it never reads as "Marked late" (amber).
 */
export type Tone = 'good' | 'warn' | 'info' | 'bad' | 'neutral' | 'elsewhere';

export interface GreetingView {
  /** Small line above the name ("Welcome"), or null. */
  salutation: string | null;
  /** The name, or what happened when there is no name. */
  headline: string;
  status: string;
  detail: string | null;
  tone: Tone;
}

type GreetingT = z.infer<typeof Greeting>;
type FacesT = KioskState['faces'];

/**
 * A time on the kiosk's 24-hour clock, "08:02" ("08:02:15" with seconds). `hourCycle: 'h23'`, not
 * `hour12: false`: the latter gives "24:10" after midnight in an en-US locale.
 */
export const clockTime = (d: Date, seconds = false): string =>
  d.toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' as const } : {}),
    hourCycle: 'h23',
  });

const hhmm = (iso: string): string => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '--:--' : clockTime(d);
};

export { GREETING_MAX_MS };
/**
 * How long a greeting stays after its face has left the camera (nobody else in view): enough to
 * read "Welcome, Name · Marked present" over the shoulder on the way in.
 */
export const GREETING_AFTER_FACE_MS = 3_000;

/**
 * The core's own message repeats what the screen already says in bigger type, so the small
 * detail line carries what is NOT said yet: which class got the mark and when. Every line here
 * is read by children at a door: short, kind, never blaming, never sending anyone anywhere but
 * to their teacher (the list is in docs/ui.md, "What students can see").
 */
export function greetingView(g: GreetingT, className: string | null = null): GreetingView {
  const name = g.name ?? 'Student';
  const at = hhmm(g.at);
  const marked = className ? `${className} · ${at}` : at;
  switch (g.kind) {
    case 'present':
      return {
        salutation: 'Welcome',
        headline: name,
        status: 'Marked present',
        detail: marked,
        tone: 'good',
      };
    case 'late':
      return { salutation: 'Hello', headline: name, status: 'Marked late', detail: marked, tone: 'warn' };
    case 'already_marked':
      return {
        salutation: 'Hi again',
        headline: name,
        status: 'Already marked',
        detail: className ? `You are on today's ${className} list` : null,
        tone: 'info',
      };
    case 'not_enrolled':
      // Not amber like "Marked late": nothing was marked here, and the student may simply be at
      // the wrong door. A question, never a verdict.
      return {
        salutation: 'Is this your room?',
        headline: name,
        status: 'You are not on this class list',
        detail: 'Please check with your teacher',
        tone: 'elsewhere',
      };
    case 'unknown':
      return {
        salutation: null,
        headline: 'Not recognised yet',
        status: 'Look at the camera and try again',
        detail: 'Still not working? Tell your teacher',
        tone: 'info',
      };
    case 'no_session':
      return {
        salutation: 'Hello',
        headline: g.name ?? 'there',
        status: 'No class here right now',
        detail: 'Nothing was marked',
        tone: 'neutral',
      };
    case 'look_at_camera':
      // The visit did not pass the liveness check: ask, never accuse (a real student in poor
      // light can fail it too). No name: the face may not be who it looks like.
      return {
        salutation: null,
        headline: 'Please look at the camera',
        status: 'Stand still for a moment',
        detail: 'Nothing was marked',
        tone: 'info',
      };
  }
}

/** What the door can do right now, in one calm message for students (details: admin area only). */
export interface DoorBlock {
  kind: 'loading' | 'engine-error' | 'camera-missing' | 'camera-starting' | 'camera-off';
  title: string;
  detail: string;
  /** 0..100 while the face models load. */
  progress: number | null;
}

/**
 * Why the door cannot take attendance, or null when it can. The camera wins over the engine
 * only when the engine works: a broken engine makes the camera irrelevant. `camera`: as the
 * screens see it, the page's own camera problems included (camera/page-camera.ts cameraWithPage).
 */
export function doorBlock(state: Pick<KioskState, 'engine' | 'camera'>): DoorBlock | null {
  const { engine, camera } = state;
  const paused = 'Attendance is paused';
  if (engine.state === 'error')
    return { kind: 'engine-error', title: paused, detail: 'Please tell your teacher', progress: null };
  if (cameraNotWorking(camera.status))
    return {
      kind: 'camera-missing',
      title: paused,
      detail: 'The camera is not working. Please tell your teacher',
      progress: null,
    };
  if (engine.state === 'loading') {
    const pct = Math.round(Math.min(1, Math.max(0, engine.progress)) * 100);
    return {
      kind: 'loading',
      title: 'Getting ready…',
      detail: 'Attendance starts in a moment',
      progress: pct,
    };
  }
  if (camera.status === 'starting')
    return {
      kind: 'camera-starting',
      title: 'Getting ready…',
      detail: 'The camera is starting',
      progress: null,
    };
  if (camera.status === 'stopped')
    return {
      kind: 'camera-off',
      title: paused,
      detail: 'The camera is off. Please tell your teacher',
      progress: null,
    };
  return null;
}

/** The greeting panel when nobody is being greeted. */
export interface IdleView {
  kind: 'look' | 'hint' | 'no-class' | 'not-set-up';
  headline: string;
  status: string;
  /** For `hint`: the core's hint it answers (FaceBox.hint). */
  hint?: string;
}

/**
 * What the door asks of someone the camera sees but cannot judge (FaceBox.hint: the core's gate
 * phrases, attendance/engine.ts GATE_HINTS, or their codes). Said as what to do, never as what is
 * wrong with them; darkness is the room's, not theirs.
 */
const DOOR_HINTS: Record<string, { headline: string; status: string }> = {
  'Move closer': { headline: 'Come a little closer', status: 'Stop in front of the camera for a moment' },
  too_small: { headline: 'Come a little closer', status: 'Stop in front of the camera for a moment' },
  'Face the camera': { headline: 'Turn to the camera', status: 'Look straight at it for a moment' },
  pose: { headline: 'Turn to the camera', status: 'Look straight at it for a moment' },
  'Hold still': { headline: 'Hold still', status: 'Just for a moment' },
  blur: { headline: 'Hold still', status: 'Just for a moment' },
  'Too dark': { headline: 'Too dark to see you', status: 'Step into the light, or tell your teacher' },
  too_dark: { headline: 'Too dark to see you', status: 'Step into the light, or tell your teacher' },
  'Please look at the camera': { headline: 'Please look at the camera', status: 'Stand still for a moment' },
};

/**
 * The hint for the person nearest the camera (the largest face), when the core could not judge
 * their face: too far, turned away, blurred, too dark, or the photo-and-screen check still
 * waiting. A face the core can judge (even as unknown) has no hint: they are being looked at.
 */
export function doorHint(faces: FacesT): string | null {
  let nearest: FacesT[number] | null = null;
  for (const f of faces) if (!nearest || f.box[2] * f.box[3] > nearest.box[2] * nearest.box[3]) nearest = f;
  const hint = nearest?.hint ?? null;
  return hint !== null && hint in DOOR_HINTS ? hint : null;
}

/**
 * How long a hint stays after the frame that asked for it, while someone is in view: the core
 * judges each frame anew, and a face on the edge of "too far" would make the panel flicker
 * between the hint and "Look at the camera" several times a second, too fast to read.
 */
export const DOOR_HINT_HOLD_MS = 1_500;

export interface DoorHintSighting {
  hint: string;
  seenMs: number;
}

/** The hint to show now, held DOOR_HINT_HOLD_MS while someone is still in view; gone with them. */
export function noteDoorHint(
  prev: DoorHintSighting | null,
  faces: FacesT,
  nowMs: number,
): DoorHintSighting | null {
  const hint = doorHint(faces);
  if (hint) return { hint, seenMs: nowMs };
  if (prev && faces.length > 0 && nowMs - prev.seenMs < DOOR_HINT_HOLD_MS) return prev;
  return null;
}

export function idleView(
  state: Pick<KioskState, 'session' | 'sync' | 'noClassToday'>,
  hint: string | null = null,
): IdleView {
  if (!state.sync.paired)
    return { kind: 'not-set-up', headline: 'Hello', status: 'This door is not taking attendance yet' };
  if (!state.session)
    return {
      kind: 'no-class',
      headline: 'Hello',
      status: state.noClassToday ? 'No class today' : 'No class in this room right now',
    };
  const asked = hint ? DOOR_HINTS[hint] : undefined;
  if (hint && asked) return { kind: 'hint', ...asked, hint };
  return { kind: 'look', headline: 'Look at the camera', status: 'Pause for a moment as you walk in' };
}

/**
 * Whether a greeting may be shown. Without a class (or an unpaired kiosk, which has no roster)
 * every face is "unknown" to the core: telling a child "not recognised" there is wrong, the
 * door is simply not taking attendance, which the idle panel already says.
 */
export function greetingShown(g: GreetingT, state: Pick<KioskState, 'session' | 'sync'>): boolean {
  if (g.kind === 'unknown') return state.sync.paired && state.session !== null;
  return true;
}

// ---------------------------------------------------------------- how long a greeting stays
// A greeting names a student: the next person at the door must not read it as their own
// ("Marked present", in green). So it is for the face it was decided on (Greeting.track, the
// core's face track), and it goes as soon as it is no longer theirs to read:
//   - a newer greeting replaces it (the core holds one greeting);
//   - its face is in view: it stays (up to GREETING_MAX_MS from the decision, the hard cap);
//   - its face has gone and someone else's face is in view: it goes at once, for good (it does
//     not come back when that person leaves in turn);
//   - its face has gone and nobody is in view: it stays GREETING_AFTER_FACE_MS after the face
//     was last seen, then goes.
// Without a track (an older core) any face in view may be theirs: only the time rules apply.

/** What the door remembers of the greeting on screen: when its face was last in view. */
export interface GreetingSighting {
  key: string;
  faceSeenMs: number;
  /** Someone else stepped up after its face had gone: it is not shown again. */
  gaveWay: boolean;
}

export const greetingKey = (g: GreetingT): string =>
  `${g.at}|${g.kind}|${g.studentId ?? ''}|${g.track ?? ''}`;

function greetedFaceInView(g: GreetingT, faces: FacesT): boolean {
  if (g.track === null || g.track === undefined) return faces.length > 0;
  return faces.some((f) => f.track === g.track);
}

/**
 * The sighting after a new state or tick: the greeted face in view now is seen now. A greeting
 * met for the first time counts its face as seen at its decision (it was decided on that face).
 */
export function noteGreetingSighting(
  prev: GreetingSighting | null,
  g: GreetingT | null,
  faces: FacesT,
  nowMs: number,
): GreetingSighting | null {
  if (!g) return null;
  const key = greetingKey(g);
  const at = Date.parse(g.at);
  const known: GreetingSighting =
    prev?.key === key
      ? prev
      : { key, faceSeenMs: Number.isNaN(at) ? nowMs : Math.min(at, nowMs), gaveWay: false };
  if (known.gaveWay) return known;
  if (greetedFaceInView(g, faces)) return { key, faceSeenMs: nowMs, gaveWay: false };
  if (faces.length > 0) return { ...known, gaveWay: true };
  return known;
}

/** Whether the greeting may still be on screen (the rule above). */
export function greetingOnScreen(
  g: GreetingT | null,
  sighting: GreetingSighting | null,
  faces: FacesT,
  nowMs: number,
): g is GreetingT {
  if (!g) return false;
  const at = Date.parse(g.at);
  // A greeting with an unreadable time is shown rather than silently dropped (the face rules still apply).
  if (!Number.isNaN(at) && nowMs - at >= GREETING_MAX_MS) return false;
  const mine = sighting?.key === greetingKey(g) ? sighting : null;
  if (mine?.gaveWay) return false;
  if (greetedFaceInView(g, faces)) return true;
  if (faces.length > 0) return false;
  const seen = mine ? mine.faceSeenMs : Number.isNaN(at) ? nowMs : at;
  return nowMs - seen < GREETING_AFTER_FACE_MS;
}

// ---------------------------------------------------------------- several people at once
/**
 * The greetings a state holds, newest first. `greeting` is the one that counts: an older core
 * sends only it, and a list that does not start with it is not about the same moment.
 */
export function heldGreetings(state: Pick<KioskState, 'greeting' | 'greetings'>): GreetingT[] {
  const newest = state.greeting;
  if (!newest) return [];
  const list = state.greetings;
  return list?.[0] && greetingKey(list[0]) === greetingKey(newest) ? list : [newest];
}

export type GreetingSightings = ReadonlyMap<string, GreetingSighting>;

/** noteGreetingSighting for each held greeting (the same rule, each for its own face). */
export function noteGreetingSightings(
  prev: GreetingSightings,
  greetings: readonly GreetingT[],
  faces: FacesT,
  nowMs: number,
): Map<string, GreetingSighting> {
  const next = new Map<string, GreetingSighting>();
  for (const g of greetings) {
    const seen = noteGreetingSighting(prev.get(greetingKey(g)) ?? null, g, faces, nowMs);
    if (seen) next.set(seen.key, seen);
  }
  return next;
}

/**
 * The greetings to show now, newest first: each while its own face is in view (greetingOnScreen).
 * Two students marked a moment apart both read theirs; one who has walked on is not named to the
 * next person.
 */
export function greetingsOnScreen(
  greetings: readonly GreetingT[],
  sightings: GreetingSightings,
  faces: FacesT,
  nowMs: number,
): GreetingT[] {
  return greetings.filter((g) => greetingOnScreen(g, sightings.get(greetingKey(g)) ?? null, faces, nowMs));
}

export function sessionLine(
  session: z.infer<typeof ActiveSession> | null,
  nowMs: number,
  noClassToday = false,
): { title: string; detail: string } {
  if (!session && noClassToday)
    return { title: 'No class today', detail: 'Attendance is not being taken today' };
  if (!session) return { title: 'No class now', detail: 'Attendance is not being taken' };
  const minutesLeft = Math.max(0, Math.ceil((Date.parse(session.endsAt) - nowMs) / 60_000));
  const left =
    minutesLeft >= 60
      ? `${Math.floor(minutesLeft / 60)} h ${minutesLeft % 60} min left`
      : `${minutesLeft} min left`;
  const lateAt = Date.parse(session.lateAfter);
  const lateNote = nowMs < lateAt ? `on time until ${hhmm(session.lateAfter)}` : 'arrivals now count as late';
  return {
    title: session.className,
    detail: `${hhmm(session.startsAt)}–${hhmm(session.endsAt)} · ${left} · ${lateNote}`,
  };
}

/**
 * The small badge in the top bar. Students read it too: offline is not their problem (their
 * marks are kept on the kiosk and sent later), so it is grey and says so, never red.
 */
export function syncBadge(sync: z.infer<typeof SyncStatus>): { text: string; tone: Tone } | null {
  const waiting = sync.queueDepth + sync.templateQueueDepth;
  const marks = `${waiting} ${waiting === 1 ? 'mark' : 'marks'}`;
  if (!sync.paired) return { text: 'Not set up', tone: 'neutral' };
  if (!sync.online) return { text: waiting ? `Offline · ${marks} saved` : 'Offline', tone: 'neutral' };
  if (waiting > 0) return { text: `Sending · ${marks}`, tone: 'neutral' };
  return null;
}

/**
 * The Sync tab's connection pill. A kiosk not paired yet has no server to be offline from:
 * "not paired" in grey, not a red "offline" that sends an IT admin looking for a network fault.
 */
export function connectionPill(sync: Pick<z.infer<typeof SyncStatus>, 'paired' | 'online'>): {
  text: string;
  tone: Tone;
} {
  if (!sync.paired) return { text: 'not paired', tone: 'neutral' };
  return sync.online ? { text: 'online', tone: 'good' } : { text: 'offline', tone: 'bad' };
}

const HINTS: Record<string, string> = {
  too_small: 'Move closer',
  move_closer: 'Move closer',
  pose: 'Face the camera',
  face_camera: 'Face the camera',
  blur: 'Hold still',
  hold_still: 'Hold still',
  too_dark: 'Too dark — find more light',
  spoof: 'Please look at the camera',
  not_live: 'Please look at the camera',
  // The core's own phrases (attendance/engine.ts GATE_HINTS), said more kindly here.
  'Real faces only': 'Please look at the camera',
  'Too dark': 'Too dark — find more light',
  no_face: 'Step in front of the camera',
  multiple_faces: 'One person at a time',
};

/** Core hints may be gate codes or sentences; codes get a friendly phrase. */
export function hintText(hint: string | null): string | null {
  if (!hint) return null;
  return HINTS[hint] ?? hint;
}

export function formatScore(x: number | undefined): string {
  return x === undefined ? '–' : x.toFixed(2);
}

export function lockoutText(lockedUntil: string, nowMs: number): string {
  const secs = Math.max(0, Math.ceil((Date.parse(lockedUntil) - nowMs) / 1000));
  if (secs === 0) return 'You can try again now.';
  const m = Math.floor(secs / 60);
  const s = secs % 60;
  return `Too many wrong PINs. Try again in ${m > 0 ? `${m} min ${s} s` : `${s} s`}.`;
}

// ---------------------------------------------------------------- admin words
/** A local date and time for admin tables ("today 08:02", else the date too). */
export function localTime(iso: string | null, nowMs = Date.now()): string {
  if (!iso) return 'never';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = clockTime(d);
  const today = new Date(nowMs).toDateString() === d.toDateString();
  return today
    ? `today ${time}`
    : `${d.toLocaleDateString([], { day: 'numeric', month: 'short', year: 'numeric' })} ${time}`;
}

/** The server refused a pairing code (sync/http.ts): what an IT admin does about it, in words. */
export const PAIRING_CODE_REFUSED_TEXT =
  'The server did not accept this pairing code: it is wrong, already used or expired. Make a new code in the staff console (Kiosks page, New code) and pair with that one.';

const NETWORK_WORDS: [RegExp, string][] = [
  // Before the 401 line below: a refused code is a code to make again, not a kiosk to pair again.
  [/pairing code refused|bad_pairing_code/i, PAIRING_CODE_REFUSED_TEXT],
  [/ECONNREFUSED/i, 'The server is not answering (is it running?)'],
  [/ENOTFOUND|EAI_AGAIN/i, 'The server name cannot be found (check the address or the network)'],
  [/ETIMEDOUT|timed? ?out|timeout/i, 'The server took too long to answer'],
  [/ECONNRESET|socket hang up|EPIPE/i, 'The connection to the server was cut'],
  [/ENETUNREACH|EHOSTUNREACH/i, 'No network route to the server (is the kiosk online?)'],
  [/CERT|certificate|self.signed/i, "The server's certificate was not accepted"],
  [/\b401\b|unauthori[sz]ed|revoked/i, 'The server no longer accepts this kiosk (pair it again)'],
];

/**
 * A sync error for the admin: stored as "<ISO time> <message>" by the sync service; shown as
 * plain words and a local time.
 */
/**
 * A failed pairing for the form: the words an IT admin acts on, and the raw message for
 * support (small type under it) only when the words replaced it.
 */
export function pairErrorText(raw: string): { text: string; detail: string | null } {
  const text = syncErrorText(raw) ?? raw;
  return { text, detail: text === raw ? null : raw };
}

export function syncErrorText(raw: string | null, nowMs = Date.now()): string | null {
  if (!raw) return null;
  const m = /^(\d{4}-\d\d-\d\dT[\d:.]+Z)\s+(.*)$/s.exec(raw);
  const at = m ? localTime(m[1] ?? null, nowMs) : null;
  const message = (m ? m[2] : raw) ?? raw;
  // The original message stays available to IT as the element's title (SyncPanel).
  const text = NETWORK_WORDS.find(([re]) => re.test(message))?.[1] ?? message;
  return at ? `${text} — ${at}` : text;
}

// Keyed by the outbox's event kinds (contracts/sync AttendanceEventKind): the door records a
// student who is not on the list of the class in session as an `exception`.
const EVENT_WORDS: Record<string, string> = {
  mark: 'Seen at the door',
  manual: 'Marked by hand',
  undo: 'Undone',
  exception: 'Not on the class list',
};
/**
 * Why the server refused templates enrolled at this kiosk, for the admin's roster. The one an
 * admin may have to act on says how: the server keeps a kiosk from replacing a student's face,
 * an admin in the console may (docs/security.md). Shots are judged one by one, so when others
 * were kept (`usable` > 0) the student is still recognised and there is nothing to do yet.
 */
export function refusedTemplatesText(refused: { count: number; reason: string }, usable = 0): string {
  const n = `${refused.count} ${refused.count === 1 ? 'template' : 'templates'} refused by the server`;
  if (refused.reason !== 'unlike_enrolment') return `${n} (${refused.reason.replace(/_/g, ' ')}).`;
  const unlike = `${n}: does not look like the student's existing photos`;
  return usable > 0
    ? `${unlike}. The student's other templates still recognise them; if the door stops doing so, an admin can remove the old templates in the console and enrol again.`
    : `${unlike}; an admin can remove the old templates in the console and enrol again.`;
}

export const eventText = (kind: string): string => EVENT_WORDS[kind] ?? kind.replace(/_/g, ' ');

const STATUS_WORDS: Record<string, string> = {
  present: 'Present',
  late: 'Late',
  absent: 'Absent',
  excused: 'Excused',
};
export const statusText = (status: string | null): string =>
  status ? (STATUS_WORDS[status] ?? status) : '–';

const HISTORY_WORDS: Record<string, string> = {
  push: 'Sending marks',
  pull: 'Roster download',
  templates: 'Sending face templates',
  pair: 'Pairing',
  pin_recovery: 'PIN recovery code',
  device: 'This kiosk',
};
export const historyKindText = (kind: string): string => HISTORY_WORDS[kind] ?? kind.replace(/_/g, ' ');

/**
 * A paired kiosk that has its roster, with students on it, but nobody it can recognise: no student
 * of its site has a face template of the running model (photos never imported, nobody enrolled yet). The door then
 * tells every student "not recognised", and nothing on it says why; the admin area does. After
 * a face-model change the re-enrolment notice says more, so this one gives way to it.
 */
export function nobodyRecognisable(state: Pick<KioskState, 'sync' | 'templateCoverage'>): boolean {
  const coverage = state.templateCoverage;
  return (
    state.sync.paired &&
    state.sync.lastPullAt !== null &&
    coverage !== null &&
    coverage !== undefined &&
    coverage.recognisable === 0 &&
    coverage.needReEnrolment === 0 &&
    // An empty roster (a site with no students yet) is not this: there is nobody to add photos of.
    (coverage.students ?? 1) > 0
  );
}

/** Camera and engine problems in words for the admin area (students only see "paused"). */
export function doorProblemForAdmin(state: Pick<KioskState, 'engine' | 'camera'>): string | null {
  if (state.engine.state === 'error')
    return `Face recognition failed to start: ${state.engine.error ?? 'unknown error'}. The door is not taking attendance.`;
  const { status, detail, reason } = state.camera;
  const stop = 'The door is not taking attendance.';
  // A problem the kiosk found itself (the page's camera, a camera without a picture) is already
  // said in its sentences, with what to check (page-camera.ts, camera-controller.ts); a
  // camera's own words, whatever their punctuation, are quoted as its problem.
  if (cameraNotWorking(status) && reason && detail) return `${detail} ${stop}`;
  // Their own full stop is not doubled.
  const words = detail?.replace(/\.+$/, '') || null;
  if (status === 'missing') return `No camera: ${words ?? 'none found'}. ${stop}`;
  if (status === 'error') return `Camera problem: ${words ?? 'unknown error'}. ${stop}`;
  if (status === 'stopped')
    return `The camera is off${detail ? ` (${detail})` : ''}. The door is not taking attendance.`;
  return null;
}
