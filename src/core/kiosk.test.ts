import { describe, expect, it, afterEach } from 'vitest';
import { createKiosk } from './index.js';
import { FakeFaceEngine, fakeEmbedding, fakeFrame } from './testing/fake-engine.js';
import { silentLogger } from './testing/fixtures.js';
import { pushKiosk, TEST_ADMIN_PIN } from './testing/push-kiosk.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (open.length) await open.pop()?.close();
});

const kiosk = (startIso?: string) => pushKiosk(open, startIso);

const ADMIN_PIN = TEST_ADMIN_PIN;
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('kiosk API', () => {
  it('answers invalid arguments with a Result error, never a throw', async () => {
    const { h } = await kiosk();
    expect(await h.adminUnlock({ pin: 'abc' })).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
    expect(await h.adminUnlock(42)).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
    expect(await h.markUndo({ eventId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_args' },
    });
  });

  it('keeps admin channels behind the PIN', async () => {
    const { h } = await kiosk();
    expect(await h.rosterList({})).toMatchObject({ ok: false, error: { code: 'locked' } });
    expect(await h.adminUnlock({ pin: '9999' })).toEqual({
      ok: true,
      value: { unlocked: false, lockedUntil: null, recovery: false },
    });
    expect(await h.adminUnlock({ pin: ADMIN_PIN })).toEqual({
      ok: true,
      value: { unlocked: true, lockedUntil: null, recovery: false },
    });
    const roster = await h.rosterList({ search: 'ad' });
    expect(roster).toEqual({
      ok: true,
      value: [
        {
          id: 'ada',
          studentNumber: 'ADA',
          name: 'Ada Lovelace',
          consent: true,
          templates: 1,
          usableTemplates: 1,
          needsReEnrolment: false,
          enrolledInActiveClass: true,
        },
      ],
    });
    await h.adminLock(undefined);
    expect((await h.logToday(undefined)).ok).toBe(false);
  });

  it('streams state: pushed frames are recognised, marked and greeted', async () => {
    const { k, states, show, h } = await kiosk();
    await show('ada');
    await settle();
    await show('ada');
    await settle();
    const last = states.at(-1);
    expect(last?.greeting).toMatchObject({ kind: 'present', studentId: 'ada', name: 'Ada Lovelace' });
    // The greeting names the face it is for, so the door can take it down once that face has gone.
    expect(last?.greeting?.track).toEqual(expect.any(Number));
    expect(last?.faces.map((f) => f.track)).toContain(last?.greeting?.track);
    expect(last?.session).toMatchObject({ sessionId: 'maths-mon@2026-03-02', className: 'Maths' });
    expect(last?.room).toEqual({ id: 'r1', name: 'Room 1' });
    expect(last?.sync).toMatchObject({ paired: false, queueDepth: 1 });
    await h.adminUnlock({ pin: ADMIN_PIN });
    const log = await h.logToday(undefined);
    expect(log.ok && log.value).toMatchObject([
      {
        kind: 'mark',
        studentId: 'ada',
        name: 'Ada Lovelace',
        status: 'present',
        synced: false,
        undone: false,
      },
    ]);
    const state = await h.getState(undefined);
    expect(state.ok && state.value.engine).toMatchObject({ state: 'ready', modelId: 'fake-v1' });
    void k;
  });

  it("names each camera start in the preview frame, and forgets the old camera's picture on a restart", async () => {
    const { k, show } = await kiosk();
    await show('ada');
    await settle();
    const first = k.state().frame;
    expect(first).toMatchObject({ seq: 0, epoch: expect.any(String) });
    expect(k.latestFrame()).toMatchObject({ seq: 0, epoch: first?.epoch });
    // The camera restarts: its seq counts from 0 again, so only the epoch tells the frames apart.
    k.setCamera('push');
    expect(k.state().frame).toBeNull();
    expect(k.latestFrame()).toBeNull();
    await show('bob');
    await settle();
    const second = k.state().frame;
    expect(second).toMatchObject({ seq: 0 });
    expect(second?.epoch).not.toBe(first?.epoch);
    expect(k.latestFrame()?.epoch).toBe(second?.epoch);
  });

  it("stamps a pushed frame with the kiosk's clock, the same time line as its decision", async () => {
    const { k, clock, show } = await kiosk();
    const decisions: { capturedAt: number; now: number }[] = [];
    k.onDecision((d) => decisions.push({ capturedAt: d.frame.capturedAt, now: clock.now().getTime() }));
    await show('ada'); // a face is marked once it is seen on two frames in a row
    await settle();
    await show('ada');
    await settle();
    expect(decisions).toHaveLength(1);
    expect(decisions[0]?.capturedAt).toBe(Date.parse('2026-03-02T09:02:00.600Z'));
    expect(decisions[0]?.capturedAt).toBe(decisions[0]?.now);
  });

  it('a late student keeps "late" on screen through a missed frame and the repeats of their own face', async () => {
    const { states, show } = await kiosk('2026-03-02T09:15:00Z');
    for (const who of [['ada'], ['ada'], [], ['ada'], ['ada'], ['ada']]) {
      await show(...who);
      await settle();
    }
    const last = states.at(-1);
    // Still her greeting, for her face (the door shows it while a face of its track is in view).
    expect(last?.greeting).toMatchObject({ kind: 'late', studentId: 'ada' });
    expect(last?.faces.map((f) => f.track)).toEqual([last?.greeting?.track]);
  });

  it('two students arriving together are each greeted: the second does not take the first one’s away', async () => {
    const { states, show } = await kiosk();
    for (const who of [['ada'], ['ada'], ['ada', 'bob'], ['ada', 'bob'], ['ada', 'bob'], ['ada', 'bob']]) {
      await show(...who);
      await settle();
    }
    const last = states.at(-1);
    expect(last?.greetings?.map((g) => [g.kind, g.studentId])).toEqual([
      ['present', 'bob'],
      ['present', 'ada'],
    ]);
    // `greeting` is still the newest, for screens that know only one.
    expect(last?.greeting).toMatchObject({ kind: 'present', studentId: 'bob' });
    // Each for its own face in view.
    const tracks = last?.faces.map((f) => f.track);
    for (const g of last?.greetings ?? []) expect(tracks).toContain(g.track);
  });

  it('counts a corrupt pushed frame and keeps working', async () => {
    const { k, show, states } = await kiosk();
    k.pushFrame(new Uint8Array([0xff, 0xd8, 0x00]));
    await settle();
    await show('bob');
    await settle();
    await show('bob');
    await settle();
    expect(states.at(-1)?.greeting?.kind).toBe('present');
  });

  it('manual mark and undo through the API, with validation', async () => {
    const { h } = await kiosk();
    await h.adminUnlock({ pin: ADMIN_PIN });
    const m = await h.markManual({ studentId: 'bob', status: 'excused', reason: 'doctor' });
    expect(m.ok).toBe(true);
    if (!m.ok) return;
    expect(await h.markManual({ studentId: 'bob', status: 'sleeping' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_args' },
    });
    expect(await h.markManual({ studentId: 'zed', status: 'present' })).toMatchObject({
      ok: false,
      error: { code: 'unknown_student' },
    });
    const u = await h.markUndo({ eventId: m.value.eventId });
    expect(u.ok).toBe(true);
    expect(await h.markUndo({ eventId: m.value.eventId })).toMatchObject({
      ok: false,
      error: { code: 'already_undone' },
    });
  });

  it('starts no enrolment while the camera is off or missing: it could only wait for frames', async () => {
    const { h, k } = await kiosk();
    await h.adminUnlock({ pin: ADMIN_PIN });
    k.setCamera('none');
    const off = await h.enrolStart({ studentId: 'cy', shots: 3 });
    expect(off).toMatchObject({ ok: false, error: { code: 'camera_unavailable' } });
    expect(!off.ok && off.error.message).toMatch(/camera is not available.*cable.*camera setting/);
    expect(await h.enrolStatus(undefined)).toMatchObject({ ok: true, value: null });
    // Back on (a push camera waits for its first frame): the capture starts.
    k.setCamera('push');
    expect(await h.enrolStart({ studentId: 'cy', shots: 3 })).toMatchObject({ ok: true });
  });

  it("takes the page camera's report on the camera:report channel, validated, and only for the page's camera", async () => {
    const { h, k, states } = await kiosk();
    // No admin session needed: the door page reports while locked.
    const r = await h.cameraReport({
      status: 'error',
      reason: 'permission',
      detail: 'NotAllowedError: Permission denied',
    });
    expect(r).toEqual({ ok: true, value: null });
    expect(k.state().camera).toMatchObject({
      status: 'error',
      detail: 'The kiosk is not allowed to use the camera (NotAllowedError: Permission denied).',
    });
    expect(states.at(-1)?.camera.status).toBe('error');
    // Nothing else than a page camera's problem or its end.
    for (const bad of [
      { status: 'stopped' },
      { status: 'starting' },
      { status: 'error', reason: 'meltdown', detail: '' },
      { status: 'missing', reason: 'not-found', detail: 'x'.repeat(201) },
      { status: 'running', detail: 'fine' },
      { status: 'error', reason: 'busy', detail: '', cameraSpec: 'webcam:default' },
    ])
      expect(await h.cameraReport(bad as never)).toMatchObject({
        ok: false,
        error: { code: 'invalid_args' },
      });
    expect(k.state().camera.status).toBe('error');
    expect(await h.cameraReport({ status: 'running' })).toMatchObject({ ok: true });
    expect(k.state().camera.status).toBe('starting');

    // Not the page's camera: refused, and its status is the core's own.
    k.setCamera('none');
    const refused = await h.cameraReport({ status: 'missing', reason: 'not-found', detail: 'gone' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'not_page_camera' } });
    expect(k.state().camera.status).toBe('stopped');
  });

  it('enrols a student from live frames, with hints, into the template outbox', async () => {
    const { h, show, k } = await kiosk();
    await h.adminUnlock({ pin: ADMIN_PIN });
    expect(await h.enrolStart({ studentId: 'nobody' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    const start = await h.enrolStart({ studentId: 'cy', shots: 3 });
    expect(start).toMatchObject({ ok: true, value: { kept: 0, wanted: 3, done: false } });
    k.pushFrame(fakeFrame({ who: 'cy', gates: ['too_small'] }));
    await settle();
    expect(await h.enrolStatus(undefined)).toMatchObject({
      ok: true,
      value: { kept: 0, hint: 'Move closer' },
    });
    for (let i = 0; i < 3; i++) {
      await show('cy');
      await settle();
    }
    expect(await h.enrolStatus(undefined)).toMatchObject({ ok: true, value: { kept: 3, done: true } });
    expect(k.store.templates.countUnpushed()).toBe(3);
    expect((await h.getState(undefined)).ok && (await h.getState(undefined))).toMatchObject({
      value: { sync: { templateQueueDepth: 3 } },
    });
  });

  it('after a face model change, flags the students enrolled only under the old model until they enrol again', async () => {
    const { h, show, k, states } = await kiosk();
    const { store } = k;
    // dee was enrolled under the previous model only; bob has one old template besides his current one.
    store.roster.upsertStudent({ id: 'dee', studentNumber: 'DEE', name: 'Dee Old', consent: true });
    const old = {
      modelId: 'old-model/v0',
      embedding: new Float32Array(8).fill(0.5),
      quality: 1,
      origin: 'server' as const,
      createdAt: '2026-01-01T00:00:00Z',
    };
    store.templates.upsert({ id: 'old-dee', studentId: 'dee', ...old });
    store.templates.upsert({ id: 'old-bob', studentId: 'bob', ...old });
    store.roster.upsertStudent({ id: 'eve', studentNumber: 'EVE', name: 'Eve New', consent: true }); // never enrolled
    k.reloadGallery();

    await h.adminUnlock({ pin: ADMIN_PIN });
    const roster = await h.rosterList({});
    const row = (id: string) => (roster.ok ? roster.value.find((r) => r.id === id) : undefined);
    expect(row('dee')).toMatchObject({ templates: 1, usableTemplates: 0, needsReEnrolment: true });
    expect(row('bob')).toMatchObject({ templates: 2, usableTemplates: 1, needsReEnrolment: false });
    expect(row('eve')).toMatchObject({ templates: 0, usableTemplates: 0, needsReEnrolment: false });
    const state = await h.getState(undefined);
    expect(state.ok && state.value.templateCoverage).toEqual({
      modelId: 'fake-v1',
      recognisable: 3,
      needReEnrolment: 1,
      students: 5,
    });

    // Enrolling dee again under the running model clears the flag and the count.
    expect(await h.enrolStart({ studentId: 'dee', shots: 2 })).toMatchObject({ ok: true });
    for (let i = 0; i < 2; i++) {
      await show('dee');
      await settle();
    }
    const after = await h.rosterList({ search: 'Dee' });
    expect(after.ok && after.value[0]).toMatchObject({
      templates: 3,
      usableTemplates: 2,
      needsReEnrolment: false,
    });
    expect(states.at(-1)?.templateCoverage).toEqual({
      modelId: 'fake-v1',
      recognisable: 4,
      needReEnrolment: 0,
      students: 5,
    });
  });

  it('a template the server refused is not matched or counted, the roster says why, and enrolling again replaces it', async () => {
    const { h, show, k, states } = await kiosk();
    // A face that is not bob's enrolled here under his name; the server refused it on push.
    k.store.templates.upsert({
      id: 'planted',
      studentId: 'bob',
      modelId: 'fake-v1',
      embedding: fakeEmbedding('mallory'),
      quality: 1,
      origin: 'local',
      createdAt: '2026-03-02T09:00:00Z',
    });
    k.store.templates.markRejected('planted', 'unlike_enrolment');
    k.reloadGallery();
    for (let i = 0; i < 3; i++) {
      await show('mallory');
      await settle();
    }
    expect(states.some((s) => s.greeting?.studentId === 'bob')).toBe(false);

    await h.adminUnlock({ pin: ADMIN_PIN });
    const bob = async () => {
      const roster = await h.rosterList({ search: 'Bob' });
      return roster.ok ? roster.value[0] : undefined;
    };
    expect(await bob()).toMatchObject({
      templates: 1,
      usableTemplates: 1,
      refused: { count: 1, reason: 'unlike_enrolment' },
    });
    // An enrolment of bob (after an admin removed his old templates in the console) replaces the refused shot.
    expect(await h.enrolStart({ studentId: 'bob', shots: 2 })).toMatchObject({ ok: true });
    for (let i = 0; i < 2; i++) {
      await show('bob');
      await settle();
    }
    const after = await bob();
    expect(after).toMatchObject({ templates: 3, usableTemplates: 3 });
    expect(after?.refused).toBeUndefined();
    expect(k.store.templates.rejected()).toEqual([]);
  });

  it('validates settings and refuses a bad camera spec', async () => {
    const { h } = await kiosk();
    await h.adminUnlock({ pin: ADMIN_PIN });
    expect(await h.settingsUpdate({ votesNeeded: 3 })).toMatchObject({ ok: true, value: { votesNeeded: 3 } });
    expect(await h.settingsUpdate({ votesNeeded: 0 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_args' },
    });
    expect(await h.settingsUpdate({ cameraSpec: 'replay:' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_args' },
    });
    expect(await h.settingsGet(undefined)).toMatchObject({
      ok: true,
      value: { votesNeeded: 3, cameraSpec: 'webcam:default' },
    });
  });

  it('Settings make recognition stricter, never looser than the calibrated point (a PIN holder cannot open the door to strangers)', async () => {
    const { h, k } = await kiosk();
    await h.adminUnlock({ pin: ADMIN_PIN });
    const start = k.settings();
    for (const patch of [
      { matchThreshold: start.matchThreshold - 0.01 },
      { matchMargin: Math.max(0, start.matchMargin - 0.01) },
      { votesNeeded: 1 },
    ]) {
      expect(await h.settingsUpdate(patch)).toMatchObject({
        ok: false,
        error: { code: 'looser_than_calibrated' },
      });
    }
    expect(k.settings()).toMatchObject({
      matchThreshold: start.matchThreshold,
      matchMargin: start.matchMargin,
      votesNeeded: start.votesNeeded,
    });
    // Stricter is allowed, and back to the calibrated point.
    const stricter = {
      matchThreshold: start.matchThreshold + 0.05,
      matchMargin: start.matchMargin + 0.02,
      votesNeeded: 3,
    };
    expect(await h.settingsUpdate(stricter)).toMatchObject({ ok: true, value: stricter });
    expect(
      await h.settingsUpdate({ matchThreshold: start.matchThreshold, matchMargin: start.matchMargin }),
    ).toMatchObject({ ok: true });
  });

  it('sync channels report a clear error when not paired or the server is unreachable', async () => {
    const { h } = await kiosk();
    await h.adminUnlock({ pin: ADMIN_PIN });
    const r = await h.pair({ serverUrl: 'http://127.0.0.1:1', code: 'ABCDEFGH', name: 'door' });
    expect(r).toMatchObject({ ok: false, error: { code: 'sync_offline' } });
    expect(await h.syncNow(undefined)).toMatchObject({ ok: true, value: { paired: false } });
    const hist = await h.syncHistory(undefined);
    expect(hist.ok && hist.value[0]).toMatchObject({ kind: 'pair', ok: false });
  });
});

describe('engine failure', () => {
  it('a crashed face engine shows on the status line instead of passing as bad frames', async () => {
    const engine = new FakeFaceEngine();
    engine.analyse = async () => {
      throw Object.assign(new Error('face worker exited with code 1'), { code: 'crashed' });
    };
    const k = createKiosk({
      dataDir: '/nonexistent',
      databaseFile: ':memory:',
      camera: 'push',
      engine,
      logger: silentLogger(),
      autoSync: false,
    });
    open.push(k);
    await k.ready;
    k.pushFrame(fakeFrame({ who: 'ada' }));
    await settle();
    const s = await k.handlers.getState(undefined);
    expect(s.ok && s.value.engine).toMatchObject({ state: 'error', error: 'face worker exited with code 1' });
    expect(k.stats().frames.corrupt).toBe(1);
  });
});
