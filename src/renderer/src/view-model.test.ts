import { describe, expect, it } from 'vitest';
import {
  connectionPill,
  pairErrorText,
  PAIRING_CODE_REFUSED_TEXT,
  doorBlock,
  doorHint,
  DOOR_HINT_HOLD_MS,
  noteDoorHint,
  doorProblemForAdmin,
  eventText,
  greetingShown,
  greetingView,
  hintText,
  idleView,
  greetingOnScreen,
  greetingsOnScreen,
  heldGreetings,
  noteGreetingSightings,
  noteGreetingSighting,
  type GreetingSighting,
  localTime,
  lockoutText,
  nobodyRecognisable,
  refusedTemplatesText,
  sessionLine,
  statusText,
  syncBadge,
  syncErrorText,
  GREETING_AFTER_FACE_MS,
  GREETING_MAX_MS,
} from './view-model.js';
import { AttendanceEventKind } from '../../contracts/sync.js';

const g = (kind: Parameters<typeof greetingView>[0]['kind'], name: string | null = 'Ada Lovelace') => ({
  kind,
  studentId: name ? 's1' : null,
  name,
  message: '',
  at: '2026-11-29T08:00:00.000Z',
  scores: null,
});

describe('greetingView', () => {
  it('says what happened for every kind', () => {
    expect(greetingView(g('present'))).toMatchObject({
      salutation: 'Welcome',
      headline: 'Ada Lovelace',
      status: 'Marked present',
      tone: 'good',
    });
    expect(greetingView(g('late')).status).toBe('Marked late');
    expect(greetingView(g('already_marked')).status).toBe('Already marked');
    expect(greetingView(g('not_enrolled'))).toMatchObject({
      status: 'You are not on this class list',
      detail: 'Please check with your teacher',
    });
    // Not red, and says what to do: look at the camera and try again.
    expect(greetingView(g('unknown', null))).toMatchObject({
      headline: 'Not recognised yet',
      status: 'Look at the camera and try again',
      tone: 'info',
    });
    expect(greetingView(g('no_session', null))).toMatchObject({ salutation: 'Hello', headline: 'there' });
  });
  it('"not on this class list" looks nothing like "Marked late" from two metres: its own colour and heading', () => {
    const late = greetingView(g('late'), 'Maths 9A');
    const elsewhere = greetingView(g('not_enrolled'), 'Maths 9A');
    expect(elsewhere.tone).not.toBe(late.tone);
    expect(elsewhere.salutation).not.toBe(late.salutation);
    // A question, never a verdict: the student may simply be at the wrong door.
    expect(elsewhere.salutation).toBe('Is this your room?');
  });
  it('never sends a child to the office, and nothing students see is red', () => {
    for (const kind of [
      'present',
      'late',
      'already_marked',
      'not_enrolled',
      'unknown',
      'no_session',
    ] as const) {
      const v = greetingView(g(kind), 'Maths 9A');
      expect(`${v.salutation} ${v.headline} ${v.status} ${v.detail}`).not.toMatch(/office|error|fail/i);
      expect(v.tone).not.toBe('bad');
    }
  });
  it('adds the class that got the mark instead of repeating the core message', () => {
    const v = greetingView({ ...g('present'), message: 'Welcome, Ada Lovelace' }, 'Maths 9A');
    expect(v.detail).toMatch(/^Maths 9A · \d\d:\d\d$/);
    expect(greetingView(g('unknown', null)).detail).toBe('Still not working? Tell your teacher');
  });
});

const sync = {
  paired: true,
  serverUrl: 'http://x',
  online: true,
  queueDepth: 0,
  templateQueueDepth: 0,
  lastPushAt: null,
  lastPullAt: null,
  lastError: null,
  syncing: false,
  progress: 0,
};
const session = {
  sessionId: 's',
  className: 'Maths 9A',
  startsAt: '2026-11-29T08:00:00.000Z',
  endsAt: '2026-11-29T09:00:00.000Z',
  lateAfter: '2026-11-29T08:10:00.000Z',
};
const engine = (state: 'loading' | 'ready' | 'error', error: string | null = null) => ({
  state,
  progress: 0.5,
  backend: null,
  modelId: null,
  error,
});
const camera = (
  status: 'starting' | 'running' | 'missing' | 'error' | 'stopped',
  detail: string | null = null,
) => ({ status, detail, fps: 0 });

