// Sync faults against the REAL server (buildApp on a random port), with a fault proxy in
// between. Each test ends by checking the server's session report: nothing lost, nothing
// doubled.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, call, multipartBody, seed, bearer, type Seeded } from '../../server/test/app.js';
import { openSqlite, type Database } from '../../server/src/db/database.js';
import { openKioskStore, type KioskStore } from '../core/store/index.js';
import { DEFAULT_SETTINGS } from '../core/store/settings-defaults.js';
import { silentLogger } from '../core/testing/fixtures.js';
import { startFaultProxy, type FaultProxy } from './testing/fault-proxy.js';
import { SyncService } from './sync-service.js';
import { RosterPage } from '../contracts/sync.js';

const AT = '2026-09-07T08:40:00.000Z'; // inside the seeded Monday 08:30-09:15 session (UTC site)
const now = () => new Date(AT);

interface Ctx {
  database: Database;
  app: FastifyInstance;
  seeded: Seeded;
  proxy: FaultProxy;
  stores: KioskStore[];
  services: SyncService[];
}
let ctx: Ctx;

beforeEach(async () => {
  const database = openSqlite(':memory:');
  const t = await buildTestApp(database);
  const seeded = await seed(t, database, { students: 3 });
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const proxy = await startFaultProxy(address);
  ctx = { database, app: t.app, seeded, proxy, stores: [], services: [] };
});

afterEach(async () => {
  for (const s of ctx.services) await s.close();
  for (const s of ctx.stores) s.close();
  await ctx.proxy.close();
  await ctx.app.close();
  await ctx.database.close();
});

function kioskStore(file = ':memory:') {
  const store = openKioskStore({ file, defaultSettings: DEFAULT_SETTINGS, now });
  ctx.stores.push(store);
  return store;
}

function service(store: KioskStore, over: Partial<ConstructorParameters<typeof SyncService>[0]> = {}) {
  const s = new SyncService({
    store,
    now,
    logger: silentLogger(),
    appVersion: 'test',
    health: () => ({ fps: 5 }),
    timeoutMs: 400,
    intervalMs: 3_600_000,
    markDebounceMs: 10,
    backoff: { baseMs: 50, maxMs: 200 },
    random: () => 0.5,
    ...over,
  });
  ctx.services.push(s);
  return s;
}

async function pairedKiosk(
  store = kioskStore(),
  over: Partial<ConstructorParameters<typeof SyncService>[0]> = {},
) {
  const sync = service(store, over);
  const device = await call<{ pairingCode: string }>(ctx.app, ctx.seeded.adminToken, 'POST', '/api/devices', {
    roomId: ctx.seeded.roomId,
  });
  await sync.pair({ serverUrl: ctx.proxy.url, code: device.pairingCode, name: 'door' });
  return { store, sync };
}

function markAll(store: KioskStore, studentIds = ctx.seeded.students.map((s) => s.id)) {
  const ids: string[] = [];
  for (const studentId of studentIds) {
    const id = randomUUID();
    ids.push(id);
    store.attendance.markOnce({
      id,
      kind: 'mark',
      studentId,
      sessionId: ctx.seeded.sessionId,
      status: 'present',
      occurredAt: AT,
      scores: { similarity: 0.8, margin: 0.3, votes: 2, window: 4 },
    });
  }
  return ids;
}

async function serverReport() {
  return call<{ students: { studentId: string; status: string; eventsCount: number }[] }>(
    ctx.app,
    ctx.seeded.adminToken,
    'GET',
    `/api/sessions/${encodeURIComponent(ctx.seeded.sessionId)}/attendance`,
  );
}

/** Every seeded student present on the server with exactly one event: nothing lost, nothing doubled. */
async function expectExactlyOnce(expected = ctx.seeded.students.map((s) => s.id)) {
  const report = await serverReport();
  for (const id of expected) {
    expect(report.students.find((s) => s.studentId === id)).toMatchObject({
      status: 'present',
      eventsCount: 1,
    });
  }
}

