// Builds the app on a test database with a fake face engine and a movable clock, plus the
// few calls most route tests need (login, seed a room/class/schedule, pair a kiosk).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createHash, randomUUID } from 'node:crypto';
import { RosterChange, RosterPage, type AttendanceEvent } from '../../src/contracts/sync.js';
import { EngineError, ImageInputError } from '../../src/ml/errors.js';
import type { FaceEngine, FrameAnalysis } from '../../src/ml/types.js';
import { buildApp, type BuildAppOptions } from '../src/app.js';
import { defaultAppConfig, type AppConfig } from '../src/config.js';
import type { Database } from '../src/db/database.js';
import { insertUser } from '../src/repositories/users.js';
import { hashPassword } from '../src/services/passwords.js';

/** Starts at 08:15 on the seeded Monday: the seeded 08:30 session's door (ten minutes before its start) opens within the kiosk clock allowance, so marks pushed "now" are for a session that has begun. */
export class TestClock {
  constructor(public t: Date = new Date('2026-09-07T08:15:00Z')) {}
  now = () => new Date(this.t.getTime());
  advance(ms: number) {
    this.t = new Date(this.t.getTime() + ms);
  }
}

/** The shipped face model's size, so templates the tests label `faceplugin/v1` have that model's shape. */
export const EMBEDDING_SIZE = 512;

/** Deterministic unit vector from bytes: the same photo always gives the same template. */
export function fakeEmbedding(seed: Uint8Array | string): Float32Array {
  const v = new Float32Array(EMBEDDING_SIZE);
  // SHA-256 blocks of the seed (then seed + block number) until the vector is full.
  for (let block = 0; block * 32 < EMBEDDING_SIZE; block++) {
    const hash = createHash('sha256').update(seed);
    if (block > 0) hash.update(String(block));
    const digest = hash.digest();
    for (let i = 0; i < 32 && block * 32 + i < EMBEDDING_SIZE; i++)
      v[block * 32 + i] = ((digest[i] ?? 0) - 127.5) / 127.5;
  }
  const norm = Math.hypot(...v);
  for (let i = 0; i < EMBEDDING_SIZE; i++) v[i] = (v[i] ?? 0) / norm;
  return v;
}

export const toB64 = (v: Float32Array) =>
  Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

export const embeddingB64 = (seed: string) => toB64(fakeEmbedding(seed));

/**
 * A unit vector at cosine `cos` to `base` (a face that changed a little or a lot, or a stranger's),
 * leaning towards the direction `seed` names: faces built from one base and one seed lie in one
 * plane, so their cosines with each other are known too.
 */
export function faceAt(base: Float32Array, cos: number, seed: string): Float32Array {
  const r = fakeEmbedding(seed);
  const along = r.reduce((n, x, i) => n + x * (base[i] ?? 0), 0);
  const ortho = r.map((x, i) => x - along * (base[i] ?? 0));
  const norm = Math.hypot(...ortho);
  return base.map((x, i) => cos * x + Math.sqrt(1 - cos * cos) * ((ortho[i] ?? 0) / norm));
}

/**
 * A face engine for route tests: bytes starting with "NOFACE" have no face, "BLURRY" fails
 * the blur gate, "CORRUPT" cannot be decoded; anything else is one good face.
 */
export function fakeFaceEngine(): FaceEngine & { calls: number; disposed: boolean } {
  const engine = {
    backend: 'cpu' as const,
    modelId: 'fake-model-v1',
    embeddingSize: EMBEDDING_SIZE,
    calls: 0,
    disposed: false,
    async analyse(input: Uint8Array | { data: Uint8Array }): Promise<FrameAnalysis> {
      engine.calls += 1;
      const bytes = input instanceof Uint8Array ? input : input.data;
      const head = Buffer.from(bytes.subarray(0, 7)).toString('latin1');
      // As the real engine does: a photo that cannot be decoded is an ImageInputError.
      if (head.startsWith('CORRUPT'))
        throw new ImageInputError('corrupt', 'Input buffer contains unsupported image format');
      // As a model's or tfjs's error on one odd image arrives from the worker: a plain Error
      // (worker-protocol.ts); the engine goes on working.
      if (head.startsWith('ODDIMG')) throw new Error('embedder faceplugin produced no 512-d output');
      if (head.startsWith('NOFACE')) return { faces: [], inferenceMs: 1, width: 640, height: 480 };
      const face = {
        box: [100, 100, 200, 200] as [number, number, number, number],
        detectionScore: 0.95,
        quality: { size: 200, yaw: 0, pitch: 0, roll: 0, sharpness: 0.8, brightness: 120 },
        antispoof: 0.9,
        liveness: 0.9,
        embedding: fakeEmbedding(bytes),
        gateFailures: head.startsWith('BLURRY') ? (['blur'] as const).slice() : [],
      };
      return { faces: [face], inferenceMs: 1, width: 640, height: 480 };
    },
    async dispose() {
      engine.disposed = true;
    },
  };
  return engine;
}

