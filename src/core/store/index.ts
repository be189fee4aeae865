// The kiosk store: one database, one owner, repositories over prepared statements.
import type Database from 'better-sqlite3';
import type { Settings } from '../../contracts/kiosk-api';
import { openKioskDatabase } from './open';
import { createRosterRepo } from './roster-repo';
import { createTemplateRepo } from './template-repo';
import { createAttendanceRepo } from './attendance-repo';
import { createAdminPinRepo } from './admin-pin';
import { createPinRecoveryRepo } from './pin-recovery';
import { createAuditRepo, createSettingsRepo, createSyncStateRepo } from './state-repo';

export { NewerDatabaseError, openKioskDatabase, migrate, makePrivateDir } from './open';
export { DEFAULT_ADMIN_PIN } from './admin-pin';
export type { TemplateRow } from './template-repo';
export type { LoggedEvent, RejectedEvent } from './attendance-repo';
export type { Student, Schedule, Room, ClassRow, Enrolment } from './roster-repo';
export type { SyncState, SyncKey } from './state-repo';

export interface KioskStoreOptions {
  /** Path of the SQLite file, or ':memory:' for tests. */
  file: string;
  defaultSettings: Settings;
  now: () => Date;
  /** The face model the default threshold/margin are calibrated for (see createSettingsRepo). */
  recognitionModelId?: string;
  /** Called once when a stored threshold/margin set under another model is ignored. */
  onStaleRecognition?: (storedFor: string | null) => void;
}

export function openKioskStore(opts: KioskStoreOptions) {
  const db: Database.Database = openKioskDatabase(opts.file);
  return {
    db,
    roster: createRosterRepo(db),
    templates: createTemplateRepo(db),
    attendance: createAttendanceRepo(db),
    sync: createSyncStateRepo(db),
    settings: createSettingsRepo(db, opts.defaultSettings, {
      ...(opts.recognitionModelId ? { recognitionModelId: opts.recognitionModelId } : {}),
      ...(opts.onStaleRecognition ? { onStaleRecognition: opts.onStaleRecognition } : {}),
    }),
    audit: createAuditRepo(db),
    pin: createAdminPinRepo(db, opts.now),
    pinRecovery: createPinRecoveryRepo(db, opts.now),
    /** Run synchronous work in one transaction (never pass async code). */
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    close: () => db.close(),
  };
}
export type KioskStore = ReturnType<typeof openKioskStore>;
