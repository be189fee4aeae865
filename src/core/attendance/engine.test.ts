import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { AttendanceEngine } from './engine.js';
import { manualMark, undoEvent, CorrectionError } from './corrections.js';
import {
  FakeFaceEngine,
  FAKE_DIMS,
  fakeEmbedding,
  fakeFrame,
  type FakeFace,
} from '../testing/fake-engine.js';
import { seededStore, silentLogger, testClock } from '../testing/fixtures.js';

function setup(startIso = '2026-03-02T09:02:00Z') {
  const clock = testClock(startIso);
  const store = seededStore(clock.now);
  const fake = new FakeFaceEngine();
  const engine = new AttendanceEngine({
    store,
    now: clock.now,
    newId: randomUUID,
    logger: silentLogger(),
    modelId: () => 'fake-v1',
    embeddingSize: () => FAKE_DIMS,
    placement: () => ({ roomId: store.sync.get('roomId'), timezone: store.sync.get('timezone') }),
  });
  let seq = 0;
  const show = async (...faces: FakeFace[]) => {
    clock.advance(100);
    return engine.processFrame(await fake.analyse(fakeFrame(...faces)), ++seq);
  };
  return { clock, store, engine, show };
}

describe('attendance engine', () => {
  it('marks only after N of the last M frames agree (default 2 of 4), with the scores', async () => {
    const { show, store } = setup();
    expect((await show({ who: 'ada' })).decisions).toEqual([]);
    const out = await show({ who: 'ada' });
    expect(out.decisions).toHaveLength(1);
    expect(out.decisions[0]).toMatchObject({
      kind: 'present',
      studentId: 'ada',
      sessionId: 'maths-mon@2026-03-02',
      scores: { similarity: 1, margin: 1, votes: 2, window: 4 },
    });
    expect(out.faces[0]?.state).toBe('recognised');
    const events = store.attendance.all();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'mark', status: 'present', studentId: 'ada' });
    expect(store.attendance.pendingCount()).toBe(1);
  });

  it('does not mark a person who wins only one frame in the window', async () => {
    const { show, store } = setup();
    await show({ who: 'ada' });
    await show({ who: 'bob' });
    await show();
    await show();
    await show({ who: 'ada' });
    expect(store.attendance.all()).toHaveLength(0);
  });

  it('never marks a face that failed a gate, and tells the person why', async () => {
    const { show, store } = setup();
    for (let i = 0; i < 5; i++) {
      const out = await show({ who: 'ada', gates: ['spoof'] });
      expect(out.faces[0]).toMatchObject({ state: 'gated', hint: 'Please look at the camera' });
    }
    expect((await show({ who: 'ada', gates: ['too_small'] })).faces[0]?.hint).toBe('Move closer');
    expect(store.attendance.all()).toHaveLength(0);
  });

  it('marks once per session; repeats in the cooldown and after it only say already marked', async () => {
    const { show, store, clock } = setup();
    await show({ who: 'bob' });
    await show({ who: 'bob' });
    await show({ who: 'bob' });
    const again = await show({ who: 'bob' });
    expect(again.decisions[0]?.kind).toBe('already_marked');
    clock.advance(60_000);
    await show({ who: 'bob' });
    const later = await show({ who: 'bob' });
    expect(later.decisions[0]?.kind).toBe('already_marked');
    expect(store.attendance.all().filter((e) => e.kind === 'mark')).toHaveLength(1);
  });

  it('marks late after start + grace', async () => {
    const { show } = setup('2026-03-02T09:15:00Z');
    await show({ who: 'ada' });
    expect((await show({ who: 'ada' })).decisions[0]).toMatchObject({
      kind: 'late',
      message: 'Welcome, Ada Lovelace (late)',
    });
  });

  it('says no class now outside sessions and records nothing', async () => {
    const { show, store } = setup('2026-03-02T11:00:00Z');
    await show({ who: 'ada' });
    expect((await show({ who: 'ada' })).decisions[0]?.kind).toBe('no_session');
    expect(store.attendance.all()).toHaveLength(0);
  });

  it('tells a student not enrolled in the class each visit, and logs one exception per session', async () => {
    const { show, store, clock } = setup();
    for (let i = 0; i < 6; i++) await show({ who: 'cy' });
    // Back at the door after the cooldown: told again, written once.
    await show();
    clock.advance(60_000);
    const again = [];
    for (let i = 0; i < 4; i++) again.push(...(await show({ who: 'cy' })).decisions);
    expect(again).toEqual([expect.objectContaining({ kind: 'not_enrolled', eventId: null })]);
    const events = store.attendance.all();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'exception',
      studentId: 'cy',
      status: null,
      sessionId: 'maths-mon@2026-03-02',
    });
  });

  it('never marks unknown faces, only counts them', async () => {
    const { show, store, engine } = setup();
    const kinds: string[] = [];
    for (let i = 0; i < 6; i++)
      kinds.push(...(await show({ who: '?stranger' })).decisions.map((d) => d.kind));
    expect(kinds).toEqual(['unknown']);
    expect(engine.counters.unknownAppearances).toBe(1);
    expect(store.attendance.all()).toHaveLength(0);
  });

  it('marks two people standing at the door together', async () => {
    const { show, store } = setup();
    await show({ who: 'ada' }, { who: 'bob' });
    await show({ who: 'ada' }, { who: 'bob' });
    expect(
      store.attendance
        .all()
        .map((e) => e.studentId)
        .sort(),
    ).toEqual(['ada', 'bob']);
  });

  it('says in its log when the roster has students but none has a face: the door recognises nobody', () => {
    const { store } = setup();
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    const engineWith = () =>
      new AttendanceEngine({
        store,
        now: () => new Date('2026-03-02T09:02:00Z'),
        newId: randomUUID,
        logger,
        modelId: () => 'fake-v1',
        embeddingSize: () => FAKE_DIMS,
        placement: () => ({ roomId: store.sync.get('roomId'), timezone: store.sync.get('timezone') }),
      });
    engineWith();
    expect(warnings).toEqual([]);
    for (const t of store.templates.forModel('fake-v1')) store.templates.delete(t.id);
    engineWith();
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({
      rosterStudents: store.roster.studentIds().length,
      msg: expect.stringMatching(/^no student on the roster has a face template: the door recognises nobody/),
    });
  });

  it('forgets a deleted student once the gallery reloads', async () => {
    const { show, store, engine } = setup();
    store.roster.deleteStudent('ada');
    engine.reloadGallery();
    for (let i = 0; i < 4; i++) await show({ who: 'ada' });
    expect(store.attendance.all()).toHaveLength(0);
  });
});