/**
 * fakeFaceEngine whose worker dies after `photos` photos: every later call fails as the real
 * worker engine's do once its worker crashed or exited (EngineError `crashed`). `disposed` says
 * whether whoever owns it let it go.
 */
export function dyingFaceEngine(photos: number): FaceEngine & { calls: number; disposed: boolean } {
  const working = fakeFaceEngine();
  const engine = {
    backend: working.backend,
    modelId: working.modelId,
    embeddingSize: working.embeddingSize,
    calls: 0,
    disposed: false,
    async analyse(input: Uint8Array | { data: Uint8Array; width: number; height: number }) {
      engine.calls += 1;
      if (engine.calls > photos)
        throw new EngineError('crashed', 'face worker stopped: face worker exited with code 1');
      return working.analyse(input);
    },
    async dispose() {
      engine.disposed = true;
    },
  };
  return engine;
}

export interface TestApp {
  app: FastifyInstance;
  clock: TestClock;
  config: AppConfig;
}

export async function buildTestApp(
  database: Database,
  options: Partial<BuildAppOptions> & { config?: Partial<AppConfig> } = {},
): Promise<TestApp> {
  const clock = new TestClock();
  const config = defaultAppConfig({
    database: { kind: 'sqlite', filename: ':memory:' },
    loginRateLimitPerMinute: 1000,
    ...options.config,
  });
  const app = await buildApp(config, { database, clock, faceEngine: fakeFaceEngine(), ...options });
  return { app, clock, config };
}

/** Cheap scrypt parameters for test users: the KDF itself is tested in passwords.test.ts. */
const TEST_SCRYPT = { N: 1024, r: 8, p: 1 };
let counter = 0;
export const uniqueEmail = (prefix: string) =>
  `${prefix}-${Date.now().toString(36)}-${++counter}@school.example`;

export async function createUser(
  database: Database,
  role: 'admin' | 'teacher',
  password = 'correct horse battery',
) {
  const email = uniqueEmail(role);
  const user = await insertUser(
    database.db,
    { email, name: `${role} ${counter}`, role, passwordHash: await hashPassword(password, TEST_SCRYPT) },
    new Date().toISOString(),
  );
  return { ...user, password };
}

