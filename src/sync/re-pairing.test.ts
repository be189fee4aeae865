// Pairing a kiosk again (re-pairing.ts): a whole kiosk (createKiosk, fake engine, real handlers
// and store) against two REAL servers, each behind a fault proxy whose log shows what reached it.
// The same server and site keep everything; another server is refused while work for the old one
// waits, and with the admin's confirmation (or another site of the same server) the old site's
// data goes, from the store and from the matcher, in the transaction that stores the new pairing.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { call, presentMark, seed, type TestApp } from '../../server/test/app.js';
import { serverForKiosks, type ServerForKiosks } from '../../server/test/whole-kiosk.js';
import { createKiosk, type KioskRuntime } from '../core/index.js';
import { fakeEmbedding, fakeFrame } from '../core/testing/fake-engine.js';
import { testClock } from '../core/testing/fixtures.js';
import { TEST_ADMIN_PIN, testKioskOptions } from '../core/testing/push-kiosk.js';
import { SYNC_PATHS } from '../contracts/sync.js';
import { startFaultProxy, type FaultProxy } from './testing/fault-proxy.js';

// Monday, during the seeded class (08:30-09:15 UTC).
const NOW = '2026-09-07T08:35:00Z';
/** The face the old site's first student shows at the door, and their template's embedding. */
const OLD_FACE = 'old site face';

interface Server extends ServerForKiosks {
  proxy: FaultProxy;
  url: string;
}
let a: Server, b: Server;
let kiosks: KioskRuntime[] = [];