describe('corrections', () => {
  it('manual marks and undo are events; undo twice is refused', async () => {
    const { store, engine, clock } = setup();
    const deps = { store, now: clock.now, newId: randomUUID, session: () => engine.session() };
    const id = manualMark(deps, { studentId: 'bob', status: 'excused', actor: 'admin' });
    const undo = undoEvent(deps, { eventId: id, actor: 'admin' });
    expect(store.attendance.get(id)?.undone).toBe(true);
    expect(store.attendance.get(undo)).toMatchObject({ kind: 'undo', refId: id });
    expect(() => undoEvent(deps, { eventId: id, actor: 'admin' })).toThrow(CorrectionError);
    expect(() => undoEvent(deps, { eventId: undo, actor: 'admin' })).toThrow(/cannot be undone/);
    expect(store.attendance.pendingCount()).toBe(2);
  });

  it('refuses a manual mark outside sessions or for an unknown student', () => {
    const { store, clock, engine } = setup('2026-03-02T12:00:00Z');
    const deps = { store, now: clock.now, newId: randomUUID, session: () => engine.session() };
    expect(() => manualMark(deps, { studentId: 'bob', status: 'present', actor: 'admin' })).toThrow(
      /No class/,
    );
    expect(store.attendance.all()).toHaveLength(0);
  });
});

describe('visits', () => {
  it('an empty doorway ends a visit: one vote before it and one misread after it do not mark', async () => {
    const { show, store } = setup();
    await show({ who: 'ada' });
    await show();
    await show({ who: 'ada' });
    expect(store.attendance.all()).toHaveLength(0);
    await show({ who: 'ada' });
    expect(store.attendance.all()).toHaveLength(1);
  });

  it('a face missed for one frame keeps its track, so its greeting stays on screen', async () => {
    const { show } = setup('2026-03-02T09:15:00Z');
    await show({ who: 'ada' });
    const decided = (await show({ who: 'ada' })).decisions[0];
    expect(decided).toMatchObject({ kind: 'late', track: expect.any(Number) });
    await show(); // the detector missed her for a frame
    // The screen keeps a greeting while a face of its track is in view (docs/ui.md).
    for (const out of [await show({ who: 'ada' }), await show({ who: 'ada', gates: ['blur'] })])
      expect(out.faces.map((f) => f.track)).toEqual([decided?.track]);
  });

  it('after an empty frame, only a face clearly the same continues a track: someone else in her place starts their own', async () => {
    for (const other of [{ who: 'bob' }, { who: '?stranger' }]) {
      const { show } = setup();
      await show({ who: 'ada' });
      const decided = (await show({ who: 'ada' })).decisions[0];
      await show();
      const next = await show(other);
      expect(next.faces[0]?.track).toEqual(expect.any(Number));
      expect(next.faces[0]?.track).not.toBe(decided?.track);
    }
  });

  it('votes expire with time, not only with the window length', async () => {
    const { show, store, clock } = setup();
    await show({ who: 'bob' });
    clock.advance(3_000);
    await show({ who: 'bob' });
    expect(store.attendance.all()).toHaveLength(0);
  });
});