export async function login(app: FastifyInstance, email: string, password: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { accessToken: string }).accessToken;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Calls the API as `token`, failing the test with the body on an unexpected status. */
export async function call<T = unknown>(
  app: FastifyInstance,
  token: string | null,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  expected = [200, 201, 204],
): Promise<T> {
  const res: LightMyRequestResponse = await app.inject({
    method,
    url,
    ...(token ? { headers: bearer(token) } : {}),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  if (!expected.includes(res.statusCode))
    throw new Error(`${method} ${url} → ${res.statusCode}: ${res.body}`);
  return (res.body === '' ? undefined : res.json()) as T;
}

export interface Seeded {
  adminToken: string;
  teacher: { id: string; email: string; password: string };
  teacherToken: string;
  roomId: string;
  classId: string;
  /** A weekly schedule on Mondays 08:30–09:15 with 10 minutes' grace. */
  scheduleId: string;
  /** A Monday on which the schedule occurs, and its session id. */
  date: string;
  sessionId: string;
  students: { id: string; studentNumber: string }[];
}

export async function seed(
  t: TestApp,
  database: Database,
  options: { students?: number; siteId?: string } = {},
): Promise<Seeded> {
  const { app } = t;
  const admin = await createUser(database, 'admin');
  const adminToken = await login(app, admin.email, admin.password);
  const teacher = await createUser(database, 'teacher');
  const teacherToken = await login(app, teacher.email, teacher.password);
  const siteId = options.siteId ?? 'default';
  const room = await call<{ id: string }>(app, adminToken, 'POST', '/api/rooms', {
    name: `Room ${++counter}`,
    siteId,
  });
  const cls = await call<{ id: string }>(app, adminToken, 'POST', '/api/classes', {
    name: `Maths ${counter}`,
    siteId,
    teacherId: teacher.id,
  });
  const schedule = await call<{ id: string }>(app, adminToken, 'POST', `/api/classes/${cls.id}/schedules`, {
    roomId: room.id,
    weekday: 1,
    startTime: '08:30',
    endTime: '09:15',
    graceMinutes: 10,
  });
  const students: Seeded['students'] = [];
  for (let i = 0; i < (options.students ?? 3); i++) {
    const s = await call<{ id: string; studentNumber: string }>(app, adminToken, 'POST', '/api/students', {
      siteId,
      studentNumber: `S${counter}-${i}`,
      name: `Student ${i}`,
      guardianEmail: `guardian${i}@home.example`,
      consent: true,
    });
    students.push(s);
  }
  await call(app, adminToken, 'POST', `/api/classes/${cls.id}/enrolments`, {
    studentIds: students.map((s) => s.id),
  });
  const date = '2026-09-07'; // a Monday
  return {
    adminToken,
    teacher,
    teacherToken,
    roomId: room.id,
    classId: cls.id,
    scheduleId: schedule.id,
    date,
    sessionId: `${schedule.id}@${date}`,
    students,
  };
}

/** Creates a device for the room and pairs it; returns the device token. */
/** An automatic 'present' mark for the seeded session, by the i-th seeded student. */
export const presentMark = (s: Seeded, i: number): AttendanceEvent => ({
  id: randomUUID(),
  kind: 'mark',
  studentId: s.students[i]?.id ?? 'x',
  sessionId: s.sessionId,
  status: 'present',
  occurredAt: `${s.date}T08:31:00Z`,
});

export async function pairKiosk(
  app: FastifyInstance,
  adminToken: string,
  roomId: string,
  name = 'Door kiosk',
) {
  const device = await call<{ id: string; pairingCode: string }>(app, adminToken, 'POST', '/api/devices', {
    roomId,
  });
  const paired = await call<{
    deviceId: string;
    token: string;
    siteId: string;
    roomId: string;
    timezone: string;
  }>(app, null, 'POST', '/api/devices/pair', {
    code: device.pairingCode,
    name,
    appVersion: '0.1.0',
  });
  return { ...paired, deviceId: device.id };
}

/** A multipart/form-data body for app.inject (no extra dependency); a part without a filename is a text field. */
export function multipartBody(
  files: { field?: string; filename?: string; contentType?: string; bytes: Buffer }[],
) {
  const boundary = `----rollcall${Date.now().toString(16)}`;
  const chunks: Buffer[] = [];
  for (const f of files) {
    chunks.push(
      Buffer.from(
        f.filename === undefined
          ? `--${boundary}\r\nContent-Disposition: form-data; name="${f.field ?? 'note'}"\r\n\r\n`
          : `--${boundary}\r\nContent-Disposition: form-data; name="${f.field ?? 'photos'}"; filename="${f.filename}"\r\nContent-Type: ${f.contentType ?? 'image/jpeg'}\r\n\r\n`,
      ),
      f.bytes,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/**
 * Pulls a device's roster feed from `since` to its end, page by page, each page checked against
 * the sync contract; `doorTemplates` is the last page's door-template setting.
 */
export async function pullWholeRoster(
  app: FastifyInstance,
  deviceToken: string,
  since = '0',
  limit = 1000,
): Promise<{ changes: RosterChange[]; cursor: string; doorTemplates: boolean | undefined }> {
  const changes: RosterChange[] = [];
  let cursor = since;
  for (let page = 0; page < 100; page++) {
    const res = await app.inject({
      method: 'GET',
      url: `/api/sync/roster?since=${cursor}&limit=${limit}`,
      headers: bearer(deviceToken),
    });
    if (res.statusCode !== 200) throw new Error(`roster pull → ${res.statusCode}: ${res.body}`);
    const body = RosterPage.parse(res.json());
    for (const c of body.changes) changes.push(RosterChange.parse(c));
    cursor = body.cursor;
    if (!body.hasMore) return { changes, cursor, doorTemplates: body.doorTemplates };
  }
  throw new Error('roster never ended');
}