describe('what the door can do', () => {
  it('says one calm thing while it cannot take attendance, and keeps details for the admin', () => {
    expect(doorBlock({ engine: engine('loading'), camera: camera('starting') })).toMatchObject({
      kind: 'loading',
      title: 'Getting ready…',
      progress: 50,
    });
    const broken = { engine: engine('error', 'wasm: out of memory'), camera: camera('running') };
    expect(doorBlock(broken)).toMatchObject({
      kind: 'engine-error',
      title: 'Attendance is paused',
      detail: 'Please tell your teacher',
    });
    expect(JSON.stringify(doorBlock(broken))).not.toContain('wasm');
    expect(doorProblemForAdmin(broken)).toContain('wasm: out of memory');
    const noCam = {
      engine: engine('ready'),
      camera: camera('missing', 'fswebcam is not installed (apt-get install fswebcam); retrying'),
    };
    expect(doorBlock(noCam)).toMatchObject({ kind: 'camera-missing' });
    expect(JSON.stringify(doorBlock(noCam))).not.toMatch(/fswebcam|apt-get/);
    expect(doorProblemForAdmin(noCam)).toContain('fswebcam');
    // A camera's own words are its problem, whatever their punctuation.
    const driver = { engine: engine('ready'), camera: camera('error', 'VIDIOC_STREAMON: Device busy.') };
    expect(doorProblemForAdmin(driver)).toBe(
      'Camera problem: VIDIOC_STREAMON: Device busy. The door is not taking attendance.',
    );
    const gone = { engine: engine('ready'), camera: camera('missing', 'no /dev/video0.') };
    expect(doorProblemForAdmin(gone)).toBe('No camera: no /dev/video0. The door is not taking attendance.');
    expect(doorBlock({ engine: engine('ready'), camera: camera('running') })).toBeNull();
  });
  it('does not call a face "not recognised" when nobody can be recognised (no class, not paired)', () => {
    const unknown = g('unknown', null);
    expect(greetingShown(unknown, { session, sync })).toBe(true);
    expect(greetingShown(unknown, { session: null, sync })).toBe(false);
    expect(greetingShown(unknown, { session, sync: { ...sync, paired: false } })).toBe(false);
    expect(greetingShown(g('no_session'), { session: null, sync })).toBe(true);
    expect(idleView({ session, sync }).kind).toBe('look');
    expect(idleView({ session: null, sync }).kind).toBe('no-class');
    expect(idleView({ session: null, sync: { ...sync, paired: false } })).toMatchObject({
      kind: 'not-set-up',
      status: 'This door is not taking attendance yet',
    });
  });
});

