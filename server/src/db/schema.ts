// Row types of the server database, as kysely sees them. One schema for SQLite and
// PostgreSQL, so the types stick to what both store the same way:
// - ids are text (UUIDs made by the app), timestamps are ISO-8601 UTC text (sortable),
// - booleans are integers 0/1, JSON documents are text,
// - bigint sequences come back as numbers (the pg pool parses int8, see database.ts).

export interface SchemaVersionTable {
  id: number;
  version: number;
  applied_at: string;
}

export interface SiteTable {
  id: string;
  name: string;
  timezone: string;
  created_at: string;
  /** Minutes before a session's start from which arrivals count for it (migration 008). */
  arrival_minutes: number;
  /** Bumped by every calendar edit; sent to kiosks with the calendar (migration 008). */
  calendar_version: number;
}

export interface UserTable {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'teacher';
  password_hash: string;
  disabled: number;
  created_at: string;
  /** Bumped when the user is disabled, changes role or password: older tokens stop working (migration 005). */
  token_version: number;
}

export interface RefreshTokenTable {
  id: string;
  user_id: string;
  token_hash: string;
  /** Refresh tokens rotate; all tokens issued from one login share a family (reuse detection). */
  family_id: string;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
  created_at: string;
  /** The user's token_version when this token was issued; refresh refuses it once they differ. */
  token_version: number;
}

export interface RoomTable {
  id: string;
  site_id: string;
  name: string;
  created_at: string;
}

