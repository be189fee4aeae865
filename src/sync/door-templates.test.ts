// Template freshness over the wire: a whole kiosk (createKiosk, fake engine) against the real
// server. A queued door capture is offered on the next sync, kept by the server and comes back
// through the roster as a template; with the admin's setting off it is dropped, never sent.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, call, seed, type Seeded } from '../../server/test/app.js';
import { openSqlite, type Database } from '../../server/src/db/database.js';
import { storeTemplates } from '../../server/src/repositories/templates.js';
import { embeddingToBase64 } from '../ml/embedding-codec.js';
import { createKiosk } from '../core/index.js';
import { FakeFaceEngine, fakeEmbedding } from '../core/testing/fake-engine.js';

let database: Database;
let app: FastifyInstance;
let seeded: Seeded;
let closers: { close(): Promise<void> }[];
const NOW = '2026-09-07T08:35:00Z';

beforeEach(async () => {
  database = openSqlite(':memory:');
  const t = await buildTestApp(database);
  app = t.app;
  seeded = await seed(t, database, { students: 1 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  closers = [];
});

afterEach(async () => {
  while (closers.length) await closers.pop()?.close();
  await app.close();
  await database.close();
});

// The server keeps door templates only of a model with a calibrated point (door-template.ts).
const SHIPPED_MODEL = 'faceplugin/v1';

async function pairedKiosk() {
  const engine = new FakeFaceEngine(0, SHIPPED_MODEL);
  const kiosk = createKiosk({
    dataDir: '/nonexistent',
    databaseFile: ':memory:',
    camera: 'push',
    engine,
    clock: () => new Date(NOW),
    logger: pino({ level: 'silent' }),
    autoSync: false,
    sync: { timeoutMs: 2000 },
  });
  closers.push(kiosk);
  await kiosk.ready;
  const device = await call<{ pairingCode: string }>(app, seeded.adminToken, 'POST', '/api/devices', {
    roomId: seeded.roomId,
  });
  const address = app.server.address();
  const url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
  await kiosk.sync.pair({ serverUrl: url, code: device.pairingCode, name: 'door' });
  // The student's enrolment template, of the kiosk's model and size.
  const studentId = seeded.students[0]!.id;
  await storeTemplates(
    database.db,
    [
      {
        id: randomUUID(),
        studentId,
        modelId: engine.modelId,
        // The door face below is this face again: the server checks a capture still matches
        // the child's enrolment templates.
        embedding: embeddingToBase64(fakeEmbedding('door face')),
        createdAt: NOW,
      },
    ],
    { source: 'photo', deviceId: null, siteId: null },
    NOW,
  );
  expect((await kiosk.sync.syncNow()).ok).toBe(true); // reports the model, learns the setting
  return { kiosk, engine, studentId };
}

const capture = (studentId: string, modelId: string) => ({
  id: randomUUID(),
  studentId,
  modelId,
  embedding: fakeEmbedding('door face'),
  similarity: 0.9,
  margin: 0.5,
  createdAt: NOW,
});

it('a queued capture is offered, kept by the server, and comes back to the kiosk as a template', async () => {
  await call(app, seeded.adminToken, 'PATCH', '/api/settings', { doorTemplates: true });
  const { kiosk, engine, studentId } = await pairedKiosk();
  expect(kiosk.store.sync.get('doorTemplates')).toBe('1');
  const c = capture(studentId, engine.modelId);
  kiosk.store.doorCaptures.queue(c);
  expect((await kiosk.sync.syncNow()).ok).toBe(true);
  expect(kiosk.store.doorCaptures.pending(10)).toEqual([]);
  const onServer = await database.db
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
  const onServer = await database.db.selectFrom('templates').select('id').where('id', '=', c.id).execute();
  expect(onServer).toEqual([]);
});