describe('telling someone at the door what to do', () => {
  type Face = Parameters<typeof doorHint>[0][number];
  const at = (state: Face['state'], hint: string | null, size = 0.3): Face => ({
    box: [0.3, 0.2, size, size],
    label: null,
    state,
    hint,
  });

  it('asks the person nearest the camera for what the core could not judge, kindly', () => {
    expect(doorHint([at('gated', 'Move closer')])).toBe('Move closer');
    expect(idleView({ session, sync }, 'Move closer')).toMatchObject({
      kind: 'hint',
      headline: 'Come a little closer',
    });
    expect(idleView({ session, sync }, 'Face the camera').headline).toBe('Turn to the camera');
    expect(idleView({ session, sync }, 'Hold still').headline).toBe('Hold still');
    // Darkness is the room's: step into the light, or tell the teacher; never "you are too dark".
    expect(idleView({ session, sync }, 'Too dark')).toMatchObject({
      headline: 'Too dark to see you',
      status: 'Step into the light, or tell your teacher',
    });
    // The photo-and-screen check still waiting on a student's face.
    expect(
      idleView({ session, sync }, doorHint([at('candidate', 'Please look at the camera')])),
    ).toMatchObject({
      kind: 'hint',
      headline: 'Please look at the camera',
    });
    // The largest face is the one at the door: someone far behind them asks nothing of them.
    expect(doorHint([at('unknown', null, 0.4), at('gated', 'Move closer', 0.05)])).toBeNull();
    expect(doorHint([at('gated', 'Face the camera', 0.4), at('recognised', null, 0.1)])).toBe(
      'Face the camera',
    );
    // A hint the door has no words for is not shown raw.
    expect(doorHint([at('gated', 'some new gate')])).toBeNull();
  });

  it('says nothing of it when no class is in session or the kiosk is not set up', () => {
    expect(idleView({ session: null, sync }, 'Move closer').kind).toBe('no-class');
    expect(idleView({ session, sync: { ...sync, paired: false } }, 'Move closer').kind).toBe('not-set-up');
    expect(idleView({ session, sync }, null).kind).toBe('look');
  });

  it('holds a hint briefly while someone is in view, so it does not flicker, and drops it when they go', () => {
    const t0 = 1_000_000;
    const far = [at('gated', 'Move closer')];
    const judged = [at('unknown', null)];
    const first = noteDoorHint(null, far, t0);
    expect(first).toEqual({ hint: 'Move closer', seenMs: t0 });
    expect(noteDoorHint(first, judged, t0 + DOOR_HINT_HOLD_MS - 1)?.hint).toBe('Move closer');
    expect(noteDoorHint(first, judged, t0 + DOOR_HINT_HOLD_MS)).toBeNull();
    expect(noteDoorHint(first, [], t0 + 100)).toBeNull();
  });
});

describe('admin words', () => {
  it('turns a stored sync error into words and a local time', () => {
    const text = syncErrorText(
      '2026-11-29T08:00:00.000Z connect ECONNREFUSED 10.0.0.5:8080',
      Date.parse('2026-11-29T09:00:00.000Z'),
    );
    expect(text).toMatch(/^The server is not answering/);
    expect(text).not.toMatch(/ECONNREFUSED|2026-11-29T/);
    expect(
      syncErrorText('2026-11-29T08:00:00.000Z server said 500', Date.parse('2026-11-29T09:00:00.000Z')),
    ).toMatch(/^server said 500 — /);
    expect(syncErrorText(null)).toBeNull();
  });
  it('says codes in words', () => {
    expect(eventText('manual')).toBe('Marked by hand');
    expect(eventText('mark')).toBe('Seen at the door');
    expect(eventText('exception')).toBe('Not on the class list');
    for (const kind of AttendanceEventKind.options) expect(eventText(kind)).not.toBe(kind);
    expect(statusText('late')).toBe('Late');
    expect(statusText(null)).toBe('–');
    expect(localTime(null)).toBe('never');
    expect(localTime('2026-11-29T08:00:00.000Z', Date.parse('2026-11-29T09:00:00.000Z'))).toMatch(
      /^today \d\d:\d\d$/,
    );
    expect(localTime('2026-11-20T08:00:00.000Z', Date.parse('2026-11-29T09:00:00.000Z'))).toMatch(
      /2026 \d\d:\d\d$/,
    );
  });

  it('reads ten past midnight as 00:10, never 24:10', () => {
    // Local times, so the check holds in any time zone.
    const tenPast = new Date(2026, 10, 29, 0, 10);
    expect(localTime(tenPast.toISOString(), tenPast.getTime())).toBe('today 00:10');
  });
});

