// Template freshness over the wire: a whole kiosk (createKiosk, fake engine) against the real
// server. A queued door capture is offered on the next sync, kept by the server and comes back
// through the roster as a template; with the admin's setting off it is dropped, never sent.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { call } from '../../server/test/app.js';
import {
  enrolStudentPhoto,
  pairWholeKiosk,
  serverForKiosks,
  type ServerForKiosks,
} from '../../server/test/whole-kiosk.js';
import { embeddingSizeOf } from '../ml/embedders.js';
import { FakeFaceEngine, fakeEmbedding } from '../core/testing/fake-engine.js';

let server: ServerForKiosks;
const NOW = '2026-09-07T08:35:00Z';
// The server keeps door templates only of a model with a calibrated point (door-template.ts).
const SHIPPED_MODEL = 'faceplugin/v1';
// Its size: the server refuses templates of a known model that do not have it.
const SHIPPED_SIZE = embeddingSizeOf(SHIPPED_MODEL) ?? 0;

beforeEach(async () => {
  server = await serverForKiosks();
});
afterEach(async () => {
  await server.close();
});

async function pairedKiosk() {
  const engine = new FakeFaceEngine(0, SHIPPED_MODEL);
  const { kiosk } = await pairWholeKiosk(server, engine, NOW);
  // The student's enrolment template, of the kiosk's model and size.
  // The door face below is this face again: the server checks a capture still matches the
  // child's enrolment templates.
  const studentId = await enrolStudentPhoto(
    server,
    engine.modelId,
    fakeEmbedding('door face', SHIPPED_SIZE),
    NOW,
  );
  expect((await kiosk.sync.syncNow()).ok).toBe(true); // reports the model, learns the setting
  return { kiosk, engine, studentId };
}

const capture = (studentId: string, modelId: string) => ({
  id: randomUUID(),
  studentId,
  modelId,
  embedding: fakeEmbedding('door face', SHIPPED_SIZE),
  similarity: 0.9,
  margin: 0.5,
  createdAt: NOW,
});

it('a queued capture is offered, kept by the server, and comes back to the kiosk as a template', async () => {
  await call(server.app, server.seeded.adminToken, 'PATCH', '/api/settings', { doorTemplates: true });
  const { kiosk, engine, studentId } = await pairedKiosk();
  expect(kiosk.store.sync.get('doorTemplates')).toBe('1');
  const c = capture(studentId, engine.modelId);
  kiosk.store.doorCaptures.queue(c);
  expect((await kiosk.sync.syncNow()).ok).toBe(true);
  expect(kiosk.store.doorCaptures.pending(10)).toEqual([]);
  const onServer = await server.database.db
    .selectFrom('templates')
    .select(['id', 'source'])
    .where('id', '=', c.id)
    .execute();
  expect(onServer).toEqual([{ id: c.id, source: 'door' }]);
  // The same run's pull brought it back like any template (the gallery grows by one).
  expect(kiosk.store.templates.forModel(engine.modelId).map((t) => t.id)).toContain(c.id);
});

it('with the setting off the capture is dropped on the kiosk and never reaches the server', async () => {
  const { kiosk, engine, studentId } = await pairedKiosk();
  expect(kiosk.store.sync.get('doorTemplates')).toBe('0');
  const c = capture(studentId, engine.modelId);
  kiosk.store.doorCaptures.queue(c);
  expect((await kiosk.sync.syncNow()).ok).toBe(true);
  expect(kiosk.store.doorCaptures.pending(10)).toEqual([]);
  const onServer = await server.database.db
    .selectFrom('templates')
    .select('id')
    .where('id', '=', c.id)
    .execute();
  expect(onServer).toEqual([]);
});
