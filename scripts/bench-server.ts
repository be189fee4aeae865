// npm run bench:server — the server's ingest and roster-pull targets (docs/deployment.md),
// measured over real HTTP against a server started for the bench (`server/src/server.ts` in a
// child process, so the simulated kiosks and the server do not share an event loop), first on
// a temporary SQLite file, then on PostgreSQL (BENCH_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/test) in a fresh schema that is dropped afterwards.
// Prints one JSON document on stdout.
//
// Per database:
//   seed     5,000 students (3 templates each, EMBEDDING_DIM-d float32), 8 rooms/classes with a weekly
//            schedule Mon–Fri, 8 paired kiosks — all through the public API;
//   ingest   100,000 attendance events (one per student per session over 4 weeks), batches of
//            500, 8 kiosks pushing concurrently; then exactly 100,000 rows must be stored;
//   resend   every batch again: all must come back "duplicate", still 100,000 rows;
//   roster   a fresh kiosk's first full pull (since=0, pages of 2,000), HTTP + JSON.parse.
// Targets: ingest ≥ 10,000 events/s (SQLite), ≥ 5,000 events/s (PostgreSQL); roster ≤ 2 s.
//
// Options (env): BENCH_DATABASES=sqlite,postgres  BENCH_EVENTS=100000  BENCH_STUDENTS=5000
//                BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (profile the server)
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import BetterSqlite3 from 'better-sqlite3';
import { PushResponse, RosterPage, type AttendanceEvent } from '../src/contracts/sync.js';
import { RECOGNITION_DEFAULTS } from '../src/ml/config.js';
import { parsePipeline } from '../src/ml/embedders.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const KIOSKS = 8;
const BATCH = 500;
const TEMPLATES_PER_STUDENT = 3;
/**
 * Length of the bench's synthetic face embeddings (float32): the shipped face model's embedding
 * size, which decides the roster's payload size.
 */
const EMBEDDING_DIM = parsePipeline(RECOGNITION_DEFAULTS.embedder).reduce((n, spec) => n + spec.dims, 0);
const TARGETS = { sqliteEventsPerSecond: 10_000, postgresEventsPerSecond: 5_000, rosterSeconds: 2 };
const TOTAL_EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const STUDENTS = Number(process.env.BENCH_STUDENTS ?? 5_000);
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',').map((s) => s.trim()) as (
  'sqlite' | 'postgres'
)[];

const log = (msg: string) => process.stderr.write(`[bench:server] ${msg}\n`);
const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

/** Runs `fn` over items with at most `n` in flight. */
async function pool<T, R>(
  items: readonly T[],
  n: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T, i);
      }
    }),
  );
  return out;
}

function embedding(): string {
  const v = new Float32Array(EMBEDDING_DIM);
  let norm = 0;
  for (let i = 0; i < EMBEDDING_DIM; i++) {
    const x = Math.random() - 0.5;
    v[i] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < EMBEDDING_DIM; i++) v[i] = (v[i] as number) / norm;
  return Buffer.from(v.buffer).toString('base64');
}

// ---------------------------------------------------------------- the server under test

interface Target {
  name: 'sqlite' | 'postgres';
  env: Record<string, string>;
  countEvents(): Promise<number>;
  cleanup(): Promise<void>;
}

