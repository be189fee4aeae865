import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RosterChange } from '../../../src/contracts/sync.js';
import {
  bearer,
  buildTestApp,
  call,
  embeddingB64,
  multipartBody,
  pairKiosk,
  seed,
  type Seeded,
  type TestApp,
  pullWholeRoster,
} from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';
import { storeTemplates } from '../repositories/templates.js';
import { SHIPPED_MODEL_ID } from '../../../src/ml/config.js';

const dialects = await testDialects();

interface PurgeResult {
  dryRun: boolean;
  templates: number;
  students: number;
  studentsKept: number;
}

let modelCounter = 0;
/** A model id no other test uses, so tests sharing the database do not see each other's templates. */
const freshModel = (name: string) => `${name}-${++modelCounter}/v1`;

describe.each(dialects)('DELETE /api/templates on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database);
    s = await seed(t, database);
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  /** Stores `count` templates of `modelId` for a student as a kiosk push would; returns their ids. */
  async function addTemplates(studentId: string, modelId: string, count = 1): Promise<string[]> {
    const uploads = Array.from({ length: count }, () => {
      const id = randomUUID();
      return { id, studentId, modelId, embedding: embeddingB64(id), createdAt: t.clock.now().toISOString() };
    });
    const results = await storeTemplates(
      database.db,
      uploads,
      { source: 'kiosk', deviceId: null, siteId: null },
      t.clock.now().toISOString(),
    );
    expect(results.every((r) => r.status === 'accepted')).toBe(true);
    return uploads.map((u) => u.id);
  }

  const templateIds = async (modelId: string) =>
    (await database.db.selectFrom('templates').select('id').where('model_id', '=', modelId).execute())
      .map((r) => r.id)
      .sort();

  const purge = (query: string, token = s.adminToken) =>
    t.app.inject({ method: 'DELETE', url: `/api/templates?${query}`, headers: bearer(token) });

  async function purged(query: string): Promise<PurgeResult> {
    const res = await purge(query);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as PurgeResult;
  }

  const pullAll = (token: string, since: string) => pullWholeRoster(t.app, token, since);

  /**
   * Two sites, each with a paired kiosk already up to date. Students of the default site:
   * `replaced` has two old templates and one new, `waiting` one old only, `never` none; the
   * other site's `away` has one old and one new.
   */
  async function twoSchools() {
    const oldModel = freshModel('old');
    const newModel = freshModel('new');
    const school = await seed(t, database, { students: 3 });
    const site = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/sites', {
      name: `Annex ${modelCounter}`,
      timezone: 'UTC',
    });
    const annex = await seed(t, database, { siteId: site.id, students: 1 });
    const [replaced, waiting, never] = school.students.map((x) => x.id ?? '');
    const away = annex.students[0]?.id ?? '';
    const ids = {
      replacedOld: await addTemplates(replaced ?? '', oldModel, 2),
      replacedNew: await addTemplates(replaced ?? '', newModel),
      waitingOld: await addTemplates(waiting ?? '', oldModel),
      awayOld: await addTemplates(away, oldModel),
      awayNew: await addTemplates(away, newModel),
    };
    const kiosk = await pairKiosk(t.app, s.adminToken, school.roomId);
    const annexKiosk = await pairKiosk(t.app, s.adminToken, annex.roomId);
    const cursors = {
      kiosk: (await pullAll(kiosk.token, '0')).cursor,
      annex: (await pullAll(annexKiosk.token, '0')).cursor,
    };
    return {
      oldModel,
      newModel,
      siteId: site.id,
      students: { replaced, waiting, never, away },
      ids,
      kiosk,
      annexKiosk,
      cursors,
    };
  }

  const auditRows = (modelId: string) =>
    call<{ action: string; actorId: string; detail: unknown }[]>(
      t.app,
      s.adminToken,
      'GET',
      `/api/audit?entityId=${encodeURIComponent(modelId)}`,
    );

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it('dry run counts what each filter would delete and deletes nothing', async () => {
      const w = await twoSchools();
      const m = encodeURIComponent(w.oldModel);
      const before = await templateIds(w.oldModel);
      expect(before).toHaveLength(4);
      const changesBefore = await database.db
        .selectFrom('changes')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();

      expect(await purged(`modelId=${m}&dryRun=true`)).toEqual({
        dryRun: true,
        modelId: w.oldModel,
        siteId: null,
        onlyIfReplacedBy: null,
        templates: 4,
        students: 3,
        studentsKept: 0,
      });
      expect(await purged(`modelId=${m}&siteId=default&dryRun=true`)).toMatchObject({
        siteId: 'default',
        templates: 3,
        students: 2,
        studentsKept: 0,
      });
      expect(
        await purged(`modelId=${m}&onlyIfReplacedBy=${encodeURIComponent(w.newModel)}&dryRun=true`),
      ).toMatchObject({
        onlyIfReplacedBy: w.newModel,
        templates: 3, // replaced's two and away's one
        students: 2,
        studentsKept: 1, // waiting
      });
      expect(await purged(`modelId=${encodeURIComponent(freshModel('unused'))}&dryRun=true`)).toMatchObject({
        templates: 0,
        students: 0,
        studentsKept: 0,
      });

      expect(await templateIds(w.oldModel)).toEqual(before);
      expect(
        await database.db
          .selectFrom('changes')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow(),
      ).toEqual(changesBefore);
      expect(await auditRows(w.oldModel)).toEqual([]);
      expect((await pullAll(w.kiosk.token, w.cursors.kiosk)).changes).toEqual([]);
    });

    it("deletes only replaced students' old templates, and the next pull carries tombstones for exactly those", async () => {
      const w = await twoSchools();
      const result = await purged(
        `modelId=${encodeURIComponent(w.oldModel)}&siteId=default&onlyIfReplacedBy=${encodeURIComponent(w.newModel)}`,
      );
      expect(result).toEqual({
        dryRun: false,
        modelId: w.oldModel,
        siteId: 'default',
        onlyIfReplacedBy: w.newModel,
        templates: 2,
        students: 1,
        studentsKept: 1,
      });

      // The student without a replacement keeps the old template; the other site is untouched.
      expect(await templateIds(w.oldModel)).toEqual([...w.ids.waitingOld, ...w.ids.awayOld].sort());
      expect(await templateIds(w.newModel)).toEqual([...w.ids.replacedNew, ...w.ids.awayNew].sort());

      const pulled = await pullAll(w.kiosk.token, w.cursors.kiosk);
      expect(
        pulled.changes
          .map(({ entity, op, id }) => ({ entity, op, id }))
          .sort((a, b) => a.id.localeCompare(b.id)),
      ).toEqual(
        w.ids.replacedOld
          .map((id) => ({ entity: 'template', op: 'delete', id }))
          .sort((a, b) => a.id.localeCompare(b.id)),
      );
      expect((await pullAll(w.annexKiosk.token, w.cursors.annex)).changes).toEqual([]);
      // The change log no longer holds their embeddings either: the tombstone replaced the upsert.
      const logged = await database.db
        .selectFrom('changes')
        .select(['op', 'data'])
        .where('entity_id', 'in', w.ids.replacedOld)
        .execute();
      expect(logged).toEqual(w.ids.replacedOld.map(() => ({ op: 'delete', data: null })));

      const audit = await auditRows(w.oldModel);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        action: 'templates.purge_model',
        detail: {
          modelId: w.oldModel,
          siteId: 'default',
          onlyIfReplacedBy: w.newModel,
          templates: 2,
          students: 1,
          studentsKept: 1,
        },
      });
    });

    it("without filters deletes the model's templates at every site", async () => {
      const w = await twoSchools();
      expect(await purged(`modelId=${encodeURIComponent(w.oldModel)}`)).toMatchObject({
        templates: 4,
        students: 3,
        studentsKept: 0,
      });
      expect(await templateIds(w.oldModel)).toEqual([]);
      const tombstones = (changes: RosterChange[]) =>
        changes
          .filter((c) => c.entity === 'template' && c.op === 'delete')
          .map((c) => c.id)
          .sort();
      expect(tombstones((await pullAll(w.kiosk.token, w.cursors.kiosk)).changes)).toEqual(
        [...w.ids.replacedOld, ...w.ids.waitingOld].sort(),
      );
      expect(tombstones((await pullAll(w.annexKiosk.token, w.cursors.annex)).changes)).toEqual(w.ids.awayOld);
    });

    it('deletes photos kept of the deleted templates', async () => {
      await call(t.app, s.adminToken, 'PATCH', '/api/settings', { retainPhotos: true });
      try {
        const school = await seed(t, database, { students: 1 });
        const student = school.students[0]?.id ?? '';
        const body = multipartBody([{ filename: 'face.jpg', bytes: Buffer.from(`JPEG-${randomUUID()}`) }]);
        const res = await t.app.inject({
          method: 'POST',
          url: `/api/students/${student}/photos`,
          headers: { ...bearer(s.adminToken), ...body.headers },
          payload: body.payload,
        });
        expect(res.statusCode).toBe(200);
        const [template] = await call<{ id: string; modelId: string }[]>(
          t.app,
          s.adminToken,
          'GET',
          `/api/students/${student}/templates`,
        );
        const photos = () =>
          database.db.selectFrom('photos').select('id').where('student_id', '=', student).execute();
        expect(await photos()).toHaveLength(1);
        // Other tests also hold templates of the fake engine's model: onlyIfReplacedBy a model only
        // this student has scopes the purge to them.
        const marker = freshModel('marker');
        await addTemplates(student, marker);
        expect(
          await purged(
            `modelId=${encodeURIComponent(template?.modelId ?? '')}&onlyIfReplacedBy=${encodeURIComponent(marker)}`,
          ),
        ).toMatchObject({ templates: 1 });
        expect(await photos()).toEqual([]);
      } finally {
        await call(t.app, s.adminToken, 'PATCH', '/api/settings', { retainPhotos: false });
      }
    });

    it('deletes thousands of templates in chunks, with a tombstone for each', async () => {
      const many = freshModel('many');
      const school = await seed(t, database, { students: 3 });
      const kiosk = await pairKiosk(t.app, s.adminToken, school.roomId);
      const cursor = (await pullAll(kiosk.token, '0')).cursor;
      const perStudent = 700; // 2,100 in all: several DELETE chunks and more ids than old SQLite's 999 variables
      const ids: string[] = [];
      for (const student of school.students) ids.push(...(await addTemplates(student.id, many, perStudent)));
      expect(await purged(`modelId=${encodeURIComponent(many)}&dryRun=true`)).toMatchObject({
        templates: ids.length,
        students: 3,
      });
      expect(await purged(`modelId=${encodeURIComponent(many)}`)).toMatchObject({
        templates: ids.length,
        students: 3,
      });
      expect(await templateIds(many)).toEqual([]);
      const pulled = await pullAll(kiosk.token, cursor);
      const deleted = pulled.changes
        .filter((c) => c.entity === 'template' && c.op === 'delete')
        .map((c) => c.id);
      expect(deleted.sort()).toEqual(ids.sort());
    });

    it('deleting one template takes the same path: row gone, tombstone pulled, 404 under another student', async () => {
      const w = await twoSchools();
      const [target] = w.ids.replacedOld;
      const wrongStudent = await t.app.inject({
        method: 'DELETE',
        url: `/api/students/${w.students.waiting}/templates/${target}`,
        headers: bearer(s.adminToken),
      });
      expect(wrongStudent.statusCode).toBe(404);
      await call(t.app, s.adminToken, 'DELETE', `/api/students/${w.students.replaced}/templates/${target}`);
      expect(await templateIds(w.oldModel)).not.toContain(target);
      expect(
        (await pullAll(w.kiosk.token, w.cursors.kiosk)).changes.map(({ entity, op, id }) => ({
          entity,
          op,
          id,
        })),
      ).toEqual([{ entity: 'template', op: 'delete', id: target }]);
    });

    it('is for admins only: a teacher gets 403 and nothing is deleted', async () => {
      const w = await twoSchools();
      const res = await purge(`modelId=${encodeURIComponent(w.oldModel)}`, s.teacherToken);
      expect(res.statusCode).toBe(403);
      const dry = await purge(`modelId=${encodeURIComponent(w.oldModel)}&dryRun=true`, s.teacherToken);
      expect(dry.statusCode).toBe(403);
      expect(await templateIds(w.oldModel)).toHaveLength(4);
      const anonymous = await t.app.inject({
        method: 'DELETE',
        url: `/api/templates?modelId=${encodeURIComponent(w.oldModel)}`,
      });
      expect(anonymous.statusCode).toBe(401);
    });

    it('refuses (409) to delete the templates of the model this release runs, unless only replaced ones', async () => {
      const w = await twoSchools();
      const shipped = await addTemplates(w.students.waiting ?? '', SHIPPED_MODEL_ID);
      const res = await purge(`modelId=${encodeURIComponent(SHIPPED_MODEL_ID)}`);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ error: 'model_in_use' });
      expect(await templateIds(SHIPPED_MODEL_ID)).toEqual(shipped);
      // Counting is harmless, and so is removing shipped-model templates of students who already have a newer one.
      expect((await purged(`modelId=${encodeURIComponent(SHIPPED_MODEL_ID)}&dryRun=true`)).templates).toBe(1);
      expect(
        (
          await purged(
            `modelId=${encodeURIComponent(SHIPPED_MODEL_ID)}&onlyIfReplacedBy=${encodeURIComponent(w.newModel)}`,
          )
        ).templates,
      ).toBe(0);
      expect(await templateIds(SHIPPED_MODEL_ID)).toEqual(shipped);
    });

    it('answers 400 on bad parameters and 404 on an unknown site, deleting nothing', async () => {
      const w = await twoSchools();
      const m = encodeURIComponent(w.oldModel);
      const issues = async (query: string) => {
        const res = await purge(query);
        expect(res.statusCode, query).toBe(400);
        return (res.json() as { issues: { path: string }[] }).issues.map((i) => i.path);
      };
      expect(await issues('')).toEqual(['modelId']);
      expect(await issues('modelId=')).toEqual(['modelId']);
      expect(await issues(`modelId=${m}&dryRun=yes`)).toEqual(['dryRun']);
      expect(await issues(`modelId=${m}&onlyIfReplacedBy=${m}`)).toEqual(['onlyIfReplacedBy']);
      expect(await issues(`modelId=${m}&modelId=other`)).toEqual(['modelId']);
      // A misspelt filter must not be dropped silently: that would widen the deletion.
      expect((await purge(`modelId=${m}&onlyIfReplaced=true`)).statusCode).toBe(400);
      expect((await purge(`modelId=${m}&siteid=default`)).statusCode).toBe(400);
      const unknownSite = await purge(`modelId=${m}&siteId=nowhere`);
      expect(unknownSite.statusCode).toBe(404);
      expect(await templateIds(w.oldModel)).toHaveLength(4);
    });
  });
});
