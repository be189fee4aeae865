// Shared test helpers for the kiosk core: an in-memory store with a small roster.
import pino from 'pino';
import { randomUUID } from 'node:crypto';
import { openKioskStore, type KioskStore } from '../store/index.js';
import { DEFAULT_SETTINGS } from '../store/settings-defaults.js';
import { fakeEmbedding } from './fake-engine.js';

export const silentLogger = () => pino({ level: 'silent' });

/** A mutable clock for tests. */
export function testClock(startIso: string) {
  let t = new Date(startIso).getTime();
  return {
    now: () => new Date(t),
    advance: (ms: number) => {
      t += ms;
    },
    set: (iso: string) => {
      t = new Date(iso).getTime();
    },
  };
}

/**
 * Room r1 in UTC; "maths" runs Mondays 09:00-10:00 (grace 10 min) with ada and bob enrolled;
 * cy is a student of the site but not of maths. 2026-03-02 is a Monday.
 */
export function seededStore(now: () => Date, file = ':memory:'): KioskStore {
  const store = openKioskStore({
    file,
    defaultSettings: { ...DEFAULT_SETTINGS, matchThreshold: 0.6, matchMargin: 0.1 },
    now,
  });
  seedRoster(store, now);
  return store;
}

export function seedRoster(store: KioskStore, now: () => Date): void {
  store.sync.setMany({ roomId: 'r1', timezone: 'UTC' });
  store.roster.upsertRoom({ id: 'r1', name: 'Room 1' });
  store.roster.upsertClass({ id: 'maths', name: 'Maths' });
  store.roster.upsertSchedule({
    id: 'maths-mon',
    classId: 'maths',
    roomId: 'r1',
    weekday: 1,
    date: null,
    startTime: '09:00',
    endTime: '10:00',
    graceMinutes: 10,
  });
  for (const [id, name] of [
    ['ada', 'Ada Lovelace'],
    ['bob', 'Bob Moses'],
    ['cy', 'Cy Young'],
  ] as const) {
    store.roster.upsertStudent({ id, studentNumber: id.toUpperCase(), name, consent: true });
    store.templates.upsert({
      id: randomUUID(),
      studentId: id,
      modelId: 'fake-v1',
      embedding: fakeEmbedding(id),
      quality: 1,
      origin: 'server',
      createdAt: now().toISOString(),
    });
  }
  store.roster.upsertEnrolment({ id: 'e-ada', classId: 'maths', studentId: 'ada' });
  store.roster.upsertEnrolment({ id: 'e-bob', classId: 'maths', studentId: 'bob' });
}