export interface StudentTable {
  id: string;
  site_id: string;
  student_number: string;
  name: string;
  email: string | null;
  guardian_email: string | null;
  consent: number;
  consent_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ClassTable {
  id: string;
  site_id: string;
  name: string;
  code: string | null;
  teacher_id: string | null;
  created_at: string;
  /** The class's own arrival window; null: the site's (migration 008). */
  arrival_minutes: number | null;
  /** When an admin archived it (no new sessions, hidden by default); null: active (migration 011). */
  archived_at: string | null;
}

export interface EnrolmentTable {
  id: string;
  class_id: string;
  student_id: string;
  created_at: string;
  /** First local date on the class list (inclusive); null: from `created_at` on (migration 008). */
  valid_from: string | null;
  /** Last local date on the class list (inclusive); null: still enrolled (migration 008). */
  valid_until: string | null;
}

export interface ScheduleTable {
  id: string;
  class_id: string;
  room_id: string;
  weekday: number | null;
  date: string | null;
  start_time: string;
  end_time: string;
  grace_minutes: number;
  created_at: string;
  /** Set when the schedule was removed; its versions say until when it met (migration 008). */
  ended_on: string | null;
  /** 1 when archiving its class ended it: unarchiving reopens it (migration 011). */
  archived_with_class: number;
  /**
   * JSON of its versions as they stood before archiving its class ended it, so unarchiving
   * restores them (future versions included); null otherwise (migration 012).
   */
  archived_versions: string | null;
}

/** One version of a schedule, in force from/until local dates inclusive (migration 008). */
export interface ScheduleVersionTable {
  id: string;
  schedule_id: string;
  valid_from: string | null;
  valid_until: string | null;
  room_id: string;
  weekday: number | null;
  date: string | null;
  start_time: string;
  end_time: string;
  grace_minutes: number;
  created_at: string;
}

export interface TermTable {
  id: string;
  site_id: string;
  name: string;
  start_date: string;
  end_date: string;
  created_at: string;
}
export interface ClosureTable {
  id: string;
  site_id: string;
  name: string;
  start_date: string;
  end_date: string;
  created_at: string;
}
/** A cancelled or moved single session `${schedule_id}@${date}` (migration 008). */
export interface SessionChangeTable {
  id: string;
  site_id: string;
  schedule_id: string;
  date: string;
  kind: 'cancelled' | 'moved';
  to_date: string | null;
  start_time: string | null;
  end_time: string | null;
  room_id: string | null;
  reason: string | null;
  created_at: string;
}

export interface TemplateTable {
  id: string;
  student_id: string;
  model_id: string;
  /** Float32 LE, base64: stored as the roster sends it, so a full pull does no re-encoding. */
  embedding: string;
  quality: number | null;
  /** 'door': a door capture kept by template freshness (repositories/door-templates.ts). */
  source: 'kiosk' | 'photo' | 'door';
  device_id: string | null;
  created_at: string;
  /**
   * SHA-256 (hex) of the photo file a `photo` template was made from; null for kiosk and door
   * templates and for photo templates older than migration 014. One per student and model.
   */
  photo_sha256: string | null;
}

export interface PhotoTable {
  id: string;
  student_id: string;
  template_id: string | null;
  mime: string;
  bytes: Buffer;
  created_at: string;
}

export interface DeviceTable {
  id: string;
  site_id: string;
  room_id: string;
  name: string;
  pairing_code_hash: string | null;
  pairing_expires_at: string | null;
  token_hash: string | null;
  paired_at: string | null;
  revoked_at: string | null;
  app_version: string | null;
  last_seen_at: string | null;
  queue_depth: number | null;
  /** Last KioskHealth the device reported, JSON. */
  health: string | null;
  created_at: string;
  /** The last_seen_at of the silence episode admins were emailed about (migration 009). */
  silence_alerted_for: string | null;
  /** The face model the kiosk last reported running (migration 010). */
  face_model_id: string | null;
  /** The kiosk clock's lead over the server's in ms, as it last reported it (migration 013). */
  clock_offset_ms: number | null;
  /** 1: an admin named it in the console, and pairing keeps that name (migration 015). */
  admin_named: number;
  /** The kiosk's camera status as it last reported it with a roster pull (migration 016). */
  camera_status: string | null;
  /** That camera's detail, the kiosk's words (migration 016). */
  camera_detail: string | null;
}

/** One-time admin-PIN recovery codes for a kiosk (migration 007). */
export interface PinRecoveryCodeTable {
  id: string;
  device_id: string;
  /** scrypt$N$r$p$salt$hash of the code (services/passwords.ts); the code is never stored. */
  code_hash: string;
  created_by: string | null;
  created_at: string;
  expires_at: string;
  /** When the kiosk reported it burnt (it opened the admin area with it). */
  used_at: string | null;
  /** When a newer code for the same device replaced it. */
  replaced_at: string | null;
}

export interface AttendanceEventTable {
  id: string;
  device_id: string | null;
  student_id: string;
  session_id: string | null;
  kind: 'mark' | 'manual' | 'undo' | 'exception';
  status: 'present' | 'late' | 'absent' | 'excused' | null;
  occurred_at: string;
  ref_id: string | null;
  scores: string | null;
  model_id: string | null;
  actor: string | null;
  reason: string | null;
  received_at: string;
}

/** The single row whose lock orders every roster change (see repositories/changes.ts). */
export interface ChangeCounterTable {
  id: number;
  last_seq: number;
}

export interface ChangeTable {
  seq: number;
  site_id: string;
  entity: 'student' | 'class' | 'enrolment' | 'room' | 'schedule' | 'template' | 'site' | 'calendar';
  entity_id: string;
  op: 'upsert' | 'delete';
  /** JSON of the roster record (null for a tombstone). */
  data: string | null;
  changed_at: string;
}

export interface AuditLogTable {
  id: string;
  at: string;
  /** `anonymous`: nobody signed in (a failed sign-in: whoever typed it is not known). */
  actor_kind: 'user' | 'device' | 'cli' | 'system' | 'anonymous';
  actor_id: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  detail: string | null;
}

export interface SettingTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface DB {
  schema_version: SchemaVersionTable;
  sites: SiteTable;
  users: UserTable;
  refresh_tokens: RefreshTokenTable;
  rooms: RoomTable;
  students: StudentTable;
  classes: ClassTable;
  enrolments: EnrolmentTable;
  schedules: ScheduleTable;
  schedule_versions: ScheduleVersionTable;
  terms: TermTable;
  closures: ClosureTable;
  session_changes: SessionChangeTable;
  templates: TemplateTable;
  photos: PhotoTable;
  devices: DeviceTable;
  pin_recovery_codes: PinRecoveryCodeTable;
  attendance_events: AttendanceEventTable;
  change_counter: ChangeCounterTable;
  changes: ChangeTable;
  audit_log: AuditLogTable;
  settings: SettingTable;
}
