import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttendanceEvent, RosterChange } from '../../../src/contracts/sync.js';
import {
  bearer,
  buildTestApp,
  call,
  embeddingB64,
  pairKiosk,
  seed,
  type Seeded,
  type TestApp,
  pullWholeRoster,
} from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';

const dialects = await testDialects();

function mark(s: Seeded, studentIndex = 0, patch: Partial<AttendanceEvent> = {}): AttendanceEvent {
  return {
    id: randomUUID(),
    kind: 'mark',
    studentId: s.students[studentIndex]?.id ?? 'missing',
    sessionId: s.sessionId,
    status: 'present',
    occurredAt: `${s.date}T08:31:00+02:00`,
    scores: { similarity: 0.71, margin: 0.2, votes: 4, window: 5 },
    modelId: 'fake-model-v1',
    ...patch,
  };
}

describe.each(dialects)('sync API on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;
  let token: string;

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database);
    s = await seed(t, database);
    token = (await pairKiosk(t.app, s.adminToken, s.roomId)).token;
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  const push = (events: AttendanceEvent[], health?: object, tok = token) =>
    t.app.inject({
      method: 'POST',
      url: '/api/sync/attendance',
      headers: bearer(tok),
      payload: { events, ...(health ? { health } : {}) },
    });

  const pullAll = (tok: string, since = '0', limit = 1000) => pullWholeRoster(t.app, tok, since, limit);

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it('pairs with a one-time code, which cannot be reused', async () => {
      const device = await call<{ pairingCode: string; state: string }>(
        t.app,
        s.adminToken,
        'POST',
        '/api/devices',
        { roomId: s.roomId },
      );
      expect(device.state).toBe('awaiting_pairing');
      expect(device.pairingCode).toMatch(/^[A-Z2-9]{8}$/);
      const first = await t.app.inject({
        method: 'POST',
        url: '/api/devices/pair',
        payload: { code: device.pairingCode.toLowerCase(), name: 'Kiosk A' },
      });
      expect(first.statusCode).toBe(200);
      const body = first.json() as { token: string; roomId: string; siteId: string; timezone: string };
      expect(body).toMatchObject({ roomId: s.roomId, siteId: 'default', timezone: 'UTC' });
      const again = await t.app.inject({
        method: 'POST',
        url: '/api/devices/pair',
        payload: { code: device.pairingCode, name: 'Kiosk B' },
      });
      expect(again.statusCode).toBe(401);
      expect(again.json()).toMatchObject({ error: 'bad_pairing_code' });
    });

    it('a pairing code raced by two kiosks pairs exactly one', async () => {
      const device = await call<{ pairingCode: string }>(t.app, s.adminToken, 'POST', '/api/devices', {
        roomId: s.roomId,
      });
      const attempts = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          t.app.inject({
            method: 'POST',
            url: '/api/devices/pair',
            payload: { code: device.pairingCode, name: `Racer ${i}` },
          }),
        ),
      );
      expect(attempts.map((r) => r.statusCode).sort()).toEqual([200, 401, 401, 401]);
    });

    it("with expectedSiteId, a code of another site is refused 409 and stays usable; the kiosk's own site pairs", async () => {
      const site = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/sites', {
        name: 'North campus',
        timezone: 'UTC',
      });
      const north = await seed(t, database, { siteId: site.id, students: 1 });
      const code = async (roomId: string) =>
        (await call<{ pairingCode: string }>(t.app, s.adminToken, 'POST', '/api/devices', { roomId }))
          .pairingCode;
      const pair = (payload: object) => t.app.inject({ method: 'POST', url: '/api/devices/pair', payload });
      const northCode = await code(north.roomId);
      const refused = await pair({ code: northCode, name: 'Kiosk', expectedSiteId: 'default' });
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ error: 'site_mismatch' });
      // A wrong code is still the plain 401, whatever site is expected.
      const wrong = await pair({ code: 'ZZZZ2222', name: 'Kiosk', expectedSiteId: 'default' });
      expect(wrong.statusCode).toBe(401);
      // Not consumed: the same code pairs (an older kiosk, or the admin confirmed).
      const later = await pair({ code: northCode, name: 'Kiosk' });
      expect(later.statusCode).toBe(200);
      expect(later.json()).toMatchObject({ siteId: site.id, roomId: north.roomId });
      const own = await pair({ code: await code(s.roomId), name: 'Kiosk', expectedSiteId: 'default' });
      expect(own.statusCode).toBe(200);
      expect(own.json()).toMatchObject({ siteId: 'default' });
    });

    it('refuses an expired pairing code', async () => {
      const device = await call<{ pairingCode: string }>(t.app, s.adminToken, 'POST', '/api/devices', {
        roomId: s.roomId,
      });
      t.clock.advance(16 * 60_000);
      try {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/devices/pair',
          payload: { code: device.pairingCode, name: 'Late kiosk' },
        });
        expect(res.statusCode).toBe(401);
      } finally {
        t.clock.advance(-16 * 60_000);
      }
    });

    it('rejects sync calls without a token, with a user token, or with a bad token', async () => {
      const none = await t.app.inject({ method: 'GET', url: '/api/sync/roster' });
      expect(none.statusCode).toBe(401);
      expect(none.json()).toMatchObject({ error: 'missing_token' });
      const userToken = await t.app.inject({
        method: 'GET',
        url: '/api/sync/roster',
        headers: bearer(s.adminToken),
      });
      expect(userToken.statusCode).toBe(401);
      const garbage = await t.app.inject({
        method: 'GET',
        url: '/api/sync/roster',
        headers: { authorization: 'Basic abc' },
      });
      expect(garbage.statusCode).toBe(401);
    });

    it('accepts a batch, answers per id, and a re-push is all duplicates (one row each)', async () => {
      const events = [mark(s, 0), mark(s, 1, { status: 'late', occurredAt: `${s.date}T06:45:00Z` })];
      const first = await push(events, {
        appVersion: '0.1.0',
        queueDepth: 2,
        recognitionMsP50: 80,
        backend: 'wasm',
      });
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({ results: events.map((e) => ({ id: e.id, status: 'accepted' })) });
      const again = await push(events);
      expect(again.json()).toEqual({ results: events.map((e) => ({ id: e.id, status: 'duplicate' })) });
      const rows = await database.db
        .selectFrom('attendance_events')
        .select('id')
        .where(
          'id',
          'in',
          events.map((e) => e.id),
        )
        .execute();
      expect(rows).toHaveLength(2);
      // The kiosk's health landed on its device row.
      const devices = await call<{ health: { queueDepth: number } | null; lastSeenAt: string | null }[]>(
        t.app,
        s.adminToken,
        'GET',
        '/api/devices',
      );
      expect(devices.some((d) => d.health?.queueDepth === 2 && d.lastSeenAt !== null)).toBe(true);
    });

    it("stores the kiosk's face model from its health and from its roster pulls", async () => {
      const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId, 'Model reporter');
      const modelOf = async () =>
        (await call<{ modelId: string | null }>(t.app, s.adminToken, 'GET', `/api/devices/${kiosk.deviceId}`))
          .modelId;
      const pull = (query: string) =>
        t.app.inject({
          method: 'GET',
          url: `/api/sync/roster?since=0&limit=1${query}`,
          headers: bearer(kiosk.token),
        });
      expect(await modelOf()).toBeNull();
      expect((await pull('&model=faceres-aligned%2Bmobileface%2Fv1')).statusCode).toBe(200);
      expect(await modelOf()).toBe('faceres-aligned+mobileface/v1');
      // A pull without it (an older kiosk, or the engine still loading) keeps what was reported.
      expect((await pull('')).statusCode).toBe(200);
      expect(await modelOf()).toBe('faceres-aligned+mobileface/v1');
      // The health of a push carries it too.
      const res = await push(
        [mark(s, 1)],
        { appVersion: '0.2.0', queueDepth: 0, modelId: 'faceplugin/v1' },
        kiosk.token,
      );
      expect(res.statusCode).toBe(200);
      expect(await modelOf()).toBe('faceplugin/v1');
      // An id no engine produces is a 400 like any other bad parameter, and changes nothing.
      const bad = await pull(`&model=${'x'.repeat(201)}`);
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ issues: [{ path: 'model' }] });
      expect(await modelOf()).toBe('faceplugin/v1');
    });

    it("stores the kiosk's camera from its roster pulls; an unknown status changes nothing and refuses nothing", async () => {
      const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId, 'Camera reporter');
      const cameraOf = async () =>
        (
          await call<{ camera: { status: string; detail: string | null } | null }>(
            t.app,
            s.adminToken,
            'GET',
            `/api/devices/${kiosk.deviceId}`,
          )
        ).camera;
      const pull = (query: string) =>
        t.app.inject({
          method: 'GET',
          url: `/api/sync/roster?since=0&limit=1${query}`,
          headers: bearer(kiosk.token),
        });
      expect(await cameraOf()).toBeNull();
      const why = encodeURIComponent('No camera was found (NotFoundError: Requested device not found).');
      expect((await pull(`&camera=missing&cameraDetail=${why}`)).statusCode).toBe(200);
      expect(await cameraOf()).toEqual({
        status: 'missing',
        detail: 'No camera was found (NotFoundError: Requested device not found).',
      });
      // Without it (an older kiosk), or with a status of a newer kiosk: the last known one stays.
      expect((await pull('')).statusCode).toBe(200);
      expect((await pull('&camera=melted&cameraDetail=x')).statusCode).toBe(200);
      expect(await cameraOf()).toMatchObject({ status: 'missing' });
      expect((await pull('&camera=running')).statusCode).toBe(200);
      expect(await cameraOf()).toEqual({ status: 'running', detail: null });
      // A detail that would read otherwise than it is stored (a right-to-left override, a line
      // break, a zero-width joiner) reaches the admins as plain text.
      const dressed = encodeURIComponent('Camera\u202Egnp.exe\u202C failed:\r\ncall\u200D 0800');
      expect((await pull(`&camera=error&cameraDetail=${dressed}`)).statusCode).toBe(200);
      expect(await cameraOf()).toEqual({ status: 'error', detail: 'Camera gnp.exe failed: call 0800' });
      expect(
        (await pull(`&camera=error&cameraDetail=${encodeURIComponent('\u202E\u0007 ')}`)).statusCode,
      ).toBe(200);
      expect(await cameraOf()).toEqual({ status: 'error', detail: null });
    });

    it('answers an id repeated inside one batch once as accepted and then as duplicate', async () => {
      const e = mark(s, 2);
      const res = await push([e, e]);
      expect(res.json()).toEqual({
        results: [
          { id: e.id, status: 'accepted' },
          { id: e.id, status: 'duplicate' },
        ],
      });
    });

    it('rejects unknown students, unknown sessions, wrong dates and bad shapes, and keeps the good ones', async () => {
      const good = mark(s, 0);
      const unknownStudent = mark(s, 0, { studentId: 'no-such-student' });
      const unknownSchedule = mark(s, 0, { sessionId: `nope@${s.date}` });
      const wrongDay = mark(s, 0, { sessionId: `${s.scheduleId}@2026-09-08` }); // a Tuesday
      const badDate = mark(s, 0, { sessionId: `${s.scheduleId}@2026-02-30` });
      const markWithoutStatus = mark(s, 0, { status: null });
      const undoUnknownRef = mark(s, 0, { kind: 'undo', status: null, refId: randomUUID() });
      const res = await push([
        good,
        unknownStudent,
        unknownSchedule,
        wrongDay,
        badDate,
        markWithoutStatus,
        undoUnknownRef,
      ]);
      const results = (res.json() as { results: { status: string; reason?: string }[] }).results;
      expect(results.map((r) => r.status)).toEqual([
        'accepted',
        'rejected',
        'rejected',
        'rejected',
        'rejected',
        'rejected',
        'rejected',
      ]);
      expect(results[1]?.reason).toBe('unknown_student');
      expect(results[2]?.reason).toBe('unknown_session');
      expect(results[3]?.reason).toMatch(/does not occur/);
      expect(results[5]?.reason).toMatch(/invalid_event/);
      expect(results[6]?.reason).toBe('unknown_ref');
    });

    it('answers 400 with field paths for a malformed batch and stores nothing of it', async () => {
      const ok = mark(s, 0);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/sync/attendance',
        headers: bearer(token),
        payload: { events: [ok, { ...mark(s, 1), id: 'not-a-uuid', occurredAt: 'yesterday' }] },
      });
      expect(res.statusCode).toBe(400);
      const body = res.json() as { error: string; issues: { path: string }[] };
      expect(body.error).toBe('validation_failed');
      expect(body.issues.map((i) => i.path).sort()).toEqual(['events[1].id', 'events[1].occurredAt']);
      const stored = await database.db
        .selectFrom('attendance_events')
        .select('id')
        .where('id', '=', ok.id)
        .execute();
      expect(stored).toHaveLength(0);
      const empty = await push([]);
      expect(empty.statusCode).toBe(400);
    });

    it('refuses a batch over the contract limit', async () => {
      const res = await push(Array.from({ length: 501 }, () => mark(s, 0)));
      expect(res.statusCode).toBe(400);
      expect((res.json() as { issues: { path: string }[] }).issues[0]?.path).toBe('events');
    });

    it('derives one status per student per session from many events', async () => {
      const fresh = await seed(t, database, { students: 4 });
      const kiosk = await pairKiosk(t.app, fresh.adminToken, fresh.roomId);
      const [a, b, c] = fresh.students;
      const first = mark(fresh, 0, { occurredAt: `${fresh.date}T08:31:00Z` });
      const events: AttendanceEvent[] = [
        // a: seen at 08:31 (present), again at 08:50 (late): the first automatic mark wins.
        first,
        mark(fresh, 0, { status: 'late', occurredAt: `${fresh.date}T08:50:00Z` }),
        // b: marked late, then a teacher at the kiosk corrects to excused.
        mark(fresh, 1, { status: 'late', occurredAt: `${fresh.date}T08:45:00Z` }),
        mark(fresh, 1, {
          kind: 'manual',
          status: 'excused',
          occurredAt: `${fresh.date}T09:00:00Z`,
          actor: 'teacher',
          reason: 'doctor',
        }),
      ];
      const wrong = mark(fresh, 2, { occurredAt: `${fresh.date}T08:32:00Z` });
      events.push(
        wrong,
        mark(fresh, 2, {
          kind: 'undo',
          status: null,
          refId: wrong.id,
          occurredAt: `${fresh.date}T08:33:00Z`,
        }),
      );
      // Pushed after the session, as a kiosk's clock would have it (the test's clock is before it).
      const seeded = t.clock.t;
      t.clock.t = new Date(`${fresh.date}T09:20:00Z`);
      const res = await push(events, undefined, kiosk.token);
      expect(
        (res.json() as { results: { status: string }[] }).results.every((r) => r.status === 'accepted'),
      ).toBe(true);
      await push(events, undefined, kiosk.token); // re-sent: changes nothing
      t.clock.t = seeded;

      const report = await call<{
        students: { studentId: string; status: string; eventsCount: number; decidedBy: string }[];
        counts: Record<string, number>;
      }>(t.app, fresh.teacherToken, 'GET', `/api/sessions/${encodeURIComponent(fresh.sessionId)}/attendance`);
      const byId = new Map(report.students.map((r) => [r.studentId, r]));
      expect(byId.get(a?.id ?? '')).toMatchObject({ status: 'present', eventsCount: 2, decidedBy: 'mark' });
      expect(byId.get(b?.id ?? '')).toMatchObject({ status: 'excused', eventsCount: 2, decidedBy: 'manual' });
      expect(byId.get(c?.id ?? '')).toMatchObject({ status: 'absent', eventsCount: 2, decidedBy: 'none' });
      expect(report.counts).toEqual({ present: 1, late: 0, absent: 2, excused: 1 });
    });

    it('a revoked device gets 401 on its next call', async () => {
      const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId, 'Soon revoked');
      expect((await push([mark(s, 0)], undefined, kiosk.token)).statusCode).toBe(200);
      await call(t.app, s.adminToken, 'POST', `/api/devices/${kiosk.deviceId}/revoke`);
      const after = await push([mark(s, 0)], undefined, kiosk.token);
      expect(after.statusCode).toBe(401);
      const pull = await t.app.inject({
        method: 'GET',
        url: '/api/sync/roster',
        headers: bearer(kiosk.token),
      });
      expect(pull.statusCode).toBe(401);
    });

    it('pages the roster by cursor and ends with the same state as one big page', async () => {
      const small = await pullAll(token, '0', 2);
      const big = await pullAll(token, '0', 2000);
      expect(small.changes).toEqual(big.changes);
      expect(small.cursor).toBe(big.cursor);
      const seqs = big.changes.map((c) => c.seq);
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
      expect(new Set(seqs).size).toBe(seqs.length);
      const students = big.changes.filter((c) => c.entity === 'student' && c.op === 'upsert');
      expect(students.length).toBeGreaterThanOrEqual(3);
      // No contact details leave the server.
      expect(JSON.stringify(big.changes)).not.toContain('guardian');
      // Nothing new: an empty page that keeps the cursor.
      const none = await t.app.inject({
        method: 'GET',
        url: `/api/sync/roster?since=${big.cursor}`,
        headers: bearer(token),
      });
      expect(none.json()).toEqual({
        changes: [],
        cursor: big.cursor,
        hasMore: false,
        pinRecovery: null,
        doorTemplates: false,
        // The device as the server knows it now, on every page.
        device: { name: expect.any(String), roomId: s.roomId, roomName: expect.stringMatching(/^Room \d+$/) },
      });
    });

    it('rejects a bad cursor or limit with field paths', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/api/sync/roster?since=abc&limit=0',
        headers: bearer(token),
      });
      expect(res.statusCode).toBe(400);
      expect((res.json() as { issues: { path: string }[] }).issues.map((i) => i.path).sort()).toEqual([
        'limit',
        'since',
      ]);
      // Digits, but past any sequence number: refused, not a server error.
      const huge = await t.app.inject({
        method: 'GET',
        url: '/api/sync/roster?since=99999999999999999999',
        headers: bearer(token),
      });
      expect(huge.statusCode).toBe(400);
      expect((huge.json() as { message: string }).message).toMatch(/cursor/);
    });

    it('scopes the roster to the device site', async () => {
      const site = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/sites', {
        name: 'North campus',
        timezone: 'Europe/Paris',
      });
      const other = await seed(t, database, { siteId: site.id, students: 2 });
      const northKiosk = await pairKiosk(t.app, other.adminToken, other.roomId);
      expect(northKiosk.siteId).toBe(site.id);
      const north = await pullAll(northKiosk.token);
      const mainSite = await pullAll(token);
      const northIds = new Set(north.changes.map((c) => c.id));
      expect(northIds.has(other.students[0]?.id ?? '')).toBe(true);
      expect(northIds.has(s.students[0]?.id ?? '')).toBe(false);
      expect(mainSite.changes.some((c) => c.id === other.students[0]?.id)).toBe(false);
      // A kiosk cannot mark a student of another site either.
      const res = await push([mark(s, 0, { studentId: other.students[0]?.id ?? '' })]);
      expect((res.json() as { results: { reason?: string }[] }).results[0]?.reason).toBe('unknown_student');
    });

    it("carries the site's time zone in a first pull and again after an admin corrects it, to that site only", async () => {
      const site = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/sites', {
        name: 'East campus',
        timezone: 'Europe/Paris',
      });
      const east = await seed(t, database, { siteId: site.id, students: 1 });
      const kiosk = await pairKiosk(t.app, east.adminToken, east.roomId);
      const sites = (changes: RosterChange[]) => changes.filter((c) => c.entity === 'site');
      const first = await pullAll(kiosk.token);
      expect(sites(first.changes)).toEqual([
        {
          seq: expect.any(Number),
          entity: 'site',
          op: 'upsert',
          id: site.id,
          data: { id: site.id, name: 'East campus', timezone: 'Europe/Paris', arrivalMinutes: 10 },
        },
      ]);

      await call(t.app, s.adminToken, 'PATCH', `/api/sites/${site.id}`, { timezone: 'America/New_York' });
      const next = await pullAll(kiosk.token, first.cursor);
      expect(next.changes).toEqual([
        {
          seq: expect.any(Number),
          entity: 'site',
          op: 'upsert',
          id: site.id,
          data: { id: site.id, name: 'East campus', timezone: 'America/New_York', arrivalMinutes: 10 },
        },
      ]);
      // Compacted: a first pull now carries the new zone only.
      expect(
        sites((await pullAll(kiosk.token)).changes).map((c) => c.op === 'upsert' && c.data.timezone),
      ).toEqual(['America/New_York']);
      // Setting the same zone again logs nothing; other sites' kiosks never see this site.
      await call(t.app, s.adminToken, 'PATCH', `/api/sites/${site.id}`, { timezone: 'America/New_York' });
      expect((await pullAll(kiosk.token, next.cursor)).changes).toEqual([]);
      expect(sites((await pullAll(token)).changes).map((c) => c.id)).toEqual(['default']);
      const audit = await database.db
        .selectFrom('audit_log')
        .select(['action', 'detail'])
        .where('entity_id', '=', site.id)
        .where('action', '=', 'site.update')
        .execute();
      expect(audit).toEqual([{ action: 'site.update', detail: expect.stringContaining('America/New_York') }]);
    });

    it('refuses an unknown time zone with a clear 400 and changes nothing kiosks see', async () => {
      const site = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/sites', {
        name: 'West campus',
        timezone: 'Europe/Lisbon',
      });
      const west = await seed(t, database, { siteId: site.id, students: 1 });
      const kiosk = await pairKiosk(t.app, west.adminToken, west.roomId);
      const before = await pullAll(kiosk.token);
      for (const timezone of ['Mars/Olympus', '+05:00', '']) {
        const res = await t.app.inject({
          method: 'PATCH',
          url: `/api/sites/${site.id}`,
          headers: bearer(s.adminToken),
          payload: { timezone },
        });
        expect(res.statusCode).toBe(400);
        const body = res.json() as { error: string; issues: { path: string; message: string }[] };
        expect(body.error).toBe('validation_failed');
        expect(body.issues).toContainEqual({
          path: 'timezone',
          message: expect.stringMatching(/not an IANA time zone|too_small|>=1|at least/i),
        });
      }
      const named = await t.app.inject({
        method: 'PATCH',
        url: `/api/sites/${site.id}`,
        headers: bearer(s.adminToken),
        payload: { timezone: 'Mars/Olympus' },
      });
      expect((named.json() as { issues: { message: string }[] }).issues[0]?.message).toBe(
        '"Mars/Olympus" is not an IANA time zone this system knows (e.g. Europe/Berlin, America/New_York)',
      );
      const create = await t.app.inject({
        method: 'POST',
        url: '/api/sites',
        headers: bearer(s.adminToken),
        payload: { name: 'Moon base', timezone: 'Moon/Tranquility' },
      });
      expect(create.statusCode).toBe(400);
      expect((await pullAll(kiosk.token, before.cursor)).changes).toEqual([]);
      expect(
        (await call<{ id: string; timezone: string }[]>(t.app, s.adminToken, 'GET', '/api/sites')).find(
          (x) => x.id === site.id,
        )?.timezone,
      ).toBe('Europe/Lisbon');
    });

    it('pushes templates idempotently and refuses students without consent', async () => {
      const noConsent = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/students', {
        studentNumber: `NC-${randomUUID()}`,
        name: 'No Consent',
      });
      const template = (studentId: string, seedText: string) => ({
        id: randomUUID(),
        studentId,
        modelId: 'fake-model-v1',
        embedding: embeddingB64(seedText),
        quality: 0.9,
        createdAt: '2026-09-07T08:00:00Z',
      });
      const good = template(s.students[0]?.id ?? '', 'a');
      const refused = template(noConsent.id, 'b');
      const notNormalised = {
        ...template(s.students[1]?.id ?? '', 'c'),
        embedding: Buffer.from(new Float32Array([3, 4, 0, 0]).buffer).toString('base64'),
      };
      const before = await pullAll(token);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/sync/templates',
        headers: bearer(token),
        payload: { templates: [good, refused, notNormalised] },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        results: [
          { id: good.id, status: 'accepted' },
          { id: refused.id, status: 'rejected', reason: 'no_consent' },
          { id: notNormalised.id, status: 'rejected', reason: 'bad_embedding: not_normalised' },
        ],
      });
      const again = await t.app.inject({
        method: 'POST',
        url: '/api/sync/templates',
        headers: bearer(token),
        payload: { templates: [good, good] },
      });
      expect(again.json()).toEqual({
        results: [
          { id: good.id, status: 'duplicate' },
          { id: good.id, status: 'duplicate' },
        ],
      });
      const twice = template(s.students[1]?.id ?? '', 'd');
      const inOneBatch = await t.app.inject({
        method: 'POST',
        url: '/api/sync/templates',
        headers: bearer(token),
        payload: { templates: [twice, twice] },
      });
      expect(inOneBatch.json()).toEqual({
        results: [
          { id: twice.id, status: 'accepted' },
          { id: twice.id, status: 'duplicate' },
        ],
      });
      const delta = await pullAll(token, before.cursor);
      expect(delta.changes).toEqual([
        {
          seq: expect.any(Number),
          entity: 'template',
          op: 'upsert',
          id: good.id,
          data: {
            id: good.id,
            studentId: good.studentId,
            modelId: 'fake-model-v1',
            embedding: good.embedding,
          },
        },
        {
          seq: expect.any(Number),
          entity: 'template',
          op: 'upsert',
          id: twice.id,
          data: expect.objectContaining({ id: twice.id }),
        },
      ]);
    });

    it('unenrolling and deleting (archiving) a class leave tombstones; renaming moves the record to a new seq', async () => {
      const fresh = await seed(t, database, { students: 2 });
      const before = await pullAll(token);
      await call(t.app, fresh.adminToken, 'PATCH', `/api/classes/${fresh.classId}`, { name: 'Renamed' });
      await call(
        t.app,
        fresh.adminToken,
        'DELETE',
        `/api/classes/${fresh.classId}/enrolments/${fresh.students[0]?.id}`,
      );
      const mid = await pullAll(token, before.cursor);
      expect(mid.changes.map((c) => [c.entity, c.op])).toEqual([
        ['class', 'upsert'],
        ['enrolment', 'delete'],
      ]);
      expect(mid.changes[0]).toMatchObject({ data: { name: 'Renamed' } });
      await call(t.app, fresh.adminToken, 'DELETE', `/api/classes/${fresh.classId}`);
      const after = await pullAll(token, mid.cursor);
      expect(after.changes.map((c) => `${c.entity}:${c.op}`).sort()).toEqual([
        'class:delete',
        'enrolment:delete',
        'schedule:delete',
      ]);
      // The class was archived before its session started: that session is never held, so
      // pushes for it are refused.
      const res = await push([mark(fresh, 1)]);
      expect((res.json() as { results: { reason?: string }[] }).results[0]?.reason).toMatch(
        /^unknown_session/,
      );
    });

    it('withdrawing consent sends template tombstones to kiosks', async () => {
      const student = s.students[2]?.id ?? '';
      const upload = {
        id: randomUUID(),
        studentId: student,
        modelId: 'fake-model-v1',
        embedding: embeddingB64('consent'),
        createdAt: '2026-09-07T08:00:00Z',
      };
      await t.app.inject({
        method: 'POST',
        url: '/api/sync/templates',
        headers: bearer(token),
        payload: { templates: [upload] },
      });
      const before = await pullAll(token);
      await call(t.app, s.adminToken, 'PATCH', `/api/students/${student}`, { consent: false });
      const delta = await pullAll(token, before.cursor);
      expect(delta.changes).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            entity: 'student',
            op: 'upsert',
            id: student,
            data: expect.objectContaining({ consent: false }),
          }),
          expect.objectContaining({ entity: 'template', op: 'delete', id: upload.id }),
        ]),
      );
      // And the kiosk cannot push the template back.
      const again = await t.app.inject({
        method: 'POST',
        url: '/api/sync/templates',
        headers: bearer(token),
        payload: { templates: [{ ...upload, id: randomUUID() }] },
      });
      expect((again.json() as { results: { reason?: string }[] }).results[0]?.reason).toBe('no_consent');
      await call(t.app, s.adminToken, 'PATCH', `/api/students/${student}`, { consent: true });
    });

    it('erasing a student leaves tombstones for the student, enrolments and templates', async () => {
      const before = await pullAll(token);
      const victim = s.students[0]?.id ?? '';
      const templateIds = (
        await database.db.selectFrom('templates').select('id').where('student_id', '=', victim).execute()
      ).map((r) => r.id);
      expect(templateIds.length).toBeGreaterThan(0);
      const erased = await call<{ templates: number; enrolments: number }>(
        t.app,
        s.adminToken,
        'DELETE',
        `/api/students/${victim}`,
      );
      expect(erased).toMatchObject({ templates: templateIds.length, enrolments: 1 });
      const delta = await pullAll(token, before.cursor);
      const tombstones = delta.changes.filter((c) => c.op === 'delete');
      expect(tombstones.map((c) => c.entity).sort()).toEqual(
        ['enrolment', 'student', ...templateIds.map(() => 'template')].sort(),
      );
      expect(tombstones.every((c) => !('data' in c))).toBe(true);
      // A later push for the erased student is refused, not stored.
      const res = await push([mark(s, 0)]);
      expect((res.json() as { results: { reason?: string }[] }).results[0]?.reason).toBe('unknown_student');
      // A full pull from scratch no longer carries the student's data anywhere.
      const full = await pullAll(token);
      expect(full.changes.find((c) => c.id === victim)).toMatchObject({ op: 'delete' });
      expect(JSON.stringify(full.changes)).not.toContain(`"${s.students[0]?.studentNumber}"`);
      const audit = await call<{ action: string; entityId: string; actorKind: string }[]>(
        t.app,
        s.adminToken,
        'GET',
        `/api/audit?entityId=${victim}&action=student.erase`,
      );
      expect(audit).toMatchObject([{ action: 'student.erase', entityId: victim, actorKind: 'user' }]);
    });
  });
});
