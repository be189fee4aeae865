// A test server listening on a real port and whole kiosks (createKiosk, fake engine, in-memory
// store) paired with it: for tests of what goes over the wire between the two.
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createKiosk, type KioskRuntime } from '../../src/core/index.js';
import type { FaceEngine } from '../../src/ml/types.js';
import { randomUUID } from 'node:crypto';
import { embeddingToBase64 } from '../../src/ml/embedding-codec.js';
import { openSqlite, type Database } from '../src/db/database.js';
import { storeTemplates } from '../src/repositories/templates.js';
import { buildTestApp, call, seed, type Seeded } from './app.js';

export interface ServerForKiosks {
  database: Database;
  app: FastifyInstance;
  seeded: Seeded;
  /** The kiosks paired with it (pairWholeKiosk), closed with it. */
  kiosks: KioskRuntime[];
  /** Closes every kiosk paired with it, then the server and its database. */
  close(): Promise<void>;
}

interface Paired {
  kiosk: KioskRuntime;
  device: { id: string; pairingCode: string; modelId: string | null };
}

/** A fresh SQLite server with one seeded site, room, class and `students` students. */
export async function serverForKiosks(students = 1): Promise<ServerForKiosks> {
  const database = openSqlite(':memory:');
  const t = await buildTestApp(database);
  const seeded = await seed(t, database, { students });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const server: ServerForKiosks = {
    database,
    app: t.app,
    seeded,
    kiosks: [],
    async close() {
      while (server.kiosks.length) await server.kiosks.pop()?.close();
      await t.app.close();
      await database.close();
    },
  };
  return server;
}

/**
 * A whole kiosk on `engine`, its clock stopped at `now`, paired with the server's room.
 * `camera`: another camera than the page's (`push`); a replay needs `clock` to run (it paces by
 * the kiosk's clock, and a stopped one holds it at its first frame).
 */
export async function pairWholeKiosk(
  server: ServerForKiosks,
  engine: FaceEngine,
  now: string,
  options: { camera?: string; clock?: () => Date } = {},
): Promise<Paired> {
  const kiosk = createKiosk({
    dataDir: '/nonexistent',
    databaseFile: ':memory:',
    camera: options.camera ?? 'push',
    engine,
    clock: options.clock ?? (() => new Date(now)),
    logger: pino({ level: 'silent' }),
    autoSync: false,
    sync: { timeoutMs: 2000 },
  });
  server.kiosks.push(kiosk);
  await kiosk.ready;
  const device = await call<Paired['device']>(server.app, server.seeded.adminToken, 'POST', '/api/devices', {
    roomId: server.seeded.roomId,
  });
  const address = server.app.server.address();
  const url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
  await kiosk.sync.pair({ serverUrl: url, code: device.pairingCode, name: 'door' });
  return { kiosk, device };
}

/**
 * Gives the server's first seeded student a face: one template of `modelId` from an admin's photo
 * enrolment (never judged), as kiosks will pull it. Answers the student's id.
 */
export async function enrolStudentPhoto(
  server: ServerForKiosks,
  modelId: string,
  face: Float32Array,
  now: string,
): Promise<string> {
  const studentId = server.seeded.students[0]!.id;
  const [stored] = await storeTemplates(
    server.database.db,
    [{ id: randomUUID(), studentId, modelId, embedding: embeddingToBase64(face), createdAt: now }],
    { source: 'photo', deviceId: null, siteId: null },
    now,
  );
  if (stored?.status !== 'accepted') throw new Error(`photo template not stored: ${JSON.stringify(stored)}`);
  return studentId;
}

/** A kiosk's camera as the server's Kiosks page reads it (`GET /api/devices`), or undefined. */
export async function cameraOnServer(
  server: ServerForKiosks,
  deviceId: string,
): Promise<{ status: string; detail: string | null } | null | undefined> {
  const devices = await call<{ id: string; camera: { status: string; detail: string | null } | null }[]>(
    server.app,
    server.seeded.adminToken,
    'GET',
    '/api/devices',
  );
  return devices.find((d) => d.id === deviceId)?.camera;
}
