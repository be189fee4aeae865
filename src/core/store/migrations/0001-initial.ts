// Migration 1: the kiosk's first schema. Never edit once shipped; add 0002 instead.
//
// The roster mirror has no foreign keys to the server's ids on purpose: roster pages arrive
// in server order and a skipped invalid record must not make the rest of the page fail. The
// store cascades deletions itself (a deleted student loses templates and enrolments).
export const migration0001 = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE students (
  id TEXT PRIMARY KEY,
  student_number TEXT NOT NULL,
  name TEXT NOT NULL,
  consent INTEGER NOT NULL
);
CREATE TABLE classes (id TEXT PRIMARY KEY, name TEXT NOT NULL, code TEXT);
CREATE TABLE enrolments (
  id TEXT PRIMARY KEY,
  class_id TEXT NOT NULL,
  student_id TEXT NOT NULL
);
CREATE INDEX enrolments_by_class ON enrolments (class_id, student_id);
CREATE TABLE rooms (id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE schedules (
  id TEXT PRIMARY KEY,
  class_id TEXT NOT NULL,
  room_id TEXT NOT NULL,
  weekday INTEGER,
  date TEXT,
  start_time TEXT NOT NULL,
  end_time TEXT NOT NULL,
  grace_minutes INTEGER NOT NULL
);
CREATE INDEX schedules_by_room ON schedules (room_id);

-- Face templates: L2-normalised Float32 embeddings tagged with the model that made them.
-- origin 'server' came with the roster; 'local' were enrolled here and wait in the
-- template outbox until pushed = 1; pushed = -1 means the server rejected it (push_error says why).
CREATE TABLE templates (
  id TEXT PRIMARY KEY,
  student_id TEXT NOT NULL,
  model_id TEXT NOT NULL,
  embedding BLOB NOT NULL,
  quality REAL,
  origin TEXT NOT NULL CHECK (origin IN ('local', 'server')),
  pushed INTEGER NOT NULL DEFAULT 0,
  push_error TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX templates_by_student ON templates (student_id);
CREATE INDEX templates_unpushed ON templates (pushed) WHERE pushed = 0;

-- The local attendance log: append-only events (mark, manual, undo, exception).
CREATE TABLE attendance_events (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  student_id TEXT NOT NULL,
  session_id TEXT,
  status TEXT,
  occurred_at TEXT NOT NULL,
  ref_id TEXT,
  scores TEXT,
  model_id TEXT,
  actor TEXT,
  reason TEXT,
  synced INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attendance_by_session ON attendance_events (session_id, student_id);
CREATE INDEX attendance_by_time ON attendance_events (occurred_at);

-- Events waiting for the server. Written in the same transaction as the event itself;
-- deleted only when the server acknowledges (accepted or duplicate). Rejected rows stay,
-- with their reason, out of the push queue.
CREATE TABLE outbox (
  event_id TEXT PRIMARY KEY REFERENCES attendance_events (id),
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  rejected_reason TEXT,
  rejected_at TEXT
);

CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE sync_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  kind TEXT NOT NULL,
  ok INTEGER NOT NULL,
  detail TEXT NOT NULL
);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
-- One row: the admin PIN (scrypt) and its lockout counters.
CREATE TABLE admin_pin (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  salt TEXT NOT NULL,
  hash TEXT NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT
);
`,
} as const;
