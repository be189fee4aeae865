// The work behind `npm run server:import`: one folder per student under `dir`; the folder
// name is the student number (and the name, unless a student with that number exists).
// Each image becomes a template through the same path as POST /api/students/:id/photos, which
// also makes a re-run safe: a photo the student already has a template from is skipped
// (`duplicate`, counted in `alreadyImported`), so an admin can import the folder again after
// adding photos or after a run that stopped half-way, and only the new photos are added.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Kysely } from 'kysely';
import type { FaceEngine } from '../../../src/ml/types.js';
import type { DB } from '../db/schema.js';
import { writeAudit } from '../repositories/audit.js';
import { createStudent } from '../repositories/students.js';
import { addPhotoTemplates, type PhotoResult } from '../services/photo-templates.js';

const IMAGE_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
};

export interface ImportOptions {
  siteId: string;
  /**
   * The importer states that consent was given (recorded with the import time) for the students
   * the import creates; an existing student's recorded consent is never changed.
   */
  consent: boolean;
  now: () => string;
  /**
   * Larger files are reported `too_large` and never read: the upload route's limit
   * (PHOTO_LIMIT_BYTES), so a folder from elsewhere cannot hold one file the size of the memory.
   */
  maxPhotoBytes: number;
}

export interface StudentImport {
  folder: string;
  studentId: string;
  created: boolean;
  /** Templates this run added. */
  templates: number;
  /** Photos skipped because the student already has a template from that file (an earlier run). */
  alreadyImported: number;
  skipped?: string;
  photos: PhotoResult[];
}

/**
 * The photo's bytes, or why the file is not taken as one: not a plain file, over the size limit
 * (checked before reading), or unreadable (a dangling link, no permission). One bad file is
 * reported with the rest of the folder's results; it never stops the import.
 */
async function readPhoto(path: string, maxBytes: number): Promise<{ bytes: Buffer } | { refused: string }> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return { refused: 'not_a_file' };
    if (info.size > maxBytes)
      return { refused: `too_large: ${info.size} bytes, more than the ${maxBytes} a photo may have` };
    return { bytes: await readFile(path) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    return { refused: `unreadable: ${code}` };
  }
}

export async function importDirectory(
  db: Kysely<DB>,
  engine: FaceEngine,
  dir: string,
  options: ImportOptions,
): Promise<StudentImport[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter(
    (e) => e.isDirectory() && !e.name.startsWith('.') && !e.name.startsWith('_'),
  );
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const out: StudentImport[] = [];
  for (const entry of entries) {
    const folder = entry.name;
    const existing = await db
      .selectFrom('students')
      .selectAll()
      .where('site_id', '=', options.siteId)
      .where('student_number', '=', folder)
      .executeTakeFirst();
    let studentId: string;
    let consent: boolean;
    if (existing) {
      // A student who exists keeps the consent on record (a roster's "no", a withdrawal in the
      // console): --consent speaks for the students this import creates, never over a refusal.
      studentId = existing.id;
      consent = existing.consent === 1;
    } else {
      const name = folder.replace(/[_-]+/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
      const student = await createStudent(
        db,
        { siteId: options.siteId, studentNumber: folder, name, consent: options.consent },
        null, // the import writes one `students.import` entry for all of them
        options.now(),
      );
      studentId = student.id;
      consent = student.consent;
    }
    if (!consent) {
      out.push({
        folder,
        studentId,
        created: !existing,
        templates: 0,
        alreadyImported: 0,
        skipped:
          "no consent on record: if it was given, record it on the student's page in the console or in the " +
          'roster CSV, then import again (--consent covers only the students an import creates)',
        photos: [],
      });
      continue;
    }
    const files = (await readdir(join(dir, folder)))
      .filter((f) => IMAGE_TYPES[extname(f).toLowerCase()] !== undefined)
      .sort();
    // One photo at a time, each checked before it is read: the folder's size is not the memory's.
    const results: PhotoResult[] = [];
    for (const f of files) {
      const path = join(dir, folder, f);
      const read = await readPhoto(path, options.maxPhotoBytes);
      if ('refused' in read) {
        results.push({ filename: f, status: 'rejected', reason: read.refused });
        continue;
      }
      const photo = {
        filename: f,
        mime: IMAGE_TYPES[extname(f).toLowerCase()] as string,
        bytes: read.bytes,
      };
      results.push(...(await addPhotoTemplates(db, engine, studentId, [photo], options.now())));
    }
    out.push({
      folder,
      studentId,
      created: !existing,
      templates: results.filter((r) => r.status === 'accepted').length,
      alreadyImported: results.filter((r) => r.status === 'duplicate').length,
      photos: results,
    });
  }
  await writeAudit(
    db,
    {
      actor: { kind: 'cli', id: null },
      action: 'students.import',
      entity: 'student',
      entityId: null,
      detail: {
        dir,
        students: out.length,
        created: out.filter((s) => s.created).length,
        templates: out.reduce((n, s) => n + s.templates, 0),
        alreadyImported: out.reduce((n, s) => n + s.alreadyImported, 0),
        consent: options.consent,
      },
    },
    options.now(),
  );
  return out;
}
