// Migration 5: the outbox of door captures offered as templates (template freshness,
// docs/recognition.md). Embeddings only, never a photo. A row stays after its answer, without its
// embedding, so the kiosk remembers whom it offered one for in the last 24 hours.
// Never edit once shipped; add 0006 instead.
export const migration0005 = {
  version: 5,
  name: 'door-captures',
  sql: `
CREATE TABLE door_captures (
  id TEXT PRIMARY KEY,
  student_id TEXT NOT NULL,
  model_id TEXT NOT NULL,
  embedding BLOB,
  similarity REAL NOT NULL,
  margin REAL NOT NULL,
  created_at TEXT NOT NULL,
  outcome TEXT
);
CREATE INDEX door_captures_by_student ON door_captures (student_id, created_at);
`,
} as const;
