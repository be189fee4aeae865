// What the sync client needs from the kiosk's store, declared here so that the dependency
// runs one way: the kiosk core (which owns the SQLite store) depends on sync, and sync knows
// the store only through this port. The core's store satisfies it structurally; passing the
// store to SyncService is the compile-time check.
import type { z } from 'zod';
import type { UnsentCounts } from '../contracts/kiosk-api.js';
import type {
  AttendanceEvent,
  PinRecoveryOffer,
  RosterClass,
  RosterEnrolment,
  RosterRoom,
  RosterSchedule,
  RosterStudent,
} from '../contracts/sync.js';

export const SYNC_KEYS = [
  'serverUrl',
  'deviceToken',
  'deviceId',
  'siteId',
  'roomId',
  'timezone',
  // The kiosk's name as the server last told it (at pairing, then on every roster page), for
  // people: the Sync tab names the kiosk the way the console does. Null: a server too old to
  // send it. (Its room's name is the roster's.)
  'deviceName',
  // The paired room's name as the pairing answer gave it: the Sync tab names the room by it
  // until the first pull brings the roster's room (whose name then wins). Null: a server too old
  // to send it.
  'pairedRoomName',
  'cursor',
  'lastPushAt',
  'lastPullAt',
  'lastError',
  'calendar',
  'arrivalMinutes',
  'serverCertFingerprint',
  'serverCertPem',
  // Template freshness, the server's admin setting as the roster last brought it: '1' on, '0'
  // off, null never told (an older server): only '1' lets the door offer captures.
  'doorTemplates',
  // The kiosk clock's lead over the server's in ms at the last contact (clock-offset.ts), or null.
  'clockOffsetMs',
] as const;
export type SyncKey = (typeof SYNC_KEYS)[number];
export type SyncState = Record<SyncKey, string | null>;

export interface SyncHistoryRow {
  at: string;
  kind: string;
  ok: boolean;
  detail: string;
}

export interface OutboxTemplate {
  id: string;
  studentId: string;
  modelId: string;
  embedding: Float32Array;
  quality: number | null;
  createdAt: string;
}

/** A door capture waiting to be offered as a template (template freshness). */
export interface DoorCapture {
  id: string;
  studentId: string;
  modelId: string;
  embedding: Float32Array;
  similarity: number;
  margin: number;
  createdAt: string;
}

/** What the push legs would still send to the paired server: the reason pairing elsewhere asks first. */
export type UnsentWork = UnsentCounts;

/** Rows deleted per table when pairing with another server or site wiped the old site's data. */
export interface SiteDataWiped {
  students: number;
  classes: number;
  enrolments: number;
  rooms: number;
  schedules: number;
  templates: number;
  doorCaptures: number;
  attendanceEvents: number;
  outbox: number;
  pinRecoveryCodes: number;
}

export type PushResult = { id: string; status: 'accepted' | 'duplicate' | 'rejected'; reason?: string };

export interface SyncStore {
  sync: {
    get(key: SyncKey): string | null;
    set(key: SyncKey, value: string | null): void;
    setMany(values: Partial<SyncState>): void;
    all(): SyncState;
    addHistory(at: string, kind: string, ok: boolean, detail: string): void;
    history(limit?: number): SyncHistoryRow[];
  };
  attendance: {
    pending(limit: number): { eventId: string; event: AttendanceEvent | null }[];
    pendingCount(): number;
    rejectedCount(): number;
    bumpAttempts(ids: string[]): void;
    applyResults(results: PushResult[], at: string): void;
  };
  templates: {
    unpushed(limit: number): OutboxTemplate[];
    countUnpushed(): number;
    countRejected(): number;
    markPushed(id: string): void;
    markRejected(id: string, reason: string): void;
    upsert(t: OutboxTemplate & { origin: 'local' | 'server' }): void;
    delete(id: string): void;
  };
  doorCaptures: {
    pending(limit: number): DoorCapture[];
    answer(id: string, outcome: string): void;
    dropPending(outcome: string): void;
  };
  roster: {
    upsertStudent(v: z.infer<typeof RosterStudent>): void;
    deleteStudent(id: string): void;
    upsertClass(v: z.infer<typeof RosterClass>): void;
    deleteClass(id: string): void;
    upsertEnrolment(v: z.infer<typeof RosterEnrolment>): void;
    deleteEnrolment(id: string): void;
    upsertRoom(v: z.infer<typeof RosterRoom>): void;
    deleteRoom(id: string): void;
    getRoom(id: string): { id: string; name: string } | null;
    upsertSchedule(v: z.infer<typeof RosterSchedule>): void;
    deleteSchedule(id: string): void;
  };
  pinRecovery: {
    applyOffer(offer: PinRecoveryOffer | null | undefined): 'unchanged' | 'received' | 'withdrawn';
    pendingReports(): { id: string; used_at: string }[];
    markReported(id: string): void;
  };
  siteData: {
    unsent(): UnsentWork;
    /** Deletes all of the paired site's data; call inside `transaction`. */
    wipe(): SiteDataWiped;
    /** Clears the admin's Room setting (a room of the old site) and answers the room it named, if any. */
    clearRoomSetting(): string | null;
  };
  audit: { record(at: string, action: string, detail?: Record<string, unknown>): void };
  /** Run synchronous work in one transaction (never pass async code). */
  transaction<T>(fn: () => T): T;
}
