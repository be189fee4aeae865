// What a photo folder from elsewhere may hold: a file too large to be a photo, a folder or a
// dangling link is reported and never read, and the import goes on (the real engine's runs are in import-photos.test.ts).
import {
  closeSync,
  copyFileSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeFaceEngine } from '../../test/app.js';
import { openTestSqlite, type TestDatabase } from '../../test/databases.js';
import { importDirectory } from './import-photos.js';

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/faces');
const PHOTO_LIMIT = 1024 * 1024;

/** A file of `bytes` that takes no disk space (sparse). */
function emptyFileOfSize(path: string, bytes: number) {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
}

describe('server:import and files too large to be photos', () => {
  let database: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rollcall-import-limits-'));
    mkdirSync(join(dir, 'a1'));
    copyFileSync(join(FIXTURES, 'person-a-1.jpg'), join(dir, 'a1', 'face.jpg'));
    mkdirSync(join(dir, 'b2'));
    // Larger than Node can read into one buffer, and just over the limit.
    emptyFileOfSize(join(dir, 'b2', 'huge.jpg'), 3 * 1024 ** 3);
    emptyFileOfSize(join(dir, 'b2', 'large.jpg'), PHOTO_LIMIT + 1);
    copyFileSync(join(FIXTURES, 'person-b-1.jpg'), join(dir, 'b2', 'small.jpg'));
    mkdirSync(join(dir, 'b2', 'folder.jpg'));
    // A link whose target is gone (a photo deleted after the folder was copied).
    symlinkSync(join(dir, 'missing.jpg'), join(dir, 'b2', 'broken.jpg'));
    database = await openTestSqlite();
  });
  afterAll(async () => {
    await database?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports them and imports the rest of the folder and the folders after it', async () => {
    const result = await importDirectory(database.db, fakeFaceEngine(), dir, {
      siteId: 'default',
      consent: true,
      now: () => new Date().toISOString(),
      maxPhotoBytes: PHOTO_LIMIT,
    });
    expect(result.map((s) => [s.folder, s.templates])).toEqual([
      ['a1', 1],
      ['b2', 1],
    ]);
    expect(result[1]?.photos.map((p) => [p.filename, p.status, p.reason?.split(':')[0]])).toEqual([
      ['broken.jpg', 'rejected', 'unreadable'],
      ['folder.jpg', 'rejected', 'not_a_file'],
      ['huge.jpg', 'rejected', 'too_large'],
      ['large.jpg', 'rejected', 'too_large'],
      ['small.jpg', 'accepted', undefined],
    ]);
    const audit = await database.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'students.import')
      .execute();
    expect(audit).toHaveLength(1);
  });
});
