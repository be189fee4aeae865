// The one owner of the kiosk database: opens it, sets pragmas, migrates before anything
// is served. Nothing else calls `new Database`.
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export class NewerDatabaseError extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `kiosk database is at schema version ${found}, but this app only knows up to ${supported}; ` +
        'it was written by a newer Rollcall. Update the app instead of downgrading the data.',
    );
    this.name = 'NewerDatabaseError';
  }
}

/**
 * Pragmas, chosen on purpose:
 * - WAL: the camera loop reads (templates, roster) while sync writes; readers never wait.
 * - synchronous=FULL: a mark is a fact the kiosk promised to deliver, and door kiosks get
 *   switched off at the wall. NORMAL in WAL mode may lose the last commits on power loss;
 *   FULL fsyncs each commit. Marks are a few per minute, so the cost is invisible.
 * - foreign_keys=ON: the outbox references the event it reports.
 * - busy_timeout: the scenario may read the file while the kiosk runs.
 */
/**
 * The kiosk's folder holds its device token and the students' face templates: private to the
 * kiosk's user (0700), whoever created it; created with that mode, tightened if it exists.
 */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** The database file 0600 before SQLite opens it; its -wal and -shm get the same mode from SQLite. */
function makePrivateFile(file: string): void {
  if (file === ':memory:' || file === '' || file.startsWith('file:')) return;
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}

export function openKioskDatabase(
  file: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Database.Database {
  makePrivateFile(file);
  const db = new Database(file);
  try {
    if (file !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function migrate(db: Database.Database, migrations: readonly Migration[]): number {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) throw new NewerDatabaseError(current, latest);
  const pending = [...migrations].filter((m) => m.version > current).sort((a, b) => a.version - b.version);
  for (const m of pending) {
    // Each migration and its version bump commit together, so a crash leaves either the old or the new schema.
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${Math.trunc(m.version)}`);
    })();
  }
  return latest;
}
