// Migration 4: how many lockouts in a row the admin PIN has had, so each lockout is longer
// than the last (5 min, 15 min, 1 h, 4 h, 24 h) and a restart does not start the ladder over.
// Never edit once shipped; add 0005 instead.
export const migration0004 = {
  version: 4,
  name: 'pin-lockouts',
  sql: `
ALTER TABLE admin_pin ADD COLUMN lockouts INTEGER NOT NULL DEFAULT 0;
`,
} as const;