describe('how long a greeting stays (privacy at the door)', () => {
  const at = Date.parse('2026-11-29T08:00:00.000Z');
  const ada = { ...g('present'), track: 7 };
  const face = (track: number | undefined) => ({
    box: [0.3, 0.2, 0.3, 0.4] as [number, number, number, number],
    label: null,
    state: 'candidate' as const,
    hint: null,
    ...(track === undefined ? {} : { track }),
  });
  type Faces = ReturnType<typeof face>[];
  /** The door screen: states arrive (faces at a time), the sighting is noted, the rule is asked. */
  const door = (greeting: ReturnType<typeof g> & { track?: number | null }) => {
    let sighting: GreetingSighting | null = null;
    return (faces: Faces, t: number) => {
      sighting = noteGreetingSighting(sighting, greeting, faces, at + t);
      return greetingOnScreen(greeting, sighting, faces, at + t);
    };
  };

  it('stays while its face is in view, up to a hard cap', () => {
    const shown = door(ada);
    expect(shown([face(7)], 0)).toBe(true);
    expect(shown([face(7)], GREETING_MAX_MS - 1)).toBe(true);
    expect(shown([face(7)], GREETING_MAX_MS)).toBe(false);
    // 4 s: the track may be handed to the next person in the same place (docs/ui.md).
    expect(door(ada)([face(7)], 4_000)).toBe(false);
  });

  it('goes at once when the face has gone and someone else is in view', () => {
    const shown = door(ada);
    expect(shown([face(7)], 0)).toBe(true);
    expect(shown([face(7)], 500)).toBe(true);
    // The next student steps up: they must not read "Welcome, Ada · Marked present" as theirs.
    expect(shown([face(8)], 900)).toBe(false);
    // Gone for good: not back when they step away in turn before being greeted themselves.
    expect(shown([], 1_500)).toBe(false);
    // While Ada is still in view beside the next student it stays: it is hers, she is reading it.
    const both = door(ada);
    expect(both([face(7)], 0)).toBe(true);
    expect(both([face(7), face(8)], 900)).toBe(true);
  });

  it('stays a few seconds after its face has gone when nobody else is there', () => {
    const shown = door(ada);
    expect(shown([face(7)], 0)).toBe(true);
    expect(shown([face(7)], 500)).toBe(true);
    expect(shown([], 700)).toBe(true);
    expect(shown([], 500 + GREETING_AFTER_FACE_MS - 1)).toBe(true);
    expect(shown([], 500 + GREETING_AFTER_FACE_MS)).toBe(false);
    // The face seen again before then keeps it up: a turned head, or a missed frame, after which
    // the core's tracker gives the same face its old track back (engine.test.ts 'visits').
    const back = door(ada);
    back([face(7)], 0);
    back([], 300);
    expect(back([face(7)], 800)).toBe(true);
    expect(back([], 800 + GREETING_AFTER_FACE_MS - 1)).toBe(true);
  });

  it('a greeting first met without its face counts from its decision', () => {
    const shown = door(ada);
    expect(shown([], 1_000)).toBe(true);
    expect(shown([], GREETING_AFTER_FACE_MS)).toBe(false);
    expect(door(ada)([face(8)], 100)).toBe(false);
  });

  it('without track ids (an older core) any face may be theirs: only the times apply', () => {
    const old = g('present');
    const shown = door(old);
    expect(shown([face(undefined)], 0)).toBe(true);
    expect(shown([face(undefined)], GREETING_MAX_MS - 1)).toBe(true);
    expect(door(old)([], GREETING_AFTER_FACE_MS + 1)).toBe(false);
  });

  it('shows nothing without a greeting, and shows a greeting whose time cannot be read', () => {
    expect(greetingOnScreen(null, null, [], at)).toBe(false);
    expect(noteGreetingSighting(null, null, [], at)).toBeNull();
    const garbled = { ...ada, at: 'garbage' };
    expect(door(garbled)([face(7)], 60_000)).toBe(true);
    expect(door(garbled)([face(8)], 0)).toBe(false);
  });

  it('two students greeted a moment apart each read theirs while in view; one who walks on goes', () => {
    const bob = { ...g('late', 'Bob Marley'), studentId: 's2', track: 8, at: '2026-11-29T08:00:00.600Z' };
    const state = { greeting: bob, greetings: [bob, ada] };
    expect(heldGreetings(state)).toEqual([bob, ada]);
    // An older core: only `greeting`.
    expect(heldGreetings({ greeting: ada })).toEqual([ada]);
    expect(heldGreetings({ greeting: null })).toEqual([]);
    // A list that does not start with the newest greeting is not about the same moment.
    expect(heldGreetings({ greeting: ada, greetings: [bob, ada] })).toEqual([ada]);
    expect(heldGreetings({ greeting: null, greetings: [bob] })).toEqual([]);
    let seen = noteGreetingSightings(new Map(), [bob, ada], [face(7), face(8)], at + 700);
    expect(greetingsOnScreen([bob, ada], seen, [face(7), face(8)], at + 700)).toEqual([bob, ada]);
    // Ada walks on, Bob stays: Bob must not go on reading Ada's name, and hers does not come back.
    seen = noteGreetingSightings(seen, [bob, ada], [face(8)], at + 1_200);
    expect(greetingsOnScreen([bob, ada], seen, [face(8)], at + 1_200)).toEqual([bob]);
    seen = noteGreetingSightings(seen, [bob, ada], [face(7), face(8)], at + 1_500);
    expect(greetingsOnScreen([bob, ada], seen, [face(7), face(8)], at + 1_500)).toEqual([bob]);
  });
});