describe('majority', () => {
  it('a stranger misread as a student on 2 of 4 frames is not marked; the student on 2 of 3 is', async () => {
    const { show, store } = setup();
    await show({ who: 'ada' });
    await show({ who: '?stranger' });
    await show({ who: '?stranger' });
    await show({ who: 'ada' }); // 2 of 4: no majority
    expect(store.attendance.all()).toHaveLength(0);
    await show(); // the doorway empties
    await show({ who: '?bob-blurred' });
    await show({ who: 'bob' });
    await show({ who: 'bob' }); // 2 of 3
    expect(store.attendance.all().map((e) => e.studentId)).toEqual(['bob']);
  });
});

describe('visit majority', () => {
  it('a stranger misread on a few frames late in a long visit is not marked', async () => {
    const { show, store } = setup();
    for (let i = 0; i < 4; i++) await show({ who: '?stranger' });
    await show({ who: 'ada' });
    await show({ who: 'ada' }); // 2 of 4 in the window: no majority
    await show({ who: 'ada' }); // 3 of 4 in the window, but 3 of 7 in the visit
    expect(store.attendance.all()).toHaveLength(0);
  });

  it('the visit majority only looks back a few seconds, so a long stream of people still marks', async () => {
    const { show, store, clock } = setup();
    for (let i = 0; i < 4; i++) {
      await show({ who: '?stranger' });
      clock.advance(700);
    }
    for (let i = 0; i < 4; i++) {
      await show({ who: 'ada' });
      clock.advance(700);
    }
    expect(store.attendance.all().map((e) => e.studentId)).toEqual(['ada']);
  });
});

describe('what counts against a candidate', () => {
  it('frames won by another student do not count against, and gated frames are neutral', async () => {
    const { show, store } = setup();
    await show({ who: 'ada' });
    await show({ who: 'bob' });
    await show({ who: 'ada' });
    expect(store.attendance.all().map((e) => e.studentId)).toEqual(['ada']);
    await show();
    await show({ who: 'bob' });
    await show({ who: '?someone', gates: ['blur'] });
    await show({ who: '?someone', gates: ['pose'] });
    await show({ who: 'bob' });
    expect(store.attendance.all().map((e) => e.studentId)).toEqual(['ada', 'bob']);
  });
});