function sqliteTarget(): Target {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-bench-'));
  const file = join(dir, 'bench.sqlite');
  return {
    name: 'sqlite',
    env: { DATA_DIR: dir, DATABASE_URL: `sqlite:${file}` },
    async countEvents() {
      const db = new BetterSqlite3(file, { readonly: true });
      try {
        return (db.prepare('select count(*) as n from attendance_events').get() as { n: number }).n;
      } finally {
        db.close();
      }
    },
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresTarget(): Promise<Target> {
  const schema = `rollcall_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-bench-'));
  const sep = PG_URL.includes('?') ? '&' : '?';
  const url = `${PG_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const withClient = async <T>(fn: (c: pg.Client) => Promise<T>) => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  return {
    name: 'postgres',
    env: { DATA_DIR: dir, DATABASE_URL: url, DB_POOL_SIZE: '10' },
    countEvents: () =>
      withClient(async (c) =>
        Number((await c.query(`select count(*) as n from ${schema}.attendance_events`)).rows[0].n),
      ),
    async cleanup() {
      await withClient((c) => c.query(`drop schema if exists ${schema} cascade`));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function runNode(args: string[], env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, '--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function runToEnd(args: string[], env: Record<string, string>, stdin?: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(stdin ?? '');
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`${args.join(' ')} exited with ${code}: ${output}`);
}

/** CPU seconds (user + system) the process has used so far, from /proc (Linux). */
function cpuSecondsOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), i.e. 11 and 12 after the command name.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

interface RunningServer {
  base: string;
  /** CPU seconds used by the server process so far (null where /proc is unavailable). */
  cpuSeconds(): number | null;
  stop(): Promise<void>;
}

async function startServer(env: Record<string, string>): Promise<RunningServer> {
  const port = await freePort();
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const child = runNode(
    ['server/src/server.ts'],
    { ...env, PORT: String(port), HOST: '127.0.0.1' },
    nodeArgs,
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  let exited = false;
  child.on('exit', () => (exited = true));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`server exited during start: ${output}`);
    if (Date.now() > deadline) throw new Error(`server not healthy after 60 s: ${output}`);
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    cpuSeconds: () => cpuSecondsOf(child.pid),
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    },
  };
}

// ---------------------------------------------------------------- HTTP client

class Api {
  token = '';
  constructor(readonly base: string) {}

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    token = this.token,
    rawBody?: string,
  ): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined || rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(rawBody !== undefined
        ? { body: rawBody }
        : body !== undefined
          ? { body: JSON.stringify(body) }
          : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}

// ---------------------------------------------------------------- one database

interface Seed {
  kiosks: { token: string; classIndex: number }[];
  classes: { id: string; students: string[]; scheduleByWeekday: Map<number, string> }[];
  rosterToken: string;
}

async function seed(api: Api): Promise<Seed> {
  const t0 = performance.now();
  const rooms = await pool(
    Array.from({ length: KIOSKS }, (_, i) => i),
    4,
    (i) => api.request<{ id: string }>('POST', '/api/rooms', { name: `Room ${i + 1}`, siteId: 'default' }),
  );
  const classes = await pool(rooms, 4, async (room, i) => {
    const cls = await api.request<{ id: string }>('POST', '/api/classes', {
      name: `Class ${i + 1}`,
      siteId: 'default',
    });
    const scheduleByWeekday = new Map<number, string>();
    for (const weekday of [1, 2, 3, 4, 5]) {
      const s = await api.request<{ id: string }>('POST', `/api/classes/${cls.id}/schedules`, {
        roomId: room.id,
        weekday,
        startTime: '08:30',
        endTime: '09:30',
        graceMinutes: 10,
      });
      scheduleByWeekday.set(weekday, s.id);
    }
    return { id: cls.id, students: [] as string[], scheduleByWeekday };
  });
  const students = await pool(
    Array.from({ length: STUDENTS }, (_, i) => i),
    16,
    (i) =>
      api.request<{ id: string }>('POST', '/api/students', {
        siteId: 'default',
        studentNumber: `B${String(i).padStart(6, '0')}`,
        name: `Bench Student ${i}`,
        guardianEmail: `g${i}@home.example`,
        consent: true,
      }),
  );
  students.forEach((s, i) => classes[i % KIOSKS]?.students.push(s.id));
  for (const cls of classes) {
    for (let i = 0; i < cls.students.length; i += 1000)
      await api.request('POST', `/api/classes/${cls.id}/enrolments`, {
        studentIds: cls.students.slice(i, i + 1000),
      });
  }
  const pairOne = async (roomId: string, name: string) => {
    const device = await api.request<{ pairingCode: string }>('POST', '/api/devices', { roomId });
    return (
      await api.request<{ token: string }>(
        'POST',
        '/api/devices/pair',
        { code: device.pairingCode, name, appVersion: 'bench' },
        '',
      )
    ).token;
  };
  const kiosks = await pool(rooms, 4, async (room, i) => ({
    token: await pairOne(room.id, `Bench kiosk ${i + 1}`),
    classIndex: i,
  }));
  const rosterToken = await pairOne((rooms[0] as { id: string }).id, 'Bench roster kiosk');
  log(
    `seeded ${STUDENTS} students, ${KIOSKS} classes and kiosks in ${round((performance.now() - t0) / 1000, 1)} s`,
  );

  // Templates, pushed the way kiosks enrol them: a student's shots in one push (a push's shots
  // are judged against the templates from before it, and these are each student's first), up to
  // 200 templates per push.
  const t1 = performance.now();
  const perStudent = students.map((s) =>
    Array.from({ length: TEMPLATES_PER_STUDENT }, () => ({
      id: randomUUID(),
      studentId: s.id,
      modelId: 'faceres-bench',
      embedding: embedding(),
      quality: 0.9,
      createdAt: new Date().toISOString(),
    })),
  );
  const uploads = perStudent.flat();
  const studentsPerPush = Math.max(1, Math.floor(200 / TEMPLATES_PER_STUDENT));
  const batches: (typeof uploads)[] = [];
  for (let i = 0; i < perStudent.length; i += studentsPerPush)
    batches.push(perStudent.slice(i, i + studentsPerPush).flat());
  await pool(batches, 2, async (templates, i) => {
    const res = PushResponse.parse(
      await api.request('POST', '/api/sync/templates', { templates }, kiosks[i % KIOSKS]?.token),
    );
    const bad = res.results.find((r) => r.status !== 'accepted');
    if (bad) throw new Error(`template push: ${JSON.stringify(bad)}`);
  });
  log(`pushed ${uploads.length} templates in ${round((performance.now() - t1) / 1000, 1)} s`);
  return { kiosks, classes, rosterToken };
}

/**
 * Weekdays up to yesterday, oldest first: enough past sessions for every kiosk's share of events
 * (the server refuses marks for sessions that have not begun).
 */
function sessionDates(count: number): { date: string; weekday: number }[] {
  const out: { date: string; weekday: number }[] = [];
  const today = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
  for (let t = today - 86_400_000; out.length < count; t -= 86_400_000) {
    const d = new Date(t);
    if (d.getUTCDay() >= 1 && d.getUTCDay() <= 5)
      out.push({ date: d.toISOString().slice(0, 10), weekday: d.getUTCDay() });
  }
  return out.reverse();
}

/** Each kiosk's batches, pre-serialised so the timing measures the server, not JSON.stringify. */
function buildBatches(s: Seed): string[][] {
  const perKiosk = Math.ceil(TOTAL_EVENTS / KIOSKS);
  return s.kiosks.map((k, ki) => {
    const cls = s.classes[k.classIndex] as Seed['classes'][number];
    const want = Math.min(perKiosk, TOTAL_EVENTS - ki * perKiosk);
    const dates = sessionDates(Math.ceil(want / cls.students.length));
    const events: AttendanceEvent[] = [];
    for (const { date, weekday } of dates) {
      const sessionId = `${cls.scheduleByWeekday.get(weekday)}@${date}`;
      for (const studentId of cls.students) {
        if (events.length >= want) break;
        events.push({
          id: randomUUID(),
          kind: 'mark',
          studentId,
          sessionId,
          status: 'present',
          occurredAt: `${date}T08:3${events.length % 10}:00Z`,
          scores: {
            similarity: 0.72,
            margin: 0.18,
            votes: 4,
            window: 5,
            liveness: 0.93,
            antispoof: 0.97,
            faceSize: 180,
          },
          modelId: 'faceres-bench',
        });
      }
    }
    const bodies: string[] = [];
    for (let i = 0; i < events.length; i += BATCH) {
      bodies.push(
        JSON.stringify({
          events: events.slice(i, i + BATCH),
          health: {
            appVersion: 'bench',
            queueDepth: events.length - i,
            fps: 8,
            recognitionMsP50: 85,
            recognitionMsP95: 140,
            backend: 'wasm',
          },
        }),
      );
    }
    return bodies;
  });
}

async function push(api: Api, s: Seed, batches: string[][], server: RunningServer) {
  const counts = { accepted: 0, duplicate: 0, rejected: 0 };
  const latencies: number[] = [];
  const cpu0 = server.cpuSeconds();
  const load0 = loadavg()[0] ?? 0;
  const t0 = performance.now();
  await Promise.all(
    batches.map(async (bodies, ki) => {
      const token = s.kiosks[ki]?.token ?? '';
      for (const body of bodies) {
        const t = performance.now();
        const res = PushResponse.parse(
          await api.request('POST', '/api/sync/attendance', undefined, token, body),
        );
        latencies.push(performance.now() - t);
        for (const r of res.results) counts[r.status] += 1;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = server.cpuSeconds();
  const serverCpuSeconds = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0, 1);
  const events = counts.accepted + counts.duplicate + counts.rejected;
  return {
    events,
    batches: latencies.length,
    seconds: round(seconds, 2),
    eventsPerSecond: round(events / seconds),
    batchMs: { p50: pct(0.5), p95: pct(0.95), max: pct(1) },
    ...counts,
    // What the server process itself spent: a figure that does not depend on how busy the
    // machine's other processes kept the CPUs (PostgreSQL's own backends are not included).
    serverCpuSeconds: serverCpuSeconds === null ? null : round(serverCpuSeconds, 2),
    eventsPerServerCpuSecond: serverCpuSeconds ? round(events / serverCpuSeconds) : null,
    loadAverage1m: { before: round(load0, 1), after: round(loadavg()[0] ?? 0, 1) },
  };
}

async function rosterPull(api: Api, token: string, server: RunningServer) {
  const cpu0 = server.cpuSeconds();
  const t0 = performance.now();
  let cursor = '0';
  let pages = 0;
  let bytes = 0;
  let parseMs = 0;
  const entities: Record<string, number> = {};
  for (;;) {
    const res = await fetch(`${api.base}/api/sync/roster?since=${cursor}&limit=2000`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`roster → ${res.status}: ${text.slice(0, 300)}`);
    bytes += Buffer.byteLength(text);
    const p0 = performance.now();
    const page = RosterPage.parse(JSON.parse(text));
    parseMs += performance.now() - p0;
    pages += 1;
    for (const c of page.changes as { entity: string }[]) entities[c.entity] = (entities[c.entity] ?? 0) + 1;
    cursor = page.cursor;
    if (!page.hasMore) break;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = server.cpuSeconds();
  return {
    seconds: round(seconds, 3),
    clientParseSeconds: round(parseMs / 1000, 3),
    serverCpuSeconds: cpu0 === null || cpu1 === null ? null : round(cpu1 - cpu0, 2),
    pages,
    megabytes: round(bytes / 1e6, 1),
    changes: Object.values(entities).reduce((a, b) => a + b, 0),
    entities,
    loadAverage1m: round(loadavg()[0] ?? 0, 1),
  };
}

async function benchOne(target: Target) {
  const secret = randomBytes(32).toString('base64url');
  const env = { ...target.env, JWT_SECRET: secret, LOG_LEVEL: 'warn', LOGIN_RATE_LIMIT_PER_MINUTE: '1000' };
  const email = 'bench-admin@school.example';
  const password = 'bench-password-123';
  await runToEnd(
    ['server/src/cli/create-admin.ts', '--email', email, '--name', 'Bench Admin'],
    env,
    `${password}\n`,
  );
  const server = await startServer(env);
  try {
    const api = new Api(server.base);
    api.token = (
      await api.request<{ accessToken: string }>('POST', '/api/auth/login', { email, password }, '')
    ).accessToken;
    const s = await seed(api);
    const batches = buildBatches(s);

    log(`${target.name}: ingest…`);
    const ingest = await push(api, s, batches, server);
    const rowsAfterIngest = await target.countEvents();
    log(`${target.name}: ${ingest.eventsPerSecond} events/s; re-sending every batch…`);
    const resend = await push(api, s, batches, server);
    const rowsAfterResend = await target.countEvents();
    log(`${target.name}: roster pull…`);
    const roster = await rosterPull(api, s.rosterToken, server);
    const target_ =
      target.name === 'sqlite' ? TARGETS.sqliteEventsPerSecond : TARGETS.postgresEventsPerSecond;
    return {
      ingest: { kiosks: KIOSKS, batchSize: BATCH, ...ingest, rowsStored: rowsAfterIngest },
      resend: { ...resend, rowsStored: rowsAfterResend },
      roster: {
        students: STUDENTS,
        templatesPerStudent: TEMPLATES_PER_STUDENT,
        embeddingDim: EMBEDDING_DIM,
        ...roster,
      },
      targets: {
        ingestEventsPerSecond: target_,
        ingestMet: ingest.eventsPerSecond >= target_,
        exactRows: rowsAfterIngest === TOTAL_EVENTS && ingest.accepted === TOTAL_EVENTS,
        zeroDuplicatesAfterResend:
          rowsAfterResend === TOTAL_EVENTS && resend.duplicate === TOTAL_EVENTS && resend.accepted === 0,
        rosterSeconds: TARGETS.rosterSeconds,
        rosterMet: roster.seconds <= TARGETS.rosterSeconds,
      },
    };
  } finally {
    await server.stop();
  }
}

async function main() {
  const result: Record<string, unknown> = {
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      loadAverage1m: round(loadavg()[0] ?? 0, 1),
    },
    events: TOTAL_EVENTS,
  };
  for (const name of DATABASES) {
    const target = name === 'sqlite' ? sqliteTarget() : await postgresTarget();
    try {
      result[name] = await benchOne(target);
    } catch (err) {
      result[name] = { error: err instanceof Error ? err.message : String(err) };
      process.exitCode = 1;
    } finally {
      await target.cleanup();
    }
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

await main();
