// The kiosk with the REAL face engine (src/ml, WASM) on committed fixture photos: an
// enrolled student is marked once, a stranger never, and a corrupt frame is skipped.
// Frames are pushed one at a time and awaited, so the result does not depend on CPU load.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { createFaceEngine, type FaceEngine } from '../ml/index.js';
import { createKiosk, type KioskRuntime } from './kiosk.js';
import { silentLogger, testClock } from './testing/fixtures.js';

const FACES = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'test/fixtures/demo-faces');
const photo = (who: string, n: number) => new Uint8Array(readFileSync(join(FACES, who, `0${n}.jpg`)));

let kiosk: KioskRuntime;
let engine: FaceEngine;
const clock = testClock('2026-03-02T09:02:00Z');

beforeAll(async () => {
  engine = await createFaceEngine({}, { logger: silentLogger() });
  kiosk = createKiosk({
    dataDir: '/nonexistent',
    databaseFile: ':memory:',
    camera: 'push',
    engine,
    clock: clock.now,
    logger: silentLogger(),
    autoSync: false,
  });
  const { store } = kiosk;
  store.sync.setMany({ roomId: 'r1', timezone: 'UTC' });
  store.roster.upsertRoom({ id: 'r1', name: 'Room 1' });
  store.roster.upsertClass({ id: 'c1', name: 'Class 1' });
  store.roster.upsertSchedule({
    id: 's1',
    classId: 'c1',
    roomId: 'r1',
    weekday: 1,
    date: null,
    startTime: '09:00',
    endTime: '10:00',
    graceMinutes: 10,
  });
  for (const [id, who] of [
    ['st-angelina', 'angelina_jolie'],
    ['st-donald', 'donald_rumsfeld'],
  ] as const) {
    store.roster.upsertStudent({ id, studentNumber: id, name: who, consent: true });
    store.roster.upsertEnrolment({ id: `e-${id}`, classId: 'c1', studentId: id });
    for (const n of [1, 2]) {
      const face = (await engine.analyse(photo(who, n))).faces.sort((a, b) => b.box[2] - a.box[2])[0];
      if (!face) throw new Error(`no face in ${who}/${n}`);
      store.templates.upsert({
        id: randomUUID(),
        studentId: id,
        modelId: engine.modelId,
        embedding: face.embedding,
        quality: 1,
        origin: 'server',
        createdAt: clock.now().toISOString(),
      });
    }
  }
  await kiosk.ready;
  kiosk.reloadGallery();
}, 180_000);

afterAll(async () => {
  await kiosk?.close();
});

async function show(frame: Uint8Array) {
  clock.advance(300);
  kiosk.pushFrame(frame);
  await new Promise((r) => setTimeout(r, 0));
  await kiosk.idle();
}

describe('kiosk with the real face engine', () => {
  it('marks the enrolled student from probe photos, once, with scores', async () => {
    for (const n of [3, 4, 3, 4]) await show(photo('angelina_jolie', n));
    const events = kiosk.store.attendance.all();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'mark',
      studentId: 'st-angelina',
      status: 'present',
      sessionId: 's1@2026-03-02',
    });
    expect(events[0]?.scores?.similarity).toBeGreaterThan(0.5);
    expect(events[0]?.modelId).toBe(engine.modelId);
  });

  it('skips a corrupt frame and never marks a stranger', async () => {
    await show(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    expect(kiosk.stats().frames.corrupt).toBe(1);
    await show(new Uint8Array(readFileSync(join(FACES, '..', 'demo-faces', 'README.md')))); // not an image at all
    for (const n of [1, 2, 3, 4, 1, 2]) await show(photo('colin_powell', n));
    expect(kiosk.store.attendance.all().filter((e) => e.studentId !== 'st-angelina')).toEqual([]);
    expect(kiosk.stats().frames.corrupt).toBe(2);
  });
});
