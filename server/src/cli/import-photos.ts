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
import {
  addPhotoTemplate,
  engineStoppedMessage,
  notProcessed,
  type PhotoResult,
} from '../services/photo-templates.js';

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
 * The face engine failed part-way (its worker crashed or exited): the import stopped there.
 * `students` is what it did up to then (the folder it was in lists its remaining photos
 * `not_processed`); `notProcessed` counts those and the image files of the folders it never
 * reached. That is an upper bound when there were such folders (`atMost`): some of them would
 * have been skipped (no consent, photos already imported), which is known only by doing them.
 * Nothing is lost: a run again skips what was added and does the rest.
 */
export class FaceEngineStopped extends Error {
  constructor(
    readonly students: StudentImport[],
    readonly notProcessed: number,
    readonly atMost = false,
  ) {
    super(engineStoppedMessage(notProcessed, 'import', { atMost }));
    this.name = 'FaceEngineStopped';
  }
}

/** The image files of a student's folder, in the order the import takes them. */
async function photoFiles(dir: string, folder: string): Promise<string[]> {
  return (await readdir(join(dir, folder)))
    .filter((f) => IMAGE_TYPES[extname(f).toLowerCase()] !== undefined)
    .sort();
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
  const folders = entries.map((e) => e.name);
  const out: StudentImport[] = [];
  // The folder being imported, as far as it got: a student it created and the templates it
  // added are in the summary even if the import stops before the folder is done.
  let current: StudentImport | null = null;
  let failure: unknown = null;
  try {
    for (const [index, entry] of entries.entries()) {
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
      const results: PhotoResult[] = [];
      current = { folder, studentId, created: !existing, templates: 0, alreadyImported: 0, photos: results };
      if (!consent) {
        out.push({
          ...current,
          skipped:
            "no consent on record: if it was given, record it on the student's page in the console or in the " +
            'roster CSV, then import again (--consent covers only the students an import creates)',
        });
        current = null;
        continue;
      }
      const files = await photoFiles(dir, folder);
      // One photo at a time, each checked before it is read: the folder's size is not the memory's.
      for (const [at, f] of files.entries()) {
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
        const done = await addPhotoTemplate(db, engine, studentId, photo, options.now());
        results.push(done);
        if (done.status === 'not_processed') {
          // The engine is down: every photo after this one would fail the same way. Stop, and
          // say how many photos were not processed, here and (at most) in the folders not reached.
          for (const rest of files.slice(at + 1)) results.push(notProcessed(rest, done.stop));
          const count = results.filter((r) => r.status === 'not_processed').length;
          let later = 0;
          for (const next of entries.slice(index + 1)) later += (await photoFiles(dir, next.name)).length;
          throw new FaceEngineStopped([...out, tally(current)], count + later, later > 0);
        }
      }
      out.push(tally(current));
      current = null;
    }
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    // The summary is written however the import ends, so every student and template it added
    // has its row ("no change without its row"); a failure says so, and what was done before it.
    await writeSummary(db, dir, options, current ? [...out, tally(current)] : out, failure, folders);
  }
  return out;
}

/** The folder's counts from its photos' results. */
const tally = (s: StudentImport): StudentImport => ({
  ...s,
  templates: s.photos.filter((p) => p.status === 'accepted').length,
  alreadyImported: s.photos.filter((p) => p.status === 'duplicate').length,
});

async function writeSummary(
  db: Kysely<DB>,
  dir: string,
  options: ImportOptions,
  done: readonly StudentImport[],
  failure: unknown,
  folders: readonly string[],
): Promise<void> {
  const detail = {
    dir,
    students: done.length,
    created: done.filter((s) => s.created).length,
    templates: done.reduce((n, s) => n + s.templates, 0),
    alreadyImported: done.reduce((n, s) => n + s.alreadyImported, 0),
    consent: options.consent,
    ...(failure instanceof FaceEngineStopped ? { notProcessed: failure.notProcessed } : {}),
    ...(failure === null ? {} : { error: failureWords(failure, folders) }),
  };
  try {
    await writeAudit(
      db,
      {
        actor: { kind: 'cli', id: null },
        action: 'students.import',
        entity: 'student',
        entityId: null,
        detail,
      },
      options.now(),
    );
  } catch (auditErr) {
    if (failure === null) throw auditErr;
    // The import's own error is the one to see; the lost summary is said alongside it.
    throw new AggregateError(
      [failure, auditErr],
      'the photo import stopped part-way and its audit row could not be written',
    );
  }
}

/**
 * What stopped the import, for the log: its message without the folder names, which are
 * student numbers (the log keeps ids and counts about students, never a number), and short.
 */
function failureWords(failure: unknown, folders: readonly string[]): string {
  let message = failure instanceof Error ? failure.message : String(failure);
  for (const folder of [...folders].sort((a, b) => b.length - a.length))
    message = message.split(folder).join('…');
  return message.length > 200 ? `${message.slice(0, 199)}…` : message;
}
