import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DoorTemplateUpload } from '../../../src/contracts/sync.js';
import {
  bearer,
  buildTestApp,
  call,
  createUser,
  embeddingB64,
  EMBEDDING_SIZE,
  faceAt,
  fakeEmbedding,
  login,
  pairKiosk,
  seed,
  toB64,
  type Seeded,
  type TestApp,
  pullWholeRoster,
} from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';
import { storeTemplates } from '../repositories/templates.js';

const dialects = await testDialects();
// The shipped model's id: the server refuses door templates of a model with no calibrated point.
const MODEL = 'faceplugin/v1';
const DAY_MS = 24 * 60 * 60 * 1000;

describe.each(dialects)('door templates (template freshness) on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;
  let kiosk: { token: string; deviceId: string };
  let adminUser: { email: string; password: string };
  /** A fresh admin token: the tests move the clock by days, past an access token's life. */
  const admin = () => login(t.app, adminUser.email, adminUser.password);

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database, { processMetrics: false, config: { metricsOpen: true } });
    s = await seed(t, database, { students: 6 });
    adminUser = await createUser(database, 'admin');
    kiosk = await pairKiosk(t.app, s.adminToken, s.roomId);
    // The kiosk reports its face model with a roster pull, as a running kiosk does.
    const pulled = await t.app.inject({
      method: 'GET',
      url: `/api/sync/roster?since=0&limit=1&model=${MODEL}`,
      headers: bearer(kiosk.token),
    });
    expect(pulled.statusCode).toBe(200);
    // Every seeded student has an enrolment template of the model (from photos).
    const enrolment = await storeTemplates(
      database.db,
      s.students.map((st) => ({
        id: randomUUID(),
        studentId: st.id,
        modelId: MODEL,
        embedding: embeddingB64(`enrol-${st.id}`),
        createdAt: t.clock.now().toISOString(),
      })),
      { source: 'photo', deviceId: null, siteId: null },
      t.clock.now().toISOString(),
    );
    expect(enrolment.every((r) => r.status === 'accepted')).toBe(true);
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  const setting = async (on: boolean) =>
    call(t.app, await admin(), 'PATCH', '/api/settings', { doorTemplates: on });
  beforeEach(async () => {
    if (dialect.available) await setting(true);
  });

  const capture = (studentIndex: number, patch: Partial<DoorTemplateUpload> = {}): DoorTemplateUpload => {
    const id = randomUUID();
    return {
      id,
      studentId: s.students[studentIndex]?.id ?? 'missing',
      modelId: MODEL,
      embedding: likeEnrolment(s.students[studentIndex]?.id ?? 'missing', 0.7, `door-${id}`),
      createdAt: t.clock.now().toISOString(),
      similarity: 0.71,
      margin: 0.34,
      ...patch,
    };
  };
  /** A unit vector at cosine `cos` to the student's enrolment template (a face that changed a little or a lot). */
  const likeEnrolment = (studentId: string, cos: number, seed: string): string =>
    toB64(faceAt(fakeEmbedding(`enrol-${studentId}`), cos, seed));
  const offer = (body: unknown, token = kiosk.token) =>
    t.app.inject({
      method: 'POST',
      url: '/api/sync/door-templates',
      headers: bearer(token),
      payload: body as object,
    });

  const templatesOf = async (studentId: string) =>
    database.db
      .selectFrom('templates')
      .select(['id', 'source', 'device_id'])
      .where('student_id', '=', studentId)
      .orderBy('created_at')
      .execute();

  const pullAll = (tok: string, since = '0') => pullWholeRoster(t.app, tok, since);

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it('is off by default, says so to kiosks, and refuses a capture with 403 while off', async () => {
      const fresh = await dialect.open();
      try {
        const other = await buildTestApp(fresh);
        const seeded = await seed(other, fresh);
        const settings = await call<{ doorTemplates: boolean }>(
          other.app,
          seeded.adminToken,
          'GET',
          '/api/settings',
        );
        expect(settings.doorTemplates).toBe(false);
        await other.app.close();
      } finally {
        await fresh.cleanup();
      }
      await setting(false);
      expect((await pullAll(kiosk.token)).doorTemplates).toBe(false);
      const before = await templatesOf(s.students[0]?.id ?? '');
      const res = await offer(capture(0));
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ error: 'door_templates_off' });
      expect(await templatesOf(s.students[0]?.id ?? '')).toEqual(before);
      await setting(true);
      expect((await pullAll(kiosk.token)).doorTemplates).toBe(true);
    });

    it('stores a capture as a door template, audits it and publishes it like an enrolment', async () => {
      const student = s.students[1]?.id ?? '';
      const before = await pullAll(kiosk.token);
      const c = capture(1);
      const res = await offer(c);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ id: c.id, status: 'accepted', replaced: null });
      expect((await templatesOf(student)).map((r) => r.source)).toEqual(['photo', 'door']);
      const delta = await pullAll(kiosk.token, before.cursor);
      expect(delta.changes).toEqual([
        {
          seq: expect.any(Number),
          entity: 'template',
          op: 'upsert',
          id: c.id,
          data: { id: c.id, studentId: student, modelId: MODEL, embedding: c.embedding },
        },
      ]);
      const audit = await call<{ action: string; actorKind: string; actorId: string; detail: unknown }[]>(
        t.app,
        await admin(),
        'GET',
        `/api/audit?entityId=${student}&action=template.door_added`,
      );
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        action: 'template.door_added',
        actorKind: 'device',
        actorId: kiosk.deviceId,
        detail: {
          templateId: c.id,
          deviceId: kiosk.deviceId,
          similarity: 0.71,
          margin: 0.34,
          replaced: null,
        },
      });
      // A retry of the same capture (the answer was lost) is a duplicate, not a second template.
      const again = await offer(c);
      expect(again.json()).toEqual({ id: c.id, status: 'duplicate' });
      expect(await templatesOf(student)).toHaveLength(2);
    });

    it('adds at most one door template per student per 24 hours', async () => {
      const student = s.students[2]?.id ?? '';
      expect((await offer(capture(2))).json()).toMatchObject({ status: 'accepted' });
      t.clock.advance(DAY_MS - 60_000);
      const second = capture(2);
      const res = await offer(second);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ id: second.id, status: 'rejected', reason: 'daily_limit' });
      expect((await templatesOf(student)).filter((r) => r.source === 'door')).toHaveLength(1);
      t.clock.advance(120_000);
      expect((await offer(capture(2))).json()).toMatchObject({ status: 'accepted' });
      expect((await templatesOf(student)).filter((r) => r.source === 'door')).toHaveLength(2);
    });

    it('keeps at most two door templates: the oldest is replaced and tombstoned, enrolment templates stay', async () => {
      const student = s.students[3]?.id ?? '';
      const first = capture(3);
      const second = capture(3);
      const third = capture(3);
      expect((await offer(first)).json()).toMatchObject({ status: 'accepted' });
      t.clock.advance(DAY_MS + 1);
      expect((await offer(second)).json()).toMatchObject({ status: 'accepted' });
      t.clock.advance(DAY_MS + 1);
      const before = await pullAll(kiosk.token);
      const res = await offer(third);
      expect(res.json()).toEqual({ id: third.id, status: 'accepted', replaced: first.id });
      const rows = await templatesOf(student);
      expect(rows.map((r) => r.source)).toEqual(['photo', 'door', 'door']);
      expect(rows.map((r) => r.id).slice(1)).toEqual([second.id, third.id]);
      const delta = await pullAll(kiosk.token, before.cursor);
      expect(delta.changes.map((c) => [c.op, c.id])).toEqual([
        ['delete', first.id],
        ['upsert', third.id],
      ]);
      const audit = await call<{ detail: { replaced: string | null } }[]>(
        t.app,
        await admin(),
        'GET',
        `/api/audit?entityId=${student}&action=template.door_added`,
      );
      expect(audit.map((a) => a.detail.replaced)).toContain(first.id);
    });

    it("refuses a student of another site with 404 and a kiosk's wrong model or a bad embedding with 400", async () => {
      const site = await call<{ id: string }>(t.app, await admin(), 'POST', '/api/sites', {
        name: `North ${randomUUID()}`,
        timezone: 'Europe/Paris',
      });
      const other = await seed(t, database, { siteId: site.id, students: 1 });
      const elsewhere = capture(0, { studentId: other.students[0]?.id ?? '' });
      const wrongSite = await offer(elsewhere);
      expect(wrongSite.statusCode).toBe(404);
      expect((await offer(capture(0, { studentId: 'nobody' }))).statusCode).toBe(404);

      const wrongModel = await offer(capture(4, { modelId: 'another-model/v1' }));
      expect(wrongModel.statusCode).toBe(400);
      expect(wrongModel.json()).toMatchObject({ error: 'model_mismatch' });

      const short = Buffer.from(new Float32Array([0.6, 0.8]).buffer).toString('base64');
      const wrongSize = await offer(capture(4, { embedding: short }));
      expect(wrongSize.statusCode).toBe(400);
      expect(wrongSize.json()).toMatchObject({ error: 'bad_embedding' });
      const notNormalised = Buffer.from(new Float32Array(EMBEDDING_SIZE).fill(1).buffer).toString('base64');
      const bad = await offer(capture(4, { embedding: notNormalised }));
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ error: 'bad_embedding' });
      const garbage = await offer(capture(4, { embedding: 'not base64 at all!' }));
      expect(garbage.statusCode).toBe(400);
      // Nothing was stored for any of them.
      expect((await templatesOf(s.students[4]?.id ?? '')).map((r) => r.source)).toEqual(['photo']);
      expect(await templatesOf(other.students[0]?.id ?? '')).toEqual([]);
      // No token, no capture.
      const anonymous = await t.app.inject({
        method: 'POST',
        url: '/api/sync/door-templates',
        payload: capture(4),
      });
      expect(anonymous.statusCode).toBe(401);
    });

    it("refuses, and audits, a face that no longer matches the child's enrolment photos at the class threshold", async () => {
      t.clock.advance(DAY_MS + 1); // clear of any earlier test's daily limit
      const student = s.students[3]?.id ?? '';
      const before = await templatesOf(student);
      // 0.43 is the shipped model's class threshold: whatever the kiosk claims, an unrelated
      // face (a planted template) and one that drifted below it are refused.
      const planted = capture(3, { embedding: likeEnrolment(student, 0.1, 'someone-else'), similarity: 0.9 });
      expect((await offer(planted)).json()).toMatchObject({ status: 'rejected', reason: 'unlike_enrolment' });
      const drifted = capture(3, { embedding: likeEnrolment(student, 0.4, 'drifted') });
      expect((await offer(drifted)).json()).toMatchObject({ status: 'rejected', reason: 'unlike_enrolment' });
      expect(await templatesOf(student)).toEqual(before);
      const refused = await database.db
        .selectFrom('audit_log')
        .select(['action', 'detail'])
        .where('action', '=', 'template.door_refused')
        .where('entity_id', '=', student)
        .execute();
      expect(refused).toHaveLength(2);
      expect(JSON.parse(String(refused[0]?.detail))).toMatchObject({
        reason: 'unlike_enrolment',
        floor: 0.43,
      });
      // Just above the threshold is a face that changed but is still theirs.
      const changed = capture(3, { embedding: likeEnrolment(student, 0.5, 'changed') });
      expect((await offer(changed)).json()).toMatchObject({ status: 'accepted' });
    });

    it('counts captures added and refused by reason on /metrics; a retried capture counts once', async () => {
      t.clock.advance(DAY_MS + 1); // clear of any earlier test's daily limit
      const student = s.students[4]?.id ?? '';
      const scrape = async () => {
        const res = await t.app.inject({ method: 'GET', url: '/metrics' });
        expect(res.statusCode).toBe(200);
        const value = (series: string) => {
          const line = res.body.split('\n').find((l) => l.startsWith(`${series} `));
          return line === undefined ? undefined : Number(line.slice(series.length + 1));
        };
        const refused = (reason: string) =>
          value(`rollcall_door_templates_refused_total{reason="${reason}"}`);
        return {
          added: value('rollcall_door_templates_added_total'),
          daily_limit: refused('daily_limit'),
          unlike_enrolment: refused('unlike_enrolment'),
          model_mismatch: refused('model_mismatch'),
          door_templates_off: refused('door_templates_off'),
          not_found: refused('not_found'),
        };
      };
      const before = await scrape();
      // Every reason is a series from the start, so a rate over it is never blind.
      expect(Object.values(before).every((v) => v !== undefined)).toBe(true);
      const first = capture(4);
      expect((await offer(first)).json()).toMatchObject({ status: 'accepted' });
      expect((await offer(first)).json()).toMatchObject({ status: 'duplicate' });
      expect((await offer(capture(4))).json()).toMatchObject({ status: 'rejected', reason: 'daily_limit' });
      const planted = capture(4, { embedding: likeEnrolment(student, 0.1, 'planted-metrics') });
      expect((await offer(planted)).json()).toMatchObject({ reason: 'unlike_enrolment' });
      expect((await offer(capture(4, { modelId: 'another-model/v1' }))).statusCode).toBe(400);
      expect((await offer(capture(4, { studentId: 'nobody' }))).statusCode).toBe(404);
      await setting(false);
      expect((await offer(capture(4))).statusCode).toBe(403);
      // Not a capture judged: a request without a device token.
      const anonymous = await t.app.inject({
        method: 'POST',
        url: '/api/sync/door-templates',
        payload: capture(4),
      });
      expect(anonymous.statusCode).toBe(401);
      const after = await scrape();
      const delta = Object.fromEntries(
        Object.entries(after).map(([k, v]) => [k, (v ?? 0) - (before[k as keyof typeof before] ?? 0)]),
      );
      expect(delta).toEqual({
        added: 1,
        daily_limit: 1,
        unlike_enrolment: 1,
        model_mismatch: 1,
        door_templates_off: 1,
        not_found: 1,
      });
    });

    it("an admin removes one template, then all of a student's (door templates too) in one request: tombstoned for kiosks, audited", async () => {
      const token = await admin();
      const student = (
        await call<{ id: string }>(t.app, token, 'POST', '/api/students', {
          studentNumber: `RM-${randomUUID()}`,
          name: 'Face removed by an admin',
          consent: true,
        })
      ).id;
      const photos = [1, 2].map(() => ({
        id: randomUUID(),
        studentId: student,
        modelId: MODEL,
        embedding: embeddingB64(`enrol-${student}`),
        createdAt: t.clock.now().toISOString(),
      }));
      await storeTemplates(
        database.db,
        photos,
        { source: 'photo', deviceId: null, siteId: null },
        t.clock.now().toISOString(),
      );
      const door = capture(0, {
        studentId: student,
        embedding: likeEnrolment(student, 0.7, `door-rm-${student}`),
      });
      expect((await offer(door)).json()).toMatchObject({ status: 'accepted' });
      expect((await templatesOf(student)).map((r) => r.source).sort()).toEqual(['door', 'photo', 'photo']);
      const before = await pullAll(kiosk.token);
      const audit = async (action: string) =>
        call<{ actorKind: string; detail: unknown }[]>(
          t.app,
          token,
          'GET',
          `/api/audit?entityId=${student}&action=${action}`,
        );

      await call(t.app, token, 'DELETE', `/api/students/${student}/templates/${photos[0]?.id}`);
      expect(await audit('template.delete')).toEqual([
        expect.objectContaining({ actorKind: 'user', detail: expect.objectContaining({ templates: 1 }) }),
      ]);

      const teacher = await login(t.app, s.teacher.email, s.teacher.password);
      const asTeacher = await t.app.inject({
        method: 'DELETE',
        url: `/api/students/${student}/templates`,
        headers: bearer(teacher),
      });
      expect(asTeacher.statusCode).toBe(403);
      expect(await call(t.app, token, 'DELETE', `/api/students/${student}/templates`)).toEqual({
        deleted: 2,
      });
      expect(await templatesOf(student)).toEqual([]);
      const delta = await pullAll(kiosk.token, before.cursor);
      for (const id of [photos[0]?.id, photos[1]?.id, door.id])
        expect(delta.changes).toContainEqual(
          expect.objectContaining({ entity: 'template', op: 'delete', id }),
        );
      const removed = await audit('templates.delete_all');
      expect(removed).toHaveLength(1);
      expect(removed[0]).toMatchObject({
        actorKind: 'user',
        detail: { templates: 2, bySource: { photo: 1, door: 1 } },
      });
      expect(JSON.stringify(removed[0]?.detail)).not.toContain(door.embedding.slice(0, 12));

      // Nothing left to remove is not an error; an unknown student is.
      expect(await call(t.app, token, 'DELETE', `/api/students/${student}/templates`)).toEqual({
        deleted: 0,
      });
      const unknown = await t.app.inject({
        method: 'DELETE',
        url: '/api/students/nobody/templates',
        headers: bearer(token),
      });
      expect(unknown.statusCode).toBe(404);
    });

    it('erasing a student removes their door templates and sends kiosks the tombstone', async () => {
      const student = s.students[5]?.id ?? '';
      const c = capture(5);
      expect((await offer(c)).json()).toMatchObject({ status: 'accepted' });
      const before = await pullAll(kiosk.token);
      await call(t.app, await admin(), 'DELETE', `/api/students/${student}`);
      expect(await templatesOf(student)).toEqual([]);
      const delta = await pullAll(kiosk.token, before.cursor);
      expect(delta.changes).toContainEqual(
        expect.objectContaining({ entity: 'template', op: 'delete', id: c.id }),
      );
    });
  });
});
