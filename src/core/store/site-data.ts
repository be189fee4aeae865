// What a kiosk holds of the site it is paired with, as one thing: what is still waiting to reach
// that site's server, and wiping all of it when the kiosk is paired with another server or site
// (sync-service.ts `pair`). Kiosk-local things are not site data and stay: settings (but the
// Room setting, which names a room of the old site), the admin PIN and its lockout state, the
// audit log, sync history.
import type Database from 'better-sqlite3';
import type { SiteDataWiped, UnsentWork } from '../../sync/store-port.js';
import type { AttendanceRepo } from './attendance-repo.js';
import type { SettingsRepo } from './state-repo.js';

export type { SiteDataWiped, UnsentWork };

/**
 * The site's tables, children first (the outbox references the event it reports). The local
 * attendance log goes with the roster: it is the old site's record of who came in, with scores.
 * Recovery codes were issued by the old server for the old device: its admins must not open
 * this kiosk once it belongs to someone else.
 */
const SITE_TABLES = {
  outbox: 'outbox',
  attendanceEvents: 'attendance_events',
  templates: 'templates',
  doorCaptures: 'door_captures',
  enrolments: 'enrolments',
  schedules: 'schedules',
  classes: 'classes',
  rooms: 'rooms',
  students: 'students',
  pinRecoveryCodes: 'pin_recovery',
} as const satisfies Record<keyof SiteDataWiped, string>;

export function createSiteDataRepo(
  db: Database.Database,
  settings: SettingsRepo,
  attendance: Pick<AttendanceRepo, 'pendingCount'>,
) {
  const s = {
    // One enrolment stores several shots: what the admin did is enrol a student.
    enrolments: db
      .prepare("SELECT COUNT(DISTINCT student_id) FROM templates WHERE pushed = 0 AND origin = 'local'")
      .pluck(),
    doorCaptures: db.prepare('SELECT COUNT(*) FROM door_captures WHERE outcome IS NULL').pluck(),
  };
  const deletes = Object.entries(SITE_TABLES).map(
    ([key, table]) => [key as keyof SiteDataWiped, db.prepare(`DELETE FROM ${table}`)] as const,
  );
  return {
    /** What the push legs would still send to the paired server (rejected marks are not resent). */
    unsent: (): UnsentWork => ({
      marks: attendance.pendingCount(),
      enrolments: s.enrolments.get() as number,
      doorCaptures: s.doorCaptures.get() as number,
    }),
    /** Deletes every row of the site's data and answers how many went, per table. Call inside a transaction. */
    wipe(): SiteDataWiped {
      const wiped = {} as SiteDataWiped;
      for (const [key, del] of deletes) wiped[key] = del.run().changes;
      return wiped;
    },
    /**
     * The admin's Room setting outranks the paired room (kiosk.ts `placement`); one of the old
     * site's would match no session of the new one. Call inside the wipe's transaction.
     */
    clearRoomSetting(): string | null {
      const { roomId } = settings.get();
      if (roomId !== null) settings.update({ roomId: null });
      return roomId;
    },
  };
}
export type SiteDataRepo = ReturnType<typeof createSiteDataRepo>;