describe('sessionLine', () => {
  const session = {
    sessionId: 'sch1@2026-11-29',
    className: 'Maths 9A',
    startsAt: '2026-11-29T08:00:00.000Z',
    endsAt: '2026-11-29T09:30:00.000Z',
    lateAfter: '2026-11-29T08:10:00.000Z',
  };
  it('says there is no class', () => {
    expect(sessionLine(null, 0).title).toBe('No class now');
    expect(sessionLine(null, 0, true).title).toBe('No class today');
  });
  it('gives time left and the late cut-off', () => {
    const early = sessionLine(session, Date.parse('2026-11-29T08:05:00.000Z'));
    expect(early.title).toBe('Maths 9A');
    expect(early.detail).toContain('1 h 25 min left');
    expect(early.detail).toContain('on time until');
    const late = sessionLine(session, Date.parse('2026-11-29T09:20:00.000Z'));
    expect(late.detail).toContain('10 min left');
    expect(late.detail).toContain('late');
  });
});

describe('syncBadge', () => {
  const base = {
    paired: true,
    serverUrl: 'http://x',
    online: true,
    queueDepth: 0,
    templateQueueDepth: 0,
    lastPushAt: null,
    lastPullAt: null,
    lastError: null,
    syncing: false,
    progress: 0,
  };
  it('is hidden when everything is uploaded', () => {
    expect(syncBadge(base)).toBeNull();
  });
  it("counts marks kept while offline, in grey (students' marks are safe)", () => {
    expect(syncBadge({ ...base, online: false, queueDepth: 1 })).toEqual({
      text: 'Offline · 1 mark saved',
      tone: 'neutral',
    });
    expect(syncBadge({ ...base, online: false, queueDepth: 2, templateQueueDepth: 1 })?.text).toBe(
      'Offline · 3 marks saved',
    );
    expect(syncBadge({ ...base, online: false })?.text).toBe('Offline');
  });
  it('tells an unpaired kiosk apart', () => {
    expect(syncBadge({ ...base, paired: false })).toEqual({ text: 'Not set up', tone: 'neutral' });
  });
});

describe('hints and lockout', () => {
  it('turns gate codes into phrases and passes sentences through', () => {
    expect(hintText('too_small')).toBe('Move closer');
    expect(hintText('Look up a bit')).toBe('Look up a bit');
    expect(hintText(null)).toBeNull();
  });
  it('counts the lockout down', () => {
    expect(lockoutText('2026-11-29T08:01:05.000Z', Date.parse('2026-11-29T08:00:00.000Z'))).toBe(
      'Too many wrong PINs. Try again in 1 min 5 s.',
    );
    expect(lockoutText('2026-11-29T08:00:00.000Z', Date.parse('2026-11-29T08:00:00.000Z'))).toBe(
      'You can try again now.',
    );
  });
});

