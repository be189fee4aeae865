// A kiosk enrolment the server refuses (a face unlike the student's templates on the server:
// what a stolen PIN or device token would enrol) stops opening this door under the student's
// name at once, and the admin's roster says why. A whole kiosk (createKiosk, fake engine)
// against the real server.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  enrolStudentPhoto,
  pairWholeKiosk,
  serverForKiosks,
  type ServerForKiosks,
} from '../../server/test/whole-kiosk.js';
import { embeddingSizeOf } from '../ml/embedders.js';
import { FakeFaceEngine, fakeEmbedding, fakeFrame } from '../core/testing/fake-engine.js';
import type { Decision } from '../core/attendance/engine.js';

let server: ServerForKiosks;
const NOW = '2026-09-07T08:35:00Z'; // during the seeded Monday lesson
// The server judges a kiosk's new shots by the calibrated threshold of their model.
const SHIPPED_MODEL = 'faceplugin/v1';
// Its size: the server refuses templates of a known model that do not have it.
const SHIPPED_SIZE = embeddingSizeOf(SHIPPED_MODEL) ?? 0;

beforeEach(async () => {
  server = await serverForKiosks();
});
afterEach(async () => {
  await server.close();
});

it("a template the server refuses as unlike the student's stops matching at once", async () => {
  const engine = new FakeFaceEngine(0, SHIPPED_MODEL);
  const { kiosk } = await pairWholeKiosk(server, engine, NOW);
  // The student's face on the server (an admin's photo enrolment); the kiosk pulls it.
  const studentId = await enrolStudentPhoto(
    server,
    SHIPPED_MODEL,
    fakeEmbedding('student', SHIPPED_SIZE),
    NOW,
  );
  expect((await kiosk.sync.syncNow()).ok).toBe(true);
  // Somebody else's face enrolled at this kiosk under the student's name (as the enrolment
  // desk stores shots: local, waiting to be pushed, matched at once).
  const planted = {
    id: randomUUID(),
    studentId,
    modelId: SHIPPED_MODEL,
    embedding: fakeEmbedding('mallory', SHIPPED_SIZE),
    quality: 0.9,
    origin: 'local' as const,
    createdAt: NOW,
  };
  kiosk.store.templates.upsert(planted);
  kiosk.reloadGallery();
  expect(kiosk.sync.status().rejectedTemplateCount).toBe(0);

  const report = await kiosk.sync.syncNow();
  expect(report.ok).toBe(true);
  expect(report.templates).toMatchObject({ accepted: 0, rejected: 1 });
  expect(kiosk.store.templates.rejected()).toEqual([
    { id: planted.id, studentId, reason: 'unlike_enrolment' },
  ]);
  // The Sync screen counts it, apart from refused marks.
  expect(kiosk.sync.status()).toMatchObject({ rejectedTemplateCount: 1, rejectedCount: 0 });
  expect(kiosk.store.templates.forModel(SHIPPED_MODEL).map((t) => t.id)).not.toContain(planted.id);

  // At the door: the planted face is nobody now; the student is still recognised.
  const decisions: Decision[] = [];
  kiosk.onDecision((d) => decisions.push(d));
  const show = async (who: string) => {
    for (let i = 0; i < 3; i++) {
      kiosk.pushFrame(fakeFrame({ who }));
      await kiosk.idle();
    }
  };
  await show('mallory');
  expect(decisions.filter((d) => d.studentId === studentId)).toEqual([]);
  await show('student');
  expect(decisions.filter((d) => d.studentId === studentId).map((d) => d.kind)).toEqual(['present']);
});