describe('sync against the real server', () => {
  it('pairs and pulls the roster: students, class, enrolments, schedule', async () => {
    const { store } = await pairedKiosk();
    expect(store.sync.get('roomId')).toBe(ctx.seeded.roomId);
    expect(store.roster.listStudents('')).toHaveLength(3);
    expect(store.roster.isEnrolled(ctx.seeded.classId, ctx.seeded.students[0]?.id ?? '')).toBe(true);
    expect(store.roster.schedulesForRoom(ctx.seeded.roomId)).toHaveLength(1);
    expect(Number(store.sync.get('cursor'))).toBeGreaterThan(0);
    // The Sync tab names the kiosk and its room as the server knows them, not by ids.
    const pairLine = store.sync.history().find((h) => h.kind === 'pair');
    expect(pairLine?.detail).toMatch(/^paired as “door”, Room \d+, UTC$/);
  });

  it('names a kiosk an admin named in the console by that name, whatever it typed', async () => {
    const store = kioskStore();
    const sync = service(store);
    const device = await call<{ pairingCode: string }>(
      ctx.app,
      ctx.seeded.adminToken,
      'POST',
      '/api/devices',
      {
        roomId: ctx.seeded.roomId,
        name: 'Front door',
      },
    );
    await sync.pair({ serverUrl: ctx.proxy.url, code: device.pairingCode, name: 'typed at the kiosk' });
    expect(store.sync.history().find((h) => h.kind === 'pair')?.detail).toContain('paired as “Front door”');
  });

  it('names the room by its name from the pairing answer while the first pull has not brought it', async () => {
    const store = kioskStore();
    // The pull right after pairing fails: the kiosk has no roster, so no room of its own.
    const busy = { kind: 'status', status: 503, body: { error: 'busy' } } as const;
    ctx.proxy.inject('/api/sync/roster', busy, busy, busy);
    const { sync } = await pairedKiosk(store);
    expect(store.roster.getRoom(ctx.seeded.roomId)).toBeNull();
    expect(sync.status().kiosk).toMatchObject({
      roomId: ctx.seeded.roomId,
      roomName: expect.stringMatching(/^Room \d+$/),
    });
  });

  it('an admin renames the kiosk in the console: after the next sync the kiosk shows the new name', async () => {
    const store = kioskStore();
    const sync = service(store);
    const device = await call<{ id: string; pairingCode: string }>(
      ctx.app,
      ctx.seeded.adminToken,
      'POST',
      '/api/devices',
      { roomId: ctx.seeded.roomId },
    );
    await sync.pair({ serverUrl: ctx.proxy.url, code: device.pairingCode, name: 'typed at the kiosk' });
    expect(sync.status().kiosk).toMatchObject({
      name: 'typed at the kiosk',
      roomName: expect.stringMatching(/^Room \d+$/),
    });

    await call(ctx.app, ctx.seeded.adminToken, 'PATCH', `/api/devices/${device.id}`, {
      name: 'Library door',
    });
    expect((await sync.syncNow()).ok).toBe(true);

    expect(store.sync.get('deviceName')).toBe('Library door');
    expect(sync.status().kiosk).toMatchObject({
      deviceId: device.id,
      roomId: ctx.seeded.roomId,
      timezone: 'UTC',
      name: 'Library door',
    });
    expect(store.sync.history().find((h) => h.kind === 'device')?.detail).toBe(
      'renamed on the server: “typed at the kiosk” → “Library door”',
    );
    // Said once: the next run brings the same name and adds no line.
    await sync.syncNow();
    expect(store.sync.history().filter((h) => h.kind === 'device')).toHaveLength(1);
  });

  it('an older server that sends no name with the roster: the kiosk keeps the names from pairing', async () => {
    const { store, sync } = await pairedKiosk();
    const cursor = store.sync.get('cursor') ?? '0';
    // The answer of a server from before `device` existed: a page with nothing new and no identity.
    ctx.proxy.inject('/api/sync/roster', {
      kind: 'status',
      status: 200,
      body: { changes: [], cursor, hasMore: false },
    });
    expect((await sync.syncNow()).ok).toBe(true);
    expect(sync.status().kiosk).toMatchObject({
      name: 'door',
      roomName: expect.stringMatching(/^Room \d+$/),
    });
    expect(store.sync.history().filter((h) => h.kind === 'device')).toEqual([]);
  });

  it('a roster page with a malformed device identity is still taken: the kiosk keeps its name', async () => {
    const { store, sync } = await pairedKiosk();
    const cursor = store.sync.get('cursor') ?? '0';
    ctx.proxy.inject('/api/sync/roster', {
      kind: 'status',
      status: 200,
      body: { changes: [], cursor, hasMore: false, device: { name: '', roomId: ctx.seeded.roomId } },
    });
    expect((await sync.syncNow()).ok).toBe(true);
    expect(store.sync.get('lastError')).toBeNull();
    expect(sync.status().kiosk).toMatchObject({ name: 'door' });
    expect(store.sync.history().filter((h) => h.kind === 'device')).toEqual([]);
  });

  it('an older kiosk strips the device identity from the roster page, as its contract does', async () => {
    const { store } = await pairedKiosk();
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/api/sync/roster?since=0',
      headers: bearer(store.sync.get('deviceToken') ?? ''),
    });
    const body: unknown = res.json();
    expect(body).toMatchObject({ device: { name: 'door', roomId: ctx.seeded.roomId } });
    const legacyPage = RosterPage.omit({ device: true }).safeParse(body);
    expect(legacyPage.success).toBe(true);
    expect(legacyPage.data).not.toHaveProperty('device');
  });

  it('server down: marks wait in the outbox, then arrive exactly once', async () => {
    const { store, sync } = await pairedKiosk();
    markAll(store);
    ctx.proxy.setDown(true);
    const failed = await sync.syncNow();
    expect(failed.ok).toBe(false);
    expect(sync.status()).toMatchObject({ online: false, queueDepth: 3 });
    expect(sync.status().lastError).toMatch(/unreachable/);
    ctx.proxy.setDown(false);
    const ok = await sync.syncNow();
    expect(ok).toMatchObject({ ok: true, pushed: { accepted: 3 } });
    expect(sync.status()).toMatchObject({ online: true, queueDepth: 0 });
    await expectExactlyOnce();
  });

  it('says "server reachable again" only after runs that could not reach it, and once', async () => {
    const lines: { msg: string; failedRuns?: number; unreachableSince?: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n'))
          if (line) lines.push(JSON.parse(line) as (typeof lines)[number]);
        done();
      },
    });
    const logger = pino({ level: 'info' }, sink);
    const again = () => lines.filter((l) => l.msg === 'server reachable again');
    const store = kioskStore();
    const { sync } = await pairedKiosk(store, { logger });
    // Freshly paired, then started again on the same data: the server was never away.
    expect((await sync.syncNow()).ok).toBe(true);
    const restarted = service(store, { logger });
    expect((await restarted.syncNow()).ok).toBe(true);
    expect(again()).toEqual([]);
    // A real spell without the server: said once, when it answers again, with since when.
    ctx.proxy.setDown(true);
    expect((await restarted.syncNow()).ok).toBe(false);
    expect((await restarted.syncNow()).ok).toBe(false);
    ctx.proxy.setDown(false);
    expect((await restarted.syncNow()).ok).toBe(true);
    expect((await restarted.syncNow()).ok).toBe(true);
    expect(again()).toHaveLength(1);
    expect(again()[0]?.failedRuns).toBeGreaterThanOrEqual(2);
    expect(again()[0]?.unreachableSince).toBe(AT);
  });

  it('slow beyond the client timeout: the late commit is recognised as a duplicate, not doubled', async () => {
    const { store, sync } = await pairedKiosk();
    markAll(store);
    ctx.proxy.inject('/api/sync/attendance', { kind: 'delay', ms: 800 });
    const slow = await sync.syncNow();
    expect(slow.error).toMatch(/no answer within 400 ms/);
    expect(store.attendance.pendingCount()).toBe(3);
    await new Promise((r) => setTimeout(r, 600)); // the delayed request reaches the server meanwhile
    // Whichever arrives second (the automatic retry or the late original) is a duplicate.
    expect((await sync.syncNow()).ok).toBe(true);
    expect(store.attendance.pendingCount()).toBe(0);
    await expectExactlyOnce();
    const pushes = ctx.proxy.log.filter((l) => l.path.startsWith('/api/sync/attendance'));
    expect(pushes.length).toBeGreaterThanOrEqual(2);
  });

  it('500: nothing is deleted, the retry delivers', async () => {
    const { store, sync } = await pairedKiosk();
    markAll(store);
    ctx.proxy.inject('/api/sync/attendance', {
      kind: 'status',
      status: 500,
      body: { error: 'internal', message: 'boom' },
    });
    expect((await sync.syncNow()).error).toMatch(/server error \(internal: boom\)/);
    expect(store.attendance.pendingCount()).toBe(3);
    expect(await sync.syncNow()).toMatchObject({ ok: true, pushed: { accepted: 3 } });
    await expectExactlyOnce();
  });

  it('429 with Retry-After: the automatic retry waits at least that long, then delivers', async () => {
    const { store, sync } = await pairedKiosk();
    markAll(store);
    ctx.proxy.inject('/api/sync/attendance', {
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '1' },
      body: { error: 'rate_limited', message: 'slow down' },
    });
    const started = Date.now();
    sync.notifyOutbox();
    await expect.poll(() => store.attendance.pendingCount(), { timeout: 5000, interval: 50 }).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const pushes = ctx.proxy.log.filter((l) => l.path.startsWith('/api/sync/attendance'));
    expect(pushes.map((p) => p.fault)).toEqual(['status', 'pass']);
    await expectExactlyOnce();
  });

  it('connection closed mid-batch: kept, re-sent, delivered once', async () => {
    const { store, sync } = await pairedKiosk();
    markAll(store);
    ctx.proxy.inject('/api/sync/attendance', { kind: 'cut-mid-body' });
    expect((await sync.syncNow()).ok).toBe(false);
    expect(store.attendance.pendingCount()).toBe(3);
    expect(await sync.syncNow()).toMatchObject({ ok: true, pushed: { accepted: 3 } });
    await expectExactlyOnce();
  });

  it('killed between the server commit and the ack: the re-push is answered duplicate and acknowledged', async () => {
    const { store, sync } = await pairedKiosk();
    markAll(store);
    ctx.proxy.inject('/api/sync/attendance', { kind: 'cut-after-commit' });
    expect((await sync.syncNow()).ok).toBe(false);
    expect(store.attendance.pendingCount()).toBe(3);
    await expectExactlyOnce(); // the server already has them
    expect(await sync.syncNow()).toMatchObject({ ok: true, pushed: { duplicate: 3, accepted: 0 } });
    expect(store.attendance.pendingCount()).toBe(0);
    await expectExactlyOnce();
  });

  it('killed between writing a mark and pushing it: the restarted kiosk pushes it once', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kiosk-crash-')), 'kiosk.db');
    const first = kioskStore(file);
    await pairedKiosk(first);
    markAll(first);
    // No close, no push: the process "dies" here. A second owner opens the same file.
    const reopened = kioskStore(file);
    expect(reopened.attendance.pendingCount()).toBe(3);
    const sync = service(reopened);
    expect(await sync.syncNow()).toMatchObject({ ok: true, pushed: { accepted: 3 } });
    await expectExactlyOnce();
  });

  it('a batch partly rejected: the good ones are acknowledged, the bad one is kept aside with its reason', async () => {
    const { store, sync } = await pairedKiosk();
    markAll(store);
    const [ghost] = markAll(store, ['no-such-student']);
    const r = await sync.syncNow();
    expect(r).toMatchObject({ ok: true, pushed: { accepted: 3, rejected: 1 } });
    expect(store.attendance.pendingCount()).toBe(0);
    expect(store.attendance.rejected()).toEqual([
      { eventId: ghost, reason: 'unknown_student', rejectedAt: AT },
    ]);
    expect(sync.status().rejectedCount).toBe(1);
    expect(sync.history()[0]).toMatchObject({
      kind: 'push',
      ok: false,
      detail: expect.stringContaining(`${ghost ?? ''}: unknown_student`),
    });
    expect(await sync.syncNow()).toMatchObject({ pushed: { accepted: 0, rejected: 0 } }); // not re-sent
    await expectExactlyOnce();
    expect(store.attendance.all()).toHaveLength(4); // and nothing deleted from the local log
  });

  it('bounded batches: 250 events go in batches of at most the configured size', async () => {
    const { store, sync } = await pairedKiosk(kioskStore(), { attendanceBatch: 100 });
    const studentId = ctx.seeded.students[0]?.id ?? '';
    for (let i = 0; i < 250; i++) {
      store.attendance.append({
        id: randomUUID(),
        kind: 'exception',
        studentId,
        sessionId: ctx.seeded.sessionId,
        status: null,
        occurredAt: AT,
      });
    }
    expect(await sync.syncNow()).toMatchObject({ ok: true, pushed: { accepted: 250 } });
    expect(ctx.proxy.log.filter((l) => l.path.startsWith('/api/sync/attendance'))).toHaveLength(3);
  });

  it('a roster page with an invalid record: the record is skipped and reported, the rest applied with the cursor', async () => {
    const { store, sync } = await pairedKiosk();
    const cursorBefore = store.sync.get('cursor');
    const seq = Number(cursorBefore) + 1;
    ctx.proxy.inject('/api/sync/roster', {
      kind: 'status',
      status: 200,
      body: {
        changes: [
          {
            seq,
            entity: 'student',
            op: 'upsert',
            id: 'new1',
            data: { id: 'new1', studentNumber: 'N1', name: 'New One', consent: true },
          },
          { seq: seq + 1, entity: 'student', op: 'upsert', id: 'bad1', data: { id: 'bad1', consent: 'yes' } },
          {
            seq: seq + 2,
            entity: 'template',
            op: 'upsert',
            id: 'tpl1',
            data: { id: 'tpl1', studentId: 'new1', modelId: 'm', embedding: 'AAAAAAAAAAAAAAA' },
          },
          { seq: seq + 3, entity: 'spaceship', op: 'upsert', id: 'x' },
        ],
        cursor: String(seq + 3),
        hasMore: false,
      },
    });
    const r = await sync.syncNow();
    expect(r.pulled.applied).toBe(1);
    expect(r.pulled.skipped.map((s) => s.id)).toEqual(['bad1', 'tpl1', 'x']);
    expect(r.pulled.skipped[2]?.reason).toBe(
      'entity type "spaceship" is unknown to this kiosk version (newer server?)',
    );
    expect(store.roster.getStudent('new1')?.name).toBe('New One');
    expect(store.roster.getStudent('bad1')).toBeNull();
    expect(store.templates.forModel('m')).toHaveLength(0);
    expect(store.sync.get('cursor')).toBe(String(seq + 3));
    expect(sync.history().find((h) => h.kind === 'pull')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/3 skipped/),
    });
  });

  it('a deleted student vanishes from the kiosk with their templates (tombstones)', async () => {
    const target = ctx.seeded.students[1]?.id ?? '';
    const { payload, headers } = multipartBody([
      { filename: 'a.jpg', bytes: Buffer.from('face-a') },
      { filename: 'b.jpg', bytes: Buffer.from('face-b') },
    ]);
    const up = await ctx.app.inject({
      method: 'POST',
      url: `/api/students/${target}/photos`,
      payload,
      headers: { ...headers, ...bearer(ctx.seeded.adminToken) },
    });
    expect(up.statusCode).toBe(200);
    let galleryReloads = 0;
    const { store, sync } = await pairedKiosk(kioskStore(), { onGalleryChanged: () => galleryReloads++ });
    expect(store.templates.forModel('fake-model-v1').filter((t) => t.studentId === target)).toHaveLength(2);
    await call(ctx.app, ctx.seeded.adminToken, 'DELETE', `/api/students/${target}`);
    galleryReloads = 0;
    await sync.syncNow();
    expect(store.roster.getStudent(target)).toBeNull();
    expect(store.templates.forModel('fake-model-v1')).toHaveLength(0);
    expect(galleryReloads).toBe(1);
  });

  it('reports as waiting only the marks a push leaves behind, so the console does not show delivered ones', async () => {
    const { store, sync } = await pairedKiosk(kioskStore(), { attendanceBatch: 2 });
    markAll(store); // three marks: a push of two, then a push of one
    const r = await sync.syncNow();
    expect(r.pushed.accepted).toBe(3);
    const devices = await call<{ queueDepth: number | null; health: { queueDepth: number } | null }[]>(
      ctx.app,
      ctx.seeded.adminToken,
      'GET',
      '/api/devices',
    );
    // The last push carried the last mark: nothing waits any more (it used to say 1).
    expect([devices[0]?.queueDepth, devices[0]?.health?.queueDepth]).toEqual([0, 0]);
    expect(store.attendance.pendingCount()).toBe(0);
  });

  it('pushes locally enrolled templates once, and reports kiosk health with every push', async () => {
    const { store, sync } = await pairedKiosk();
    const studentId = ctx.seeded.students[0]?.id ?? '';
    const v = new Float32Array(16).fill(0.25);
    store.templates.upsert({
      id: randomUUID(),
      studentId,
      modelId: 'fake-model-v1',
      embedding: v,
      quality: 0.9,
      origin: 'local',
      createdAt: AT,
    });
    markAll(store, [studentId]);
    const r = await sync.syncNow();
    expect(r.templates).toEqual({ accepted: 1, duplicate: 0, rejected: 0 });
    expect(store.templates.countUnpushed()).toBe(0);
    const devices = await call<{ health: { appVersion: string; fps?: number } | null }[]>(
      ctx.app,
      ctx.seeded.adminToken,
      'GET',
      '/api/devices',
    );
    expect(devices[0]?.health).toMatchObject({ appVersion: 'test', fps: 5 });
  });

  it("reports the camera's status in the health of every push, as with every pull", async () => {
    const frozen = 'The camera keeps sending the same picture (no change for 15 s or more).';
    const { store, sync } = await pairedKiosk(kioskStore(), {
      camera: () => ({ status: 'error', detail: frozen }),
    });
    markAll(store, [ctx.seeded.students[0]?.id ?? '']);
    expect((await sync.syncNow()).pushed.accepted).toBe(1);
    const devices = await call<
      { health: { camera?: string } | null; camera: { status: string; detail: string | null } | null }[]
    >(ctx.app, ctx.seeded.adminToken, 'GET', '/api/devices');
    expect(devices[0]?.health?.camera).toBe('error');
    expect(devices[0]?.camera).toEqual({ status: 'error', detail: frozen });
  });

  it('an unpaired kiosk does nothing and says so; a wrong pairing code is a clear error', async () => {
    const store = kioskStore();
    const sync = service(store);
    expect(await sync.syncNow()).toMatchObject({ ok: false, error: 'not paired' });
    // It says what to do: a new code from the console (pairing again with this one cannot work).
    await expect(sync.pair({ serverUrl: ctx.proxy.url, code: 'WRONG-CODE', name: 'door' })).rejects.toThrow(
      /^pairing code refused \(bad_pairing_code: .*\): make a new code in the staff console \(Kiosks, New code\)/,
    );
    expect(store.sync.get('deviceToken')).toBeNull();
  });
});