async function server(): Promise<Server> {
  const s = await serverForKiosks(2);
  const address = s.app.server.address();
  const proxy = await startFaultProxy(
    `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
  );
  return Object.assign(s, { proxy, url: proxy.url });
}

beforeEach(async () => {
  [a, b] = [await server(), await server()];
});
afterEach(async () => {
  for (const k of kiosks) await k.close();
  kiosks = [];
  for (const s of [a, b]) {
    await s.proxy.close();
    await s.close();
  }
});

const newCode = async (s: ServerForKiosks, roomId = s.seeded.roomId) =>
  (await call<{ pairingCode: string }>(s.app, s.seeded.adminToken, 'POST', '/api/devices', { roomId }))
    .pairingCode;

/** What reached a server's sync routes since `from` (an index into its proxy log). */
const requests = (s: Server, from = 0) => s.proxy.log.slice(from).map((r) => `${r.method} ${r.path}`);
const pushes = (s: Server, from = 0) =>
  requests(s, from).filter((r) =>
    [SYNC_PATHS.attendance, SYNC_PATHS.templates, SYNC_PATHS.doorTemplates].some((p) => r.includes(p)),
  );

/** Pairs `k` with server B on a new code, confirming the discard of whatever waits now. */
const pairWithBDiscarding = async (k: KioskRuntime) =>
  k.handlers.pair({
    serverUrl: b.url,
    code: await newCode(b),
    name: 'door',
    discardUnsent: k.store.siteData.unsent(),
  });

/**
 * A kiosk paired with server A that holds A's roster, a template of A's first student that it
 * recognises (OLD_FACE), and waiting for A: a mark, a kiosk enrolment and a door capture.
 */
async function kioskOfSiteA() {
  const clock = testClock(NOW);
  const k = createKiosk({
    ...testKioskOptions(clock.now),
    sync: { timeoutMs: 2000, backoff: { baseMs: 60_000, maxMs: 60_000 } },
  });
  kiosks.push(k);
  await k.ready;
  await k.sync.pair({ serverUrl: a.url, code: await newCode(a), name: 'door' });
  const [student, other] = a.seeded.students.map((s) => s.id) as [string, string];
  expect(k.store.roster.getStudent(student)).not.toBeNull();
  k.store.templates.upsert({
    id: randomUUID(),
    studentId: student,
    modelId: 'fake-v1',
    embedding: fakeEmbedding(OLD_FACE),
    quality: 1,
    origin: 'server',
    createdAt: NOW,
  });
  k.reloadGallery();
  const mark = presentMark(a.seeded, 1);
  k.store.attendance.append(mark);
  const enrolled = {
    id: randomUUID(),
    studentId: other,
    modelId: 'fake-v1',
    embedding: fakeEmbedding('enrolled here'),
    quality: 0.9,
    origin: 'local' as const,
    createdAt: NOW,
  };
  k.store.templates.upsert(enrolled);
  k.store.doorCaptures.queue({
    id: randomUUID(),
    studentId: student,
    modelId: 'fake-v1',
    embedding: fakeEmbedding(OLD_FACE),
    similarity: 0.9,
    margin: 0.5,
    createdAt: NOW,
  });
  expect(await k.handlers.adminUnlock({ pin: TEST_ADMIN_PIN })).toMatchObject({ value: { unlocked: true } });

  const decisions: string[] = [];
  // An unknown face is a decision too, without a student.
  k.onDecision((d) => void (d.studentId && decisions.push(d.studentId)));
  /** Shows `who` for three frames and answers whom the door recognised. */
  const recognised = async (who: string) => {
    decisions.length = 0;
    for (let i = 0; i < 3; i++) {
      clock.advance(300);
      k.pushFrame(fakeFrame({ who }));
      await new Promise((r) => setTimeout(r, 20));
      await k.idle();
    }
    return [...new Set(decisions)];
  };
  return { k, h: k.handlers, student, other, mark, enrolled, recognised, clock };
}

const siteCounts = (k: KioskRuntime) => {
  const one = (sql: string) => k.store.db.prepare(sql).pluck().get() as number;
  return {
    students: one('SELECT COUNT(*) FROM students'),
    templates: one('SELECT COUNT(*) FROM templates'),
    doorCaptures: one('SELECT COUNT(*) FROM door_captures'),
    outbox: one('SELECT COUNT(*) FROM outbox'),
    events: one('SELECT COUNT(*) FROM attendance_events'),
  };
};
const audit = (k: KioskRuntime, action: string) =>
  k.store.audit
    .list(100)
    .filter((e) => e.action === action)
    .map((e) => JSON.parse(e.detail) as Record<string, unknown>);

describe('pairing again', () => {
  it('with another server while work waits for the old one: refused before the new server is contacted, nothing changed', async () => {
    const { k, h, student } = await kioskOfSiteA();
    k.store.sync.set('doorTemplates', '1');
    const before = siteCounts(k);
    const code = await newCode(b);
    const r = await h.pair({ serverUrl: b.url, code, name: 'door' });
    expect(r).toMatchObject({ ok: false, error: { code: 'sync_unsent' } });
    expect(!r.ok && r.error.message).toBe(
      `1 attendance record, 1 face enrolment and 1 door capture have not reached ${a.url} yet: ` +
        'sync first, or confirm discarding them to pair with the other server. Nothing was changed.',
    );
    // The new server heard nothing, so the code is still good; the kiosk is as it was.
    expect(b.proxy.log).toEqual([]);
    expect(k.store.sync.get('serverUrl')).toBe(a.url);
    expect(siteCounts(k)).toEqual(before);
    expect(k.store.roster.getStudent(student)).not.toBeNull();
    expect(audit(k, 'pairing_wiped_site_data')).toEqual([]);
    expect(k.sync.history()[0]).toMatchObject({ kind: 'pair', ok: false });
  });

  it("with another server, confirmed: the old site's data is wiped from the store and the matcher, nothing of it reaches the new server", async () => {
    const { k, h, student, recognised } = await kioskOfSiteA();
    k.store.settings.update({ cooldownSeconds: 45 });
    // Recognised and marked: one more record waits for A.
    expect(await recognised(OLD_FACE)).toEqual([student]);
    const unsent = k.store.siteData.unsent();
    expect(unsent).toEqual({ marks: 2, enrolments: 1, doorCaptures: 1 });
    const historyBefore = k.sync.history().length;
    const code = await newCode(b);
    const refused = await h.pair({ serverUrl: b.url, code, name: 'door' });
    // The counts come as data too: the screen confirms what it showed.
    expect(refused).toMatchObject({ ok: false, error: { code: 'sync_unsent', unsent: { marks: 2 } } });
    const confirmed = !refused.ok ? refused.error.unsent : undefined;
    // The first pull fails, so only the pairing itself can have emptied the gallery.
    b.proxy.inject(SYNC_PATHS.roster, { kind: 'status', status: 503 });
    const r = await h.pair({ serverUrl: b.url, code, name: 'door', discardUnsent: confirmed });
    expect(r).toMatchObject({ ok: true, value: { paired: true, serverUrl: b.url, queueDepth: 0 } });

    expect(siteCounts(k)).toEqual({ students: 0, templates: 0, doorCaptures: 0, outbox: 0, events: 0 });
    expect(k.state().templateCoverage).toMatchObject({ recognisable: 0 });
    expect(await recognised(OLD_FACE)).toEqual([]);
    for (const key of ['calendar', 'lastPushAt', 'lastPullAt'] as const)
      expect(k.store.sync.get(key)).toBeNull();

    // The next run pulls the new site's roster; nothing of the old queue went to B.
    expect((await k.sync.syncNow()).ok).toBe(true);
    expect(
      k.store.roster
        .listStudents('')
        .map((s) => s.id)
        .sort(),
    ).toEqual(b.seeded.students.map((s) => s.id).sort());
    expect(pushes(b)).toEqual([]);
    expect(await b.database.db.selectFrom('attendance_events').select('id').execute()).toEqual([]);
    expect(await b.database.db.selectFrom('templates').select('id').execute()).toEqual([]);

    // Audited with counts (never an embedding); kiosk-local things stayed.
    const [wipe] = audit(k, 'pairing_wiped_site_data');
    expect(wipe).toEqual({
      reason: 'other_server',
      fromServerUrl: a.url,
      fromSiteId: 'default',
      toServerUrl: b.url,
      toSiteId: 'default',
      unsentDiscarded: unsent,
      deleted: expect.objectContaining({ students: 2, templates: 2, doorCaptures: 1, outbox: 2 }),
      roomSettingCleared: null,
    });
    expect(JSON.stringify(k.store.audit.list(100))).not.toMatch(/embedding/);
    expect(audit(k, 'pin_initialised')).toHaveLength(1);
    expect(k.store.settings.get().cooldownSeconds).toBe(45);
    expect(k.store.pin.verify(TEST_ADMIN_PIN).unlocked).toBe(true);
    expect(k.sync.history().length).toBeGreaterThan(historyBefore);
  });

  it('with the same server and site (a new device for the room): roster and templates kept, the queue pushed with the new token', async () => {
    const { k, h, student, mark, enrolled, recognised } = await kioskOfSiteA();
    const before = siteCounts(k);
    const sent = a.proxy.log.length;
    // The same server written differently is still the same server.
    const r = await h.pair({ serverUrl: `${a.url}/`, code: await newCode(a), name: 'door' });
    expect(r).toMatchObject({ ok: true, value: { paired: true, queueDepth: 0, templateQueueDepth: 0 } });
    expect(pushes(a, sent)).toEqual(
      expect.arrayContaining([`POST ${SYNC_PATHS.attendance}`, `POST ${SYNC_PATHS.templates}`]),
    );
    expect(k.store.attendance.get(mark.id)?.synced).toBe(true);
    const onServer = await a.database.db.selectFrom('templates').select('id').execute();
    expect(onServer.map((t) => t.id)).toContain(enrolled.id);
    // The template only this kiosk held is still there, and recognised.
    expect(siteCounts(k)).toMatchObject({ students: before.students, templates: before.templates });
    expect(await recognised(OLD_FACE)).toEqual([student]);
    expect(audit(k, 'pairing_wiped_site_data')).toEqual([]);
  });

  /** A second site on server A, with one student and a class in session in its own room. */
  const northSite = async () => {
    const site = await call<{ id: string }>(a.app, a.seeded.adminToken, 'POST', '/api/sites', {
      name: 'North campus',
      timezone: 'UTC',
    });
    return {
      siteId: site.id,
      ...(await seed({ app: a.app } as TestApp, a.database, { siteId: site.id, students: 1 })),
    };
  };

  it("with the same server answering another site while work waits: refused, the code stays good; confirmed, the old site's data goes (audited)", async () => {
    const { k, h, student } = await kioskOfSiteA();
    const north = await northSite();
    const before = siteCounts(k);
    const sent = a.proxy.log.length;
    const code = await newCode(a, north.roomId);
    const refused = await h.pair({ serverUrl: a.url, code, name: 'door' });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'sync_unsent', unsent: { marks: 1, enrolments: 1, doorCaptures: 0 } },
    });
    expect(!refused.ok && refused.error.message).toBe(
      `1 attendance record and 1 face enrolment have not reached ${a.url} yet: ` +
        'sync first, or confirm discarding them to pair with another site of that server. Nothing was changed.',
    );
    // Nothing changed and nothing was pushed: the kiosk only asked.
    expect(k.store.sync.get('siteId')).toBe('default');
    expect(siteCounts(k)).toEqual(before);
    expect(pushes(a, sent)).toEqual([]);
    expect(audit(k, 'pairing_wiped_site_data')).toEqual([]);

    // Confirmed with the counts it was shown: the same code (unused by the refusal) pairs.
    const r = await h.pair({
      serverUrl: a.url,
      code,
      name: 'door',
      discardUnsent: !refused.ok ? refused.error.unsent : undefined,
    });
    expect(r).toMatchObject({ ok: true, value: { paired: true, queueDepth: 0 } });
    expect(k.store.sync.get('siteId')).toBe(north.siteId);
    expect(k.store.roster.getStudent(student)).toBeNull();
    expect(k.store.roster.listStudents('').map((s) => s.id)).toEqual([north.students[0]?.id]);
    expect(pushes(a, sent)).toEqual([]);
    expect(audit(k, 'pairing_wiped_site_data')).toEqual([
      expect.objectContaining({
        reason: 'other_site',
        fromSiteId: 'default',
        toSiteId: north.siteId,
        unsentDiscarded: { marks: 1, enrolments: 1, doorCaptures: 1 },
      }),
    ]);
  });

  it('with the same server answering another site and nothing waiting: paired at once, the old site wiped', async () => {
    const { k, h, student } = await kioskOfSiteA();
    expect((await k.sync.syncNow()).ok).toBe(true);
    const north = await northSite();
    const r = await h.pair({ serverUrl: a.url, code: await newCode(a, north.roomId), name: 'door' });
    expect(r).toMatchObject({ ok: true, value: { paired: true } });
    expect(k.store.sync.get('siteId')).toBe(north.siteId);
    expect(k.store.roster.getStudent(student)).toBeNull();
  });

  it('a confirmation covers only what the admin was shown: a mark taken since is asked about again', async () => {
    const { k, h } = await kioskOfSiteA();
    const code = await newCode(b);
    const first = await h.pair({ serverUrl: b.url, code, name: 'door' });
    const shown = !first.ok ? first.error.unsent : undefined;
    expect(shown).toEqual({ marks: 1, enrolments: 1, doorCaptures: 0 });
    // The door went on marking while the question was open.
    k.store.attendance.append(presentMark(a.seeded, 2));
    const second = await h.pair({ serverUrl: b.url, code, name: 'door', discardUnsent: shown });
    expect(second).toMatchObject({
      ok: false,
      error: { code: 'sync_unsent', unsent: { marks: 2, enrolments: 1, doorCaptures: 0 } },
    });
    expect(!second.ok && second.error.message).toMatch(
      /^2 attendance records and 1 face enrolment have not reached/,
    );
    expect(b.proxy.log).toEqual([]);
    expect(k.store.sync.get('serverUrl')).toBe(a.url);
    expect(k.store.attendance.pendingCount()).toBe(2);
    // Confirming the new counts pairs.
    const third = await h.pair({
      serverUrl: b.url,
      code,
      name: 'door',
      discardUnsent: !second.ok ? second.error.unsent : undefined,
    });
    expect(third).toMatchObject({ ok: true, value: { paired: true, serverUrl: b.url } });
    expect(audit(k, 'pairing_wiped_site_data')).toEqual([
      expect.objectContaining({ unsentDiscarded: expect.objectContaining({ marks: 2 }) }),
    ]);
  });

  it("the admin's Room setting of the old site is cleared with its data: the new site's class is in session", async () => {
    const { k, h } = await kioskOfSiteA();
    expect(await h.settingsUpdate({ roomId: a.seeded.roomId })).toMatchObject({ ok: true });
    expect(k.state().session).not.toBeNull();
    const r = await pairWithBDiscarding(k);
    expect(r.ok).toBe(true);
    expect((await k.sync.syncNow()).ok).toBe(true);
    // The new site's class (seeded in session now) in the paired room: the door marks again.
    expect(k.state().session).toMatchObject({ sessionId: expect.any(String) });
    expect(k.store.settings.get().roomId).toBeNull();
    expect(audit(k, 'pairing_wiped_site_data')).toEqual([
      expect.objectContaining({ roomSettingCleared: a.seeded.roomId }),
    ]);
  });

  it('the wipe and the new pairing are one transaction: a write failing inside leaves the old pairing whole', async () => {
    const { k, student } = await kioskOfSiteA();
    const before = siteCounts(k);
    const token = k.store.sync.get('deviceToken');
    const setMany = vi.spyOn(k.store.sync, 'setMany').mockImplementationOnce(() => {
      throw new Error('disk I/O error');
    });
    const r = await pairWithBDiscarding(k);
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } });
    setMany.mockRestore();
    expect(siteCounts(k)).toEqual(before);
    expect(k.store.roster.getStudent(student)).not.toBeNull();
    expect(k.store.sync.get('serverUrl')).toBe(a.url);
    expect(k.store.sync.get('deviceToken')).toBe(token);
    expect(audit(k, 'pairing_wiped_site_data')).toEqual([]);
  });

  it("a sync run of the old pairing still under way does not apply the old server's roster over the wiped store", async () => {
    const { k } = await kioskOfSiteA();
    // The old pairing's run waits for its roster page while the kiosk is paired elsewhere.
    k.store.sync.set('cursor', '0');
    a.proxy.inject(SYNC_PATHS.roster, { kind: 'delay', ms: 400 });
    const from = a.proxy.log.length;
    const oldRun = k.sync.syncNow();
    await vi.waitFor(() => expect(requests(a, from).some((r) => r.includes(SYNC_PATHS.roster))).toBe(true), {
      timeout: 2000,
    });
    const paired = await pairWithBDiscarding(k);
    expect(paired.ok).toBe(true);
    const old = await oldRun;
    // Only the new site's run applies: none of A's students came back.
    expect((await k.sync.syncNow()).ok).toBe(true);
    const ids = new Set(k.store.roster.listStudents('').map((s) => s.id));
    for (const s of a.seeded.students) expect(ids.has(s.id)).toBe(false);
    expect(ids.size).toBe(b.seeded.students.length);
    expect(old).toMatchObject({ ok: false, error: expect.stringContaining('paired again') });
    expect(k.store.sync.get('lastError')).toBeNull();
  });

  it('a sync run of the old pairing answered after the new pairing leaves no upload time or history on it', async () => {
    const { k } = await kioskOfSiteA();
    // The old pairing's run waits for the answer to its attendance push while the kiosk is paired elsewhere.
    a.proxy.inject(SYNC_PATHS.attendance, { kind: 'delay', ms: 400 });
    const from = a.proxy.log.length;
    const oldRun = k.sync.syncNow();
    await vi.waitFor(
      () => expect(requests(a, from).some((r) => r.includes(SYNC_PATHS.attendance))).toBe(true),
      { timeout: 2000 },
    );
    const paired = await pairWithBDiscarding(k);
    expect(paired.ok).toBe(true);
    expect(await oldRun).toMatchObject({ ok: false, error: expect.stringContaining('paired again') });
    expect((await k.sync.syncNow()).ok).toBe(true);
    // The new pairing has uploaded nothing yet; the old server's answer is not its last upload.
    expect(k.store.sync.get('lastPushAt')).toBeNull();
    const history = k.sync.history();
    const pairedAt = history.findIndex((r) => r.kind === 'pair' && r.ok);
    expect(history.slice(0, pairedAt).filter((r) => r.kind === 'push')).toEqual([]);
  });
});
