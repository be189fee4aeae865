// An admin runs `npm run server:import` again on the same folder (after adding photos, after a run
// that stopped half-way): what is already in must not be added again, on either database, and the
// kiosks must not receive it twice. The real engine's runs are in import-photos.test.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTestApp,
  dyingFaceEngine,
  EMBEDDING_SIZE,
  fakeFaceEngine,
  multipartBody,
  pairKiosk,
  pullWholeRoster,
  seed,
  type Seeded,
  type TestApp,
} from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';
import { pairWholeKiosk, serverForKiosks } from '../../test/whole-kiosk.js';
import { FakeFaceEngine } from '../../../src/core/testing/fake-engine.js';
import { EngineError } from '../../../src/ml/errors.js';
import { FaceEngineStopped, importDirectory, type ImportOptions } from './import-photos.js';
import { claimUndigestedTwin } from '../repositories/photo-origin.js';
import { decodeEmbedding } from '../../../src/ml/embedding-codec.js';
import { randomUUID } from 'node:crypto';

const dialects = await testDialects();
const OPTIONS: ImportOptions = {
  siteId: 'default',
  consent: true,
  now: () => new Date().toISOString(),
  maxPhotoBytes: 1024 * 1024,
};

/** A folder per student under a new temporary directory; the fake engine sees a face in any bytes. */
function photoFolder(students: Record<string, Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-import-again-'));
  for (const [folder, files] of Object.entries(students)) {
    mkdirSync(join(dir, folder));
    for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, folder, file), content);
  }
  return dir;
}

