// Migration 2: admin-PIN recovery codes received from the server (RosterPage.pinRecovery).
// A code is kept after use until the server has acknowledged the report, and after that so a
// later pull that still carries the same id (sent before the report landed) cannot revive it.
// Never edit once shipped; add 0003 instead.
export const migration0002 = {
  version: 2,
  name: 'pin-recovery',
  sql: `
CREATE TABLE pin_recovery (
  id TEXT PRIMARY KEY,
  code_hash TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  used_at TEXT,
  reported_at TEXT
);
`,
} as const;