describe('attendance engine: liveness per visit', () => {
  it('the fake signals are what the shipped calibration calls live and attack', async () => {
    const { frameLivenessScore, livenessThreshold } = await import('../../ml/liveness/decision.js');
    const { FAKE_LIVE_SIGNALS, FAKE_SPOOF_SIGNALS } = await import('../testing/fake-engine.js');
    const t = livenessThreshold('strict');
    expect(
      frameLivenessScore({ antispoof: 0.95, liveness: 0.95, presentation: FAKE_LIVE_SIGNALS })!,
    ).toBeGreaterThan(t);
    expect(
      frameLivenessScore({ antispoof: 0.95, liveness: 0.95, presentation: FAKE_SPOOF_SIGNALS })!,
    ).toBeLessThan(livenessThreshold('standard'));
  });

  it('a photo of an enrolled student is never marked: one kind message, one audit entry with the scores', async () => {
    const { show, store } = setup();
    const kinds: string[] = [];
    for (let i = 0; i < 8; i++) {
      const out = await show({ who: 'ada', spoof: true });
      for (const d of out.decisions) kinds.push(d.kind);
      expect(out.faces[0]?.state).not.toBe('recognised');
    }
    expect(store.attendance.all()).toHaveLength(0);
    expect(kinds).toEqual(['look_at_camera']);
    const audit = store.audit.list().filter((a) => a.action === 'liveness_rejected');
    expect(audit).toHaveLength(1);
    const detail = JSON.parse(audit[0]!.detail);
    expect(detail).toMatchObject({ studentId: 'ada', level: 'standard', frames: 2 });
    expect(detail.score).toBeLessThan(detail.threshold);
    expect(detail.fasnet).toBeLessThan(0.01);
  });

  it('the rejection message never names or accuses anyone', async () => {
    const { show } = setup();
    await show({ who: 'ada', spoof: true });
    const d = (await show({ who: 'ada', spoof: true })).decisions[0]!;
    expect(d).toMatchObject({
      kind: 'look_at_camera',
      studentId: null,
      name: null,
      message: 'Please look at the camera',
    });
  });

  it('a face is named on screen only by a decision: never a photo held up, never one frame’s match', async () => {
    const { show } = setup();
    // A photo of Ada held up to the door: matched every frame, turned away by liveness.
    for (let i = 0; i < 6; i++) {
      for (const f of (await show({ who: 'ada', spoof: true })).faces) expect(f.label).toBeNull();
    }
    await show(); // the photo is taken away
    // Ada herself: her first frame is a match, not yet a decision, so no name on her box either.
    expect((await show({ who: 'ada' })).faces[0]).toMatchObject({ state: 'candidate', label: null });
    expect((await show({ who: 'ada' })).faces[0]).toMatchObject({
      state: 'recognised',
      label: 'Ada Lovelace',
    });
  });

  it('a live student is marked, with the visit liveness score; a new visit after an empty doorway starts afresh', async () => {
    const { show, store } = setup();
    await show({ who: 'ada', spoof: true });
    await show({ who: 'ada', spoof: true });
    await show(); // the photo is taken away: the visit ends
    await show({ who: 'ada' });
    const out = await show({ who: 'ada' });
    expect(out.decisions[0]).toMatchObject({ kind: 'present', studentId: 'ada' });
    expect(typeof out.decisions[0]!.scores!.livenessScore).toBe('number');
    expect(store.attendance.all()).toHaveLength(1);
  });

  it('faces without presentation signals (a bad frame) are never enough to mark', async () => {
    const { store, engine } = setup();
    let seq = 0;
    const fake = new FakeFaceEngine();
    for (let i = 0; i < 5; i++) {
      const a = await fake.analyse(fakeFrame({ who: 'ada' }));
      for (const f of a.faces) delete f.presentation;
      engine.processFrame(a, ++seq);
    }
    expect(store.attendance.all()).toHaveLength(0);
  });
});

describe('evidence per tracked face', () => {
  it('a stranger misread as a student beside a recognised student is not marked (his unknown frames count against him)', async () => {
    const { show, store } = setup();
    await show({ who: 'ada' }, { who: '?stranger' });
    await show({ who: 'ada' }, { who: 'bob' });
    await show({ who: 'ada' }, { who: '?stranger' });
    await show({ who: 'ada' }, { who: 'bob' });
    expect(store.attendance.all().map((e) => e.studentId)).toEqual(['ada']);
  });

  it('one lucky frame never marks anyone, even when the setting asks for one vote', async () => {
    const { show, store } = setup();
    store.settings.update({ votesNeeded: 1 });
    await show({ who: 'ada' });
    await show();
    await show({ who: 'bob' });
    await show();
    expect(store.attendance.all()).toHaveLength(0);
    await show({ who: 'bob' });
    await show({ who: 'bob' });
    expect(store.attendance.all().map((e) => e.studentId)).toEqual(['bob']);
  });

  it('a student of another class needs one more agreeing frame than a student of the class in session', async () => {
    const { show, store } = setup();
    await show({ who: 'cy' });
    await show({ who: 'cy' });
    expect(store.attendance.all()).toHaveLength(0);
    await show({ who: 'cy' });
    expect(store.attendance.all()).toEqual([expect.objectContaining({ kind: 'exception', studentId: 'cy' })]);
  });

  it('two strangers in view are two unknown appearances', async () => {
    const { show, engine } = setup();
    for (let i = 0; i < 3; i++) await show({ who: '?stranger' }, { who: '?other', size: 150 });
    expect(engine.counters.unknownAppearances).toBe(2);
  });
});

