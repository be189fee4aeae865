// The door's rules end to end in the kiosk core: arrival window, back-to-back sessions and the
// calendar the roster pull brings (offline afterwards), on a real store and engine.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applyRosterPage } from '../../sync/roster-apply.js';
import { FakeFaceEngine, FAKE_DIMS, fakeFrame } from '../testing/fake-engine.js';
import { seededStore, silentLogger, testClock } from '../testing/fixtures.js';
import { AttendanceEngine } from './engine.js';

// Room r1 in UTC: maths Mondays 09:00-10:00 (ada, bob); 2026-03-02 is a Monday.
function setup(startIso: string) {
  const clock = testClock(startIso);
  const store = seededStore(clock.now);
  store.sync.set('siteId', 'site1');
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
  // Three frames of the person (a student of another class needs one more than the class's
  // own), the first decision taken; then they walk on.
  const arrive = async (who: string) => {
    let decision;
    for (let i = 0; i < 3; i++) {
      clock.advance(100);
      const out = await engine.processFrame(await fake.analyse(fakeFrame({ who })), ++seq);
      decision ??= out.decisions[0];
    }
    clock.advance(100);
    await engine.processFrame(await fake.analyse(fakeFrame()), ++seq); // they walk on
    return decision;
  };
  return { clock, store, engine, arrive };
}

