// The kiosk tells the server which face model it runs: with every roster pull (so a kiosk that
// marks nobody still reports) and inside the health of every attendance push. A whole kiosk
// (createKiosk, fake engine) against the real server; the admin's device list shows the model.
import { afterEach, beforeEach, expect, it } from 'vitest';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, call, seed, type Seeded } from '../../server/test/app.js';
import { openSqlite, type Database } from '../../server/src/db/database.js';
import { createKiosk } from '../core/index.js';
import { FakeFaceEngine } from '../core/testing/fake-engine.js';

let database: Database;
let app: FastifyInstance;
let seeded: Seeded;
let closers: { close(): Promise<void> }[];

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

interface DeviceView {
  id: string;
  modelId: string | null;
  health: { modelId?: string } | null;
}

it('a paired kiosk reports its face model on its first sync; the device list shows it', async () => {
  const engine = new FakeFaceEngine();
  const kiosk = createKiosk({
    dataDir: '/nonexistent',
    databaseFile: ':memory:',
    camera: 'push',
    engine,
    clock: () => new Date('2026-09-07T08:35:00Z'),
    logger: pino({ level: 'silent' }),
    autoSync: false,
    sync: { timeoutMs: 2000 },
  });
  closers.push(kiosk);
  await kiosk.ready;
  const device = await call<{ id: string; pairingCode: string; modelId: string | null }>(
    app,
    seeded.adminToken,
    'POST',
    '/api/devices',
    { roomId: seeded.roomId },
  );
  expect(device.modelId).toBeNull(); // nothing reported before pairing
  const address = app.server.address();
  const url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
  await kiosk.sync.pair({ serverUrl: url, code: device.pairingCode, name: 'door' });
  expect((await kiosk.sync.syncNow()).ok).toBe(true);

  const listed = await call<DeviceView[]>(app, seeded.adminToken, 'GET', '/api/devices');
  expect(listed.find((d) => d.id === device.id)?.modelId).toBe(engine.modelId);
});
