// The kiosk store: one database, one owner, repositories over prepared statements.
import type Database from 'better-sqlite3';
import type { Settings } from '../../contracts/kiosk-api.js';
import { openKioskDatabase } from './open.js';
import { createRosterRepo } from './roster-repo.js';
import { createTemplateRepo } from './template-repo.js';
import { createDoorCaptureRepo } from './door-capture-repo.js';
import { createAttendanceRepo } from './attendance-repo.js';
import { createAdminPinRepo } from './admin-pin.js';
import { createPinRecoveryRepo } from './pin-recovery.js';
import { createSiteDataRepo } from './site-data.js';
import { createAuditRepo, createSettingsRepo, createSyncStateRepo } from './state-repo.js';

export { NewerDatabaseError, openKioskDatabase, migrate, makePrivateDir } from './open.js';
export { DEFAULT_ADMIN_PIN } from './admin-pin.js';
export type { TemplateRow } from './template-repo.js';
export type { DoorCapture } from './door-capture-repo.js';
export type { LoggedEvent, RejectedEvent } from './attendance-repo.js';
export type { Student, Schedule, Room, ClassRow, Enrolment } from './roster-repo.js';
export type { SyncState, SyncKey } from './state-repo.js';
export type { SiteDataWiped, UnsentWork } from './site-data.js';

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
  const settings = createSettingsRepo(db, opts.defaultSettings, {
    ...(opts.recognitionModelId ? { recognitionModelId: opts.recognitionModelId } : {}),
    ...(opts.onStaleRecognition ? { onStaleRecognition: opts.onStaleRecognition } : {}),
  });
  const attendance = createAttendanceRepo(db);
  return {
    db,
    roster: createRosterRepo(db),
    templates: createTemplateRepo(db),
    doorCaptures: createDoorCaptureRepo(db),
    attendance,
    sync: createSyncStateRepo(db),
    settings,
    audit: createAuditRepo(db),
    pin: createAdminPinRepo(db, opts.now),
    pinRecovery: createPinRecoveryRepo(db, opts.now),
    siteData: createSiteDataRepo(db, settings, attendance),
    /** Run synchronous work in one transaction (never pass async code). */
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    close: () => db.close(),
  };
}
export type KioskStore = ReturnType<typeof openKioskStore>;