describe('the door', () => {
  it('marks an early arrival present for the coming session (default window 10 min)', async () => {
    const { arrive, store, engine } = setup('2026-03-02T08:50:00Z');
    expect(engine.session()?.sessionId).toBe('maths-mon@2026-03-02');
    expect(await arrive('ada')).toMatchObject({ kind: 'present', sessionId: 'maths-mon@2026-03-02' });
    expect(store.attendance.all()).toMatchObject([
      { kind: 'mark', status: 'present', studentId: 'ada', sessionId: 'maths-mon@2026-03-02' },
    ]);
  });

  it('records nothing before the window, and follows a class override and the site default from the roster', async () => {
    const { arrive, store, clock } = setup('2026-03-02T08:44:00Z');
    expect(await arrive('ada')).toMatchObject({ kind: 'no_session', message: 'No class now' });
    // The site widens its window to 15 min, then the class overrides it with 5.
    applyRosterPage(
      store,
      [
        {
          seq: 1,
          entity: 'site',
          op: 'upsert',
          id: 'site1',
          data: { id: 'site1', timezone: 'UTC', arrivalMinutes: 15 },
        },
      ],
      '1',
      clock.now().toISOString(),
    );
    clock.set('2026-03-02T08:46:00Z');
    expect(await arrive('bob')).toMatchObject({ kind: 'present' });
    applyRosterPage(
      store,
      [
        {
          seq: 2,
          entity: 'class',
          op: 'upsert',
          id: 'maths',
          data: { id: 'maths', name: 'Maths', arrivalMinutes: 5 },
        },
      ],
      '2',
      clock.now().toISOString(),
    );
    clock.set('2026-03-02T08:54:59Z');
    expect(await arrive('cy')).toMatchObject({ kind: 'no_session' });
    clock.set('2026-03-02T08:55:00Z');
    expect(await arrive('ada')).toMatchObject({ kind: 'present' });
    expect(store.attendance.all()).toHaveLength(2);
  });

  it('back to back in one room: both lists → the next session, one list → that one, none → exception on the next', async () => {
    const { arrive, store } = setup('2026-03-02T09:55:00Z');
    store.roster.upsertClass({ id: 'art', name: 'Art' });
    store.roster.upsertSchedule({
      id: 'art-mon',
      classId: 'art',
      roomId: 'r1',
      weekday: 1,
      date: null,
      startTime: '10:00',
      endTime: '11:00',
      graceMinutes: 5,
    });
    store.roster.upsertEnrolment({ id: 'e-ada-art', classId: 'art', studentId: 'ada' });
    expect(await arrive('ada')).toMatchObject({ kind: 'present', sessionId: 'art-mon@2026-03-02' }); // on both lists
    expect(await arrive('bob')).toMatchObject({ kind: 'late', sessionId: 'maths-mon@2026-03-02' }); // maths only
    expect(await arrive('cy')).toMatchObject({ kind: 'not_enrolled', sessionId: 'art-mon@2026-03-02' });
    expect(store.attendance.all().map((e) => [e.studentId, e.kind, e.sessionId])).toEqual([
      ['ada', 'mark', 'art-mon@2026-03-02'],
      ['bob', 'mark', 'maths-mon@2026-03-02'],
      ['cy', 'exception', 'art-mon@2026-03-02'],
    ]);
  });

  it('says "No class today" on a holiday the calendar brought, offline, and records nothing', async () => {
    const { arrive, store, engine, clock } = setup('2026-03-02T09:05:00Z');
    const calendar = {
      siteId: 'site1',
      version: 1,
      terms: [],
      closures: [{ id: 'c1', name: 'Snow day', startDate: '2026-03-02', endDate: '2026-03-02' }],
      changes: [{ scheduleId: 'maths-mon', date: '2026-03-09', kind: 'cancelled' }],
    };
    const outcome = applyRosterPage(
      store,
      [{ seq: 1, entity: 'calendar', op: 'upsert', id: 'site1', data: calendar }],
      '1',
      clock.now().toISOString(),
    );
    expect(outcome).toMatchObject({ applied: 1, skipped: [], scheduleChanged: true });
    expect(engine.session()).toBeNull();
    expect(engine.noClassToday()).toBe(true);
    expect(await arrive('ada')).toMatchObject({ kind: 'no_session', message: 'No class today' });
    expect(await arrive('ada')).toMatchObject({ kind: 'no_session', message: 'No class today' }); // re-greet in the cooldown
    // The cancelled session a week later: no class then either, but the day is a school day.
    clock.set('2026-03-09T09:05:00Z');
    expect(engine.session()).toBeNull();
    expect(engine.noClassToday()).toBe(false);
    clock.set('2026-03-16T09:05:00Z');
    expect(await arrive('ada')).toMatchObject({ kind: 'present', sessionId: 'maths-mon@2026-03-16' });
    expect(store.attendance.all()).toHaveLength(1);
  });

  it('refuses a calendar for another site and keeps the one it has', () => {
    const { store, clock } = setup('2026-03-02T09:05:00Z');
    const outcome = applyRosterPage(
      store,
      [
        {
          seq: 1,
          entity: 'calendar',
          op: 'upsert',
          id: 'other',
          data: { siteId: 'other', version: 1, terms: [], closures: [], changes: [] },
        },
      ],
      '1',
      clock.now().toISOString(),
    );
    expect(outcome.skipped[0]?.reason).toMatch(/not this kiosk's site/);
    expect(store.sync.get('calendar')).toBeNull();
  });

  it('runs the schedule version in force today (feed 2) ', async () => {
    const { arrive, store } = setup('2026-03-09T13:02:00Z');
    store.roster.upsertSchedule({
      id: 'maths-mon',
      classId: 'maths',
      roomId: 'r1',
      weekday: 1,
      date: null,
      startTime: '13:00',
      endTime: '14:00',
      graceMinutes: 10,
      versions: [
        {
          validFrom: null,
          validUntil: '2026-03-08',
          roomId: 'r1',
          weekday: 1,
          date: null,
          startTime: '09:00',
          endTime: '10:00',
          graceMinutes: 10,
        },
        {
          validFrom: '2026-03-09',
          validUntil: null,
          roomId: 'r1',
          weekday: 1,
          date: null,
          startTime: '13:00',
          endTime: '14:00',
          graceMinutes: 10,
        },
      ],
    });
    expect(await arrive('ada')).toMatchObject({ kind: 'present', sessionId: 'maths-mon@2026-03-09' });
  });
});