describe('refusedTemplatesText', () => {
  it("tells the admin how to re-enrol a face the server found unlike the student's", () => {
    expect(refusedTemplatesText({ count: 2, reason: 'unlike_enrolment' })).toBe(
      "2 templates refused by the server: does not look like the student's existing photos; an admin can remove the old templates in the console and enrol again.",
    );
  });
  it('says there is nothing to do yet while the student has other templates', () => {
    expect(refusedTemplatesText({ count: 1, reason: 'unlike_enrolment' }, 2)).toBe(
      "1 template refused by the server: does not look like the student's existing photos. The student's other templates still recognise them; if the door stops doing so, an admin can remove the old templates in the console and enrol again.",
    );
  });
  it('names any other reason in words', () => {
    expect(refusedTemplatesText({ count: 1, reason: 'uncalibrated_model' })).toBe(
      '1 template refused by the server (uncalibrated model).',
    );
  });
});

describe('the kiosk that can recognise nobody', () => {
  const sync = (paired: boolean, lastPullAt: string | null) =>
    ({
      paired,
      serverUrl: paired ? 'https://rollcall.school.example' : null,
      online: true,
      queueDepth: 0,
      templateQueueDepth: 0,
      lastPushAt: null,
      lastPullAt,
      lastError: null,
      syncing: false,
      progress: 1,
    }) as const;
  const coverage = (recognisable: number, needReEnrolment = 0, students = 5) => ({
    modelId: 'm',
    recognisable,
    needReEnrolment,
    students,
  });

  it('says so once paired with its roster downloaded and no student with a face on record', () => {
    expect(
      nobodyRecognisable({ sync: sync(true, '2026-12-07T08:00:00Z'), templateCoverage: coverage(0) }),
    ).toBe(true);
  });

  it('is quiet before it can know (not paired, no roster yet, engine not loaded) and once anyone is recognisable', () => {
    expect(nobodyRecognisable({ sync: sync(false, null), templateCoverage: coverage(0) })).toBe(false);
    expect(nobodyRecognisable({ sync: sync(true, null), templateCoverage: coverage(0) })).toBe(false);
    expect(nobodyRecognisable({ sync: sync(true, '2026-12-07T08:00:00Z'), templateCoverage: null })).toBe(
      false,
    );
    expect(
      nobodyRecognisable({ sync: sync(true, '2026-12-07T08:00:00Z'), templateCoverage: coverage(1) }),
    ).toBe(false);
    // A site with no students yet: nobody to add photos of.
    expect(
      nobodyRecognisable({ sync: sync(true, '2026-12-07T08:00:00Z'), templateCoverage: coverage(0, 0, 0) }),
    ).toBe(false);
    // After a model change the re-enrolment notice says more.
    expect(
      nobodyRecognisable({ sync: sync(true, '2026-12-07T08:00:00Z'), templateCoverage: coverage(0, 4) }),
    ).toBe(false);
  });
});

describe('connectionPill', () => {
  it('says "not paired" in grey on a kiosk not paired yet, never a red "offline"', () => {
    expect(connectionPill({ paired: false, online: false })).toEqual({ text: 'not paired', tone: 'neutral' });
    expect(connectionPill({ paired: true, online: false })).toEqual({ text: 'offline', tone: 'bad' });
    expect(connectionPill({ paired: true, online: true })).toEqual({ text: 'online', tone: 'good' });
  });
});

describe('pairErrorText', () => {
  it('says a refused pairing code in words with what to do, keeping the raw message for support', () => {
    const raw =
      'pairing code refused (bad_pairing_code: Pairing code is wrong, expired or already used): make a new code in the staff console (Kiosks, New code) and pair with it';
    const { text, detail } = pairErrorText(raw);
    expect(text).toBe(PAIRING_CODE_REFUSED_TEXT);
    expect(text).toMatch(/wrong, already used or expired.*Kiosks page/);
    expect(text).not.toMatch(/bad_pairing_code|refused \(/);
    expect(detail).toBe(raw);
    // The same failure as the sync's last error, with its time.
    expect(syncErrorText(`2026-11-29T08:00:00.000Z ${raw}`, Date.parse('2026-11-29T09:00:00.000Z'))).toMatch(
      /^The server did not accept this pairing code/,
    );
    // Words already: shown as they are, no support line repeating them.
    expect(pairErrorText('The kiosk name is too long.')).toEqual({
      text: 'The kiosk name is too long.',
      detail: null,
    });
  });
});
