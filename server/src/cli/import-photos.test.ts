// The one server test with the real src/ml engine: photos on disk → students → templates.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddingFromBase64 } from '../../../src/ml/embedding-codec.js';
import { createFaceEngine } from '../../../src/ml/index.js';
import type { FaceEngine } from '../../../src/ml/types.js';
import { openTestSqlite, type TestDatabase } from '../../test/databases.js';
import { createStudent } from '../repositories/students.js';
import { importDirectory } from './import-photos.js';

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/faces');
const PHOTO_LIMIT = 10 * 1024 * 1024;

describe('server:import with the real face engine', () => {
  let engine: FaceEngine;
  let database: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rollcall-import-'));
    for (const [folder, files] of [
      ['alice', ['person-a-1.jpg', 'person-a-2.jpg']],
      ['bob', ['person-b-1.jpg', 'noface.jpg']],
    ] as const) {
      mkdirSync(join(dir, folder));
      for (const f of files) copyFileSync(join(FIXTURES, f), join(dir, folder, f));
    }
    database = await openTestSqlite();
    engine = await createFaceEngine({ inProcess: true });
  }, 180_000);
  afterAll(async () => {
    await engine?.dispose();
    await database?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the students, embeds each usable photo and reports the rest', async () => {
    const result = await importDirectory(database.db, engine, dir, {
      siteId: 'default',
      consent: true,
      now: () => new Date().toISOString(),
      maxPhotoBytes: PHOTO_LIMIT,
    });
    expect(result.map((s) => [s.folder, s.created, s.templates])).toEqual([
      ['alice', true, 2],
      ['bob', true, 1],
    ]);
    expect(result[1]?.photos.find((p) => p.filename === 'noface.jpg')).toMatchObject({
      status: 'rejected',
      reason: 'no_face',
    });

    const rows = await database.db
      .selectFrom('templates')
      .innerJoin('students', 'students.id', 'templates.student_id')
      .select(['students.student_number', 'templates.embedding', 'templates.model_id'])
      .orderBy('students.student_number')
      .execute();
    expect(new Set(rows.map((r) => r.model_id))).toEqual(new Set([engine.modelId]));
    const [a1, a2, b1] = rows.map((r) => embeddingFromBase64(r.embedding, engine.embeddingSize));
    const cos = (x: Float32Array, y: Float32Array) => x.reduce((sum, v, i) => sum + v * (y[i] ?? 0), 0);
    // The same person's two photos are closer than two different people.
    expect(cos(a1!, a2!)).toBeGreaterThan(cos(a1!, b1!));
    // Photos are discarded by default.
    expect(await database.db.selectFrom('photos').select('id').execute()).toEqual([]);

    // A second run finds the students and their photos: nothing is created or added again.
    const again = await importDirectory(database.db, engine, dir, {
      siteId: 'default',
      consent: true,
      now: () => new Date().toISOString(),
      maxPhotoBytes: PHOTO_LIMIT,
    });
    expect(again.map((s) => [s.folder, s.created, s.templates, s.alreadyImported])).toEqual([
      ['alice', false, 0, 2],
      ['bob', false, 0, 1],
    ]);
    expect(await database.db.selectFrom('students').select('id').execute()).toHaveLength(2);
    expect(await database.db.selectFrom('templates').select('id').execute()).toHaveLength(3);

    // Templates of an earlier server version carry no digest of their photo: the real engine gives
    // the same file the same face again, so they are recognised and not added a second time.
    await database.db.updateTable('templates').set({ photo_sha256: null }).execute();
    const afterUpgrade = await importDirectory(database.db, engine, dir, {
      siteId: 'default',
      consent: true,
      now: () => new Date().toISOString(),
      maxPhotoBytes: PHOTO_LIMIT,
    });
    expect(afterUpgrade.map((s) => [s.folder, s.templates, s.alreadyImported])).toEqual([
      ['alice', 0, 2],
      ['bob', 0, 1],
    ]);
    expect(await database.db.selectFrom('templates').select('id').execute()).toHaveLength(3);
  });

  it('without --consent creates students but stores no templates', async () => {
    const other = mkdtempSync(join(tmpdir(), 'rollcall-import-nc-'));
    try {
      mkdirSync(join(other, 'carol'));
      copyFileSync(join(FIXTURES, 'person-b-1.jpg'), join(other, 'carol', '1.jpg'));
      const result = await importDirectory(database.db, engine, other, {
        siteId: 'default',
        consent: false,
        now: () => new Date().toISOString(),
        maxPhotoBytes: PHOTO_LIMIT,
      });
      expect(result).toEqual([
        expect.objectContaining({
          folder: 'carol',
          created: true,
          templates: 0,
          skipped: expect.stringMatching(/no consent/),
        }),
      ]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('--consent never overrides the refusal on record for a student who exists', async () => {
    // The roster (or a parent's withdrawal in the console) says no; the photo folder of the whole
    // class is then imported with --consent. That student's face must not be enrolled.
    const other = mkdtempSync(join(tmpdir(), 'rollcall-import-refused-'));
    try {
      const now = new Date().toISOString();
      const refused = await createStudent(
        database.db,
        { siteId: 'default', studentNumber: 'R-404', name: 'Rae Fused', consent: false },
        null,
        now,
      );
      mkdirSync(join(other, 'R-404'));
      copyFileSync(join(FIXTURES, 'person-b-1.jpg'), join(other, 'R-404', '1.jpg'));
      const result = await importDirectory(database.db, engine, other, {
        siteId: 'default',
        consent: true,
        now: () => new Date().toISOString(),
        maxPhotoBytes: PHOTO_LIMIT,
      });
      expect(result).toEqual([
        expect.objectContaining({
          folder: 'R-404',
          created: false,
          templates: 0,
          skipped: expect.stringMatching(/record it on the student's page in the console/),
        }),
      ]);
      const row = await database.db
        .selectFrom('students')
        .select(['consent', 'consent_at'])
        .where('id', '=', refused.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ consent: 0, consent_at: null });
      expect(
        await database.db.selectFrom('templates').select('id').where('student_id', '=', refused.id).execute(),
      ).toEqual([]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