describe.each(dialects)('server:import run again on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;
  const dirs: string[] = [];
  const folder = (students: Record<string, Record<string, string>>) => {
    const dir = photoFolder(students);
    dirs.push(dir);
    return dir;
  };
  const templatesOf = (studentNumber: string) =>
    database.db
      .selectFrom('templates')
      .innerJoin('students', 'students.id', 'templates.student_id')
      .select(['templates.id', 'templates.model_id', 'templates.photo_sha256'])
      .where('students.student_number', '=', studentNumber)
      .orderBy('templates.id')
      .execute();

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database);
    s = await seed(t, database, { students: 1 });
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it('a second run adds no template, says how many photos it skipped, and new photos are still added', async () => {
      const dir = folder({
        'again-1': { 'front.jpg': 'again-1 front', 'side.jpg': 'again-1 side' },
        'again-2': { 'front.jpg': 'again-2 front', 'empty.jpg': 'NOFACE again-2' },
      });
      const engine = fakeFaceEngine();
      const first = await importDirectory(database.db, engine, dir, OPTIONS);
      expect(first.map((r) => [r.folder, r.templates, r.alreadyImported])).toEqual([
        ['again-1', 2, 0],
        ['again-2', 1, 0],
      ]);
      const firstIds = first.flatMap((r) => r.photos.map((p) => p.templateId).filter(Boolean)).sort();

      const callsBefore = engine.calls;
      const again = await importDirectory(database.db, engine, dir, OPTIONS);
      expect(again.map((r) => [r.folder, r.created, r.templates, r.alreadyImported])).toEqual([
        ['again-1', false, 0, 2],
        ['again-2', false, 0, 1],
      ]);
      // Each skipped photo names the template it already gave; the photo without a face is
      // reported again (nothing of it was stored to recognise it by).
      expect(again[0]?.photos.map((p) => [p.filename, p.status])).toEqual([
        ['front.jpg', 'duplicate'],
        ['side.jpg', 'duplicate'],
      ]);
      expect(again.flatMap((r) => r.photos.map((p) => p.templateId).filter(Boolean)).sort()).toEqual(
        firstIds,
      );
      expect(again[1]?.photos.find((p) => p.filename === 'empty.jpg')).toMatchObject({
        status: 'rejected',
        reason: 'no_face',
      });
      // Known files are looked up before the engine runs: only the faceless one is analysed again.
      expect(engine.calls - callsBefore).toBe(1);
      expect(await templatesOf('again-1')).toHaveLength(2);
      expect(await templatesOf('again-2')).toHaveLength(1);

      writeFileSync(join(dir, 'again-1', 'new.jpg'), 'again-1 new');
      const third = await importDirectory(database.db, engine, dir, OPTIONS);
      expect(third.map((r) => [r.folder, r.templates, r.alreadyImported])).toEqual([
        ['again-1', 1, 2],
        ['again-2', 0, 1],
      ]);
      expect(await templatesOf('again-1')).toHaveLength(3);

      const audits = await database.db
        .selectFrom('audit_log')
        .select('detail')
        .where('action', '=', 'students.import')
        .where('detail', 'like', `%${dir.split('/').pop()}%`)
        .orderBy('at')
        .execute();
      expect(audits.map((a) => JSON.parse(a.detail ?? '{}') as object)).toEqual([
        expect.objectContaining({ templates: 3, alreadyImported: 0 }),
        expect.objectContaining({ templates: 0, alreadyImported: 3 }),
        expect.objectContaining({ templates: 1, alreadyImported: 3 }),
      ]);
    });

    it('a kiosk pulling after two runs receives each template once', async () => {
      const dir = folder({ 'pulled-1': { 'a.jpg': 'pulled-1 a', 'b.jpg': 'pulled-1 b' } });
      await importDirectory(database.db, fakeFaceEngine(), dir, OPTIONS);
      await importDirectory(database.db, fakeFaceEngine(), dir, OPTIONS);
      const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId);
      const { changes } = await pullWholeRoster(t.app, kiosk.token);
      const stored = await templatesOf('pulled-1');
      const studentId = changes.find(
        (c) => c.entity === 'student' && c.op === 'upsert' && c.data.studentNumber === 'pulled-1',
      )?.id;
      const pulled = changes.filter(
        (c) => c.entity === 'template' && c.op === 'upsert' && c.data.studentId === studentId,
      );
      expect(studentId).toBeDefined();
      expect(pulled.map((c) => c.id).sort()).toEqual(stored.map((r) => r.id));
      expect(pulled).toHaveLength(2);
    });

    it('the same photo uploaded in the console after an import is answered "duplicate" and adds nothing', async () => {
      const dir = folder({ [s.students[0]!.studentNumber]: { 'face.jpg': 'seeded student face' } });
      const [imported] = await importDirectory(database.db, fakeFaceEngine(), dir, OPTIONS);
      const templateId = imported?.photos[0]?.templateId;
      expect(templateId).toBeDefined();
      const upload = (files: { filename: string; bytes: Buffer }[]) => {
        const body = multipartBody(files);
        return t.app.inject({
          method: 'POST',
          url: `/api/students/${s.students[0]!.id}/photos`,
          headers: { ...body.headers, authorization: `Bearer ${s.adminToken}` },
          payload: body.payload,
        });
      };
      const res = await upload([
        { filename: 'again.jpg', bytes: Buffer.from('seeded student face') },
        { filename: 'other.jpg', bytes: Buffer.from('seeded student, another day') },
      ]);
      expect(res.statusCode).toBe(200);
      const results = (res.json() as { results: { filename: string; status: string; templateId?: string }[] })
        .results;
      expect(results[0]).toEqual({ filename: 'again.jpg', status: 'duplicate', templateId });
      expect(results[1]).toMatchObject({ filename: 'other.jpg', status: 'accepted' });
      expect(await templatesOf(s.students[0]!.studentNumber)).toHaveLength(2);
      // Adding face templates in the console is audited like removing them.
      const audit = await database.db
        .selectFrom('audit_log')
        .select(['actor_kind', 'entity_id', 'detail'])
        .where('action', '=', 'students.photos')
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor_kind: 'user', entity_id: s.students[0]!.id });
      expect(JSON.parse(audit[0]!.detail!)).toMatchObject({
        accepted: [results[1]!.templateId],
        duplicate: 1,
        rejected: 0,
      });
    });

    it('photo templates stored before digests were kept are recognised by their face, not added again', async () => {
      const dir = folder({ 'legacy-1': { 'a.jpg': 'legacy-1 a', 'b.jpg': 'legacy-1 b' } });
      await importDirectory(database.db, fakeFaceEngine(), dir, OPTIONS);
      const before = await templatesOf('legacy-1');
      // As a server of an earlier version stored them: no digest.
      await database.db
        .updateTable('templates')
        .set({ photo_sha256: null })
        .where(
          'id',
          'in',
          before.map((r) => r.id),
        )
        .execute();
      writeFileSync(join(dir, 'legacy-1', 'c.jpg'), 'legacy-1 c');
      const [again] = await importDirectory(database.db, fakeFaceEngine(), dir, OPTIONS);
      expect(again).toMatchObject({ templates: 1, alreadyImported: 2 });
      const after = await templatesOf('legacy-1');
      expect(after).toHaveLength(3);
      // The old templates now carry their file's digest: the next run finds them without the engine.
      expect(after.filter((r) => before.some((b) => b.id === r.id)).map((r) => r.photo_sha256)).toEqual(
        before.map((r) => r.photo_sha256),
      );
      const engine = fakeFaceEngine();
      const [third] = await importDirectory(database.db, engine, dir, OPTIONS);
      expect(third).toMatchObject({ templates: 0, alreadyImported: 3 });
      expect(engine.calls).toBe(0);
    });

    it('two imports claiming a photo an earlier version stored twice both answer one template', async () => {
      const dir = folder({ 'twins-1': { 'a.jpg': 'twins-1 a' } });
      await importDirectory(database.db, fakeFaceEngine(), dir, OPTIONS);
      const [first] = await templatesOf('twins-1');
      const row = await database.db
        .selectFrom('templates')
        .selectAll()
        .where('id', '=', first!.id)
        .executeTakeFirstOrThrow();
      // As an earlier version left a photo imported twice: two rows with its face, no digest.
      await database.db
        .updateTable('templates')
        .set({ photo_sha256: null })
        .where('id', '=', row.id)
        .execute();
      await database.db
        .insertInto('templates')
        .values({ ...row, id: randomUUID(), photo_sha256: null })
        .execute();
      const decoded = decodeEmbedding(row.embedding, EMBEDDING_SIZE);
      if (!decoded.ok) throw new Error('stored template does not decode');
      // Both claims read the two twins before either writes; the second must not crash.
      const claims = await Promise.all(
        [0, 1].map(() =>
          claimUndigestedTwin(
            database.db,
            row.student_id,
            row.model_id,
            decoded.embedding,
            row.photo_sha256!,
          ),
        ),
      );
      expect(claims[0]).not.toBeNull();
      expect(claims[1]).toBe(claims[0]);
      const digests = (await templatesOf('twins-1')).map((r) => r.photo_sha256);
      expect(digests.filter((d) => d === row.photo_sha256)).toHaveLength(1);
    });

    it('after a face-model change the same photos give templates of the new model, once', async () => {
      const dir = folder({ 'model-1': { 'a.jpg': 'model-1 a' } });
      await importDirectory(database.db, fakeFaceEngine(), dir, OPTIONS);
      const newer = { ...fakeFaceEngine(), modelId: 'fake-model-v2' };
      const [changed] = await importDirectory(database.db, newer, dir, OPTIONS);
      expect(changed).toMatchObject({ templates: 1, alreadyImported: 0 });
      const [again] = await importDirectory(database.db, newer, dir, OPTIONS);
      expect(again).toMatchObject({ templates: 0, alreadyImported: 1 });
      expect((await templatesOf('model-1')).map((r) => r.model_id).sort()).toEqual([
        'fake-model-v1',
        'fake-model-v2',
      ]);
    });

    it('two imports of one folder at the same time store each photo once', async () => {
      const dir = folder({
        'race-1': { 'a.jpg': 'race-1 a', 'b.jpg': 'race-1 b', 'c.jpg': 'race-1 c' },
      });
      // The student exists first: otherwise the two runs race to create it (not what is tested).
      await importDirectory(database.db, fakeFaceEngine(), dir, { ...OPTIONS, maxPhotoBytes: 1 });
      const runs = await Promise.all([
        importDirectory(database.db, fakeFaceEngine(), dir, OPTIONS),
        importDirectory(database.db, fakeFaceEngine(), dir, OPTIONS),
      ]);
      expect(await templatesOf('race-1')).toHaveLength(3);
      const statuses = runs.flatMap((r) => r.flatMap((x) => x.photos.map((p) => p.status)));
      expect(statuses.filter((x) => x === 'accepted')).toHaveLength(3);
      expect(statuses.filter((x) => x === 'duplicate')).toHaveLength(3);
    });

    it('a run that stops part-way still writes its summary: what it added, and the error', async () => {
      const dir = folder({
        'stops-1': { 'a.jpg': 'stops-1 a' },
        'stops-2': { 'a.jpg': 'stops-2 a' },
        'stops-3': { 'a.jpg': 'stops-3 a' },
      });
      // An engine that breaks after the first student: its answer for the second photo has no
      // faces list, which the import cannot read (an engine's own errors are a rejected photo).
      const working = fakeFaceEngine();
      const breaking = {
        ...working,
        analyse: async (input: Uint8Array) =>
          working.calls === 0 ? working.analyse(input) : ({} as Awaited<ReturnType<typeof working.analyse>>),
      };
      await expect(importDirectory(database.db, breaking, dir, OPTIONS)).rejects.toThrow(/not iterable/);

      const created = await database.db
        .selectFrom('students')
        .select('student_number')
        .where('student_number', 'like', 'stops-%')
        .orderBy('student_number')
        .execute();
      expect(created.map((r) => r.student_number)).toEqual(['stops-1', 'stops-2']);
      const summaries = await database.db
        .selectFrom('audit_log')
        .select(['actor_kind', 'detail'])
        .where('action', '=', 'students.import')
        .where('detail', 'like', `%${dir.split('/').pop()}%`)
        .execute();
      expect(summaries.map((r) => [r.actor_kind, JSON.parse(r.detail ?? 'null')])).toEqual([
        [
          'cli',
          {
            dir,
            students: 2,
            created: 2,
            templates: 1,
            alreadyImported: 0,
            consent: true,
            error: expect.stringMatching(/not iterable/),
          },
        ],
      ]);
    });

    it("an engine's error on one photo refuses that photo only: the run goes on, and a run again does not stop there", async () => {
      const dir = folder({
        'odd-1': { 'a.jpg': 'odd-1 a', 'b.jpg': 'ODDIMG odd-1 b', 'c.jpg': 'odd-1 c' },
        'odd-2': { 'a.jpg': 'odd-2 a' },
      });
      const engine = fakeFaceEngine();
      const first = await importDirectory(database.db, engine, dir, OPTIONS);
      expect(first.map((x) => [x.folder, x.photos.map((p) => [p.filename, p.status, p.reason])])).toEqual([
        [
          'odd-1',
          [
            ['a.jpg', 'accepted', undefined],
            ['b.jpg', 'rejected', 'analysis_failed: embedder faceplugin produced no 512-d output'],
            ['c.jpg', 'accepted', undefined],
          ],
        ],
        ['odd-2', [['a.jpg', 'accepted', undefined]]],
      ]);
      expect(engine.calls).toBe(4);
      expect(engine.disposed).toBe(false);
      const again = await importDirectory(database.db, engine, dir, OPTIONS);
      expect(again.map((x) => [x.folder, x.templates, x.alreadyImported])).toEqual([
        ['odd-1', 0, 2],
        ['odd-2', 0, 1],
      ]);
    });

    it('a busy engine stops the run: the photos after it say busy, not failed', async () => {
      const dir = folder({ 'busy-1': { 'a.jpg': 'busy-1 a', 'b.jpg': 'busy-1 b', 'c.jpg': 'busy-1 c' } });
      const working = fakeFaceEngine();
      const busyAfterOne = {
        ...working,
        analyse: async (input: Uint8Array) => {
          if (working.calls >= 1) throw new EngineError('busy', 'face engine busy: frame dropped');
          return working.analyse(input);
        },
      };
      const failure = await importDirectory(database.db, busyAfterOne, dir, OPTIONS).then(
        () => null,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(FaceEngineStopped);
      const stopped = failure as FaceEngineStopped;
      expect(stopped.notProcessed).toBe(2);
      expect(stopped.message).toMatch(/; 2 photos were not processed\./);
      expect(stopped.students[0]?.photos.map((p) => [p.filename, p.status, p.stop, p.reason])).toEqual([
        ['a.jpg', 'accepted', undefined, undefined],
        ['b.jpg', 'not_processed', 'face_engine_busy', 'face_engine_busy: face engine busy: frame dropped'],
        ['c.jpg', 'not_processed', 'face_engine_busy', 'face_engine_busy'],
      ]);
    });

    it('the face engine dies part-way: the run stops there, says how many photos were not processed (never "unreadable"), and a run again does the rest', async () => {
      const dir = folder({
        'dies-1': { 'a.jpg': 'dies-1 a', 'b.jpg': 'CORRUPT dies-1 b' },
        'dies-2': { 'a.jpg': 'dies-2 a', 'b.jpg': 'dies-2 b', 'c.jpg': 'dies-2 c' },
        'dies-3': { 'a.jpg': 'dies-3 a' },
      });
      // The worker exits at the third photo: dies-2/a.
      const dying = dyingFaceEngine(2);
      const failure = await importDirectory(database.db, dying, dir, OPTIONS).then(
        () => null,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(FaceEngineStopped);
      const stopped = failure as FaceEngineStopped;
      // dies-2's three photos and dies-3's one.
      expect(stopped.notProcessed).toBe(4);
      // "Up to": dies-3 was not reached, and might have been skipped (no consent, already imported).
      expect(stopped.message).toBe(
        'The face engine stopped; up to 4 photos were not processed. Nothing was lost: run the import again (photos already added are recognised and skipped). If it stops again, the server log says why.',
      );
      expect(stopped.students.map((x) => [x.folder, x.photos.map((p) => [p.filename, p.status])])).toEqual([
        [
          'dies-1',
          [
            ['a.jpg', 'accepted'],
            ['b.jpg', 'rejected'],
          ],
        ],
        [
          'dies-2',
          [
            ['a.jpg', 'not_processed'],
            ['b.jpg', 'not_processed'],
            ['c.jpg', 'not_processed'],
          ],
        ],
      ]);
      expect(stopped.students[0]?.photos[1]?.reason).toMatch(/^unreadable_image: /);
      expect(stopped.students[1]?.photos[0]?.reason).toMatch(/^face_engine_failed: face worker stopped/);
      expect(stopped.students[1]?.photos.slice(1).map((p) => p.reason)).toEqual([
        'face_engine_failed',
        'face_engine_failed',
      ]);
      // The photos after the failure were not offered to the dead engine.
      expect(dying.calls).toBe(3);
      expect(await templatesOf('dies-1')).toHaveLength(1);
      expect(await templatesOf('dies-2')).toHaveLength(0);
      const summary = await database.db
        .selectFrom('audit_log')
        .select('detail')
        .where('action', '=', 'students.import')
        .where('detail', 'like', `%${dir.split('/').pop()}%`)
        .executeTakeFirstOrThrow();
      expect(JSON.parse(summary.detail ?? 'null')).toMatchObject({
        students: 2,
        templates: 1,
        notProcessed: 4,
        error: stopped.message,
      });

      const again = await importDirectory(database.db, fakeFaceEngine(), dir, OPTIONS);
      expect(again.map((x) => [x.folder, x.templates, x.alreadyImported])).toEqual([
        ['dies-1', 0, 1],
        ['dies-2', 3, 0],
        ['dies-3', 1, 0],
      ]);
    });
  });
});

it('a whole kiosk syncing after the folder was imported twice holds each face once', async () => {
  const server = await serverForKiosks(1);
  const dir = photoFolder({ 'door-1': { 'a.jpg': 'door-1 a', 'b.jpg': 'door-1 b', 'c.jpg': 'door-1 c' } });
  try {
    const { kiosk } = await pairWholeKiosk(server, new FakeFaceEngine(), '2026-09-07T08:35:00Z');
    await importDirectory(server.database.db, fakeFaceEngine(), dir, OPTIONS);
    expect((await kiosk.sync.syncNow()).ok).toBe(true);
    await importDirectory(server.database.db, fakeFaceEngine(), dir, OPTIONS);
    expect((await kiosk.sync.syncNow()).ok).toBe(true);
    const student = await server.database.db
      .selectFrom('students')
      .select('id')
      .where('student_number', '=', 'door-1')
      .executeTakeFirstOrThrow();
    expect(kiosk.store.templates.countByStudent().get(student.id)).toBe(3);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