describe('template freshness: door captures offered as templates', () => {
  /** A face near `a` (cosine ca) and `b` (cosine cb): the fake gallery's people are one-hot axes. */
  function between(a: string, ca: number, b: string, cb: number): Float32Array {
    const va = fakeEmbedding(a);
    const vb = fakeEmbedding(b);
    const used = new Set(['ada', 'bob', 'cy'].map((w) => fakeEmbedding(w).indexOf(1)));
    const spare = [...Array(FAKE_DIMS).keys()].find((i) => !used.has(i))!;
    const v = new Float32Array(FAKE_DIMS);
    for (let i = 0; i < FAKE_DIMS; i++) v[i] = ca * va[i]! + cb * vb[i]!;
    v[spare] = Math.sqrt(1 - ca * ca - cb * cb);
    return v;
  }

  function withSetting(on: boolean | null, startIso?: string) {
    const t = setup(startIso);
    if (on !== null) t.store.sync.set('doorTemplates', on ? '1' : '0');
    const fake = new FakeFaceEngine();
    let seq = 1000;
    /** One frame whose faces have the given embeddings. */
    const showEmbedding = async (embedding: Float32Array) => {
      t.clock.advance(100);
      const a = await fake.analyse(fakeFrame({ who: 'ada' }));
      a.faces[0]!.embedding = embedding;
      return t.engine.processFrame(a, ++seq);
    };
    return { ...t, showEmbedding };
  }

  it('a class-tier mark far above the point queues one capture of that face, embedding only', async () => {
    const { show, store } = withSetting(true);
    await show({ who: 'ada' });
    expect((await show({ who: 'ada' })).decisions[0]?.kind).toBe('present');
    const pending = store.doorCaptures.pending(10);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ studentId: 'ada', modelId: 'fake-v1', similarity: 1, margin: 1 });
    expect(Array.from(pending[0]!.embedding)).toEqual(Array.from(fakeEmbedding('ada')));
  });

  it('at most one capture per student per 24 hours, even when a second session marks them', async () => {
    const { show, store, clock } = withSetting(true);
    store.roster.upsertSchedule({
      id: 'maths-mon-2',
      classId: 'maths',
      roomId: 'r1',
      weekday: 1,
      date: null,
      startTime: '11:00',
      endTime: '12:00',
      graceMinutes: 10,
    });
    await show({ who: 'ada' });
    await show({ who: 'ada' });
    clock.advance(2 * 60 * 60 * 1000); // 11:02, the second session
    await show({ who: 'ada' });
    expect((await show({ who: 'ada' })).decisions[0]).toMatchObject({
      kind: 'present',
      sessionId: 'maths-mon-2@2026-03-02',
    });
    expect(store.doorCaptures.pending(10)).toHaveLength(1);
  });

  it('a mark whose margin clears the point but not the freshness bar queues nothing', async () => {
    const { store, showEmbedding } = withSetting(true);
    // Threshold 0.6 / margin 0.1 in the fixture: the bar is 0.7 / 0.2. 0.75 over bob's 0.62 is a
    // mark (margin 0.13) but not a template.
    const near = between('ada', 0.75, 'bob', 0.62);
    await showEmbedding(near);
    const out = await showEmbedding(near);
    expect(out.decisions[0]).toMatchObject({ kind: 'present', studentId: 'ada' });
    expect(store.doorCaptures.pending(10)).toEqual([]);
  });

  it('a school-tier match (a student of another class) queues nothing', async () => {
    const { show, store } = withSetting(true);
    for (let i = 0; i < 4; i++) await show({ who: 'cy' });
    expect(store.attendance.all()).toEqual([expect.objectContaining({ kind: 'exception', studentId: 'cy' })]);
    expect(store.doorCaptures.pending(10)).toEqual([]);
  });

  it('a visit held by liveness queues nothing', async () => {
    const { show, store } = withSetting(true);
    for (let i = 0; i < 6; i++) await show({ who: 'ada', spoof: true });
    expect(store.attendance.all()).toHaveLength(0);
    expect(store.doorCaptures.pending(10)).toEqual([]);
  });

  it('with the setting off, or never told by the server, nothing is queued', async () => {
    for (const setting of [false, null]) {
      const { show, store } = withSetting(setting);
      await show({ who: 'ada' });
      expect((await show({ who: 'ada' })).decisions[0]?.kind).toBe('present');
      expect(store.doorCaptures.pending(10)).toEqual([]);
    }
  });

  it('erasing the student from the roster erases their pending capture', async () => {
    const { show, store } = withSetting(true);
    await show({ who: 'ada' });
    await show({ who: 'ada' });
    expect(store.doorCaptures.pending(10)).toHaveLength(1);
    store.roster.deleteStudent('ada');
    expect(store.doorCaptures.pending(10)).toEqual([]);
  });
});
