// Migration 3: the school year (roster feed 2). Schedules keep their versions (valid from/until,
// JSON as the server sent them) and classes their arrival window override; the site's calendar
// and default arrival window live in sync state. Existing rows keep working: a schedule without
// versions is one open version, a class without an override uses the site's window.
// Never edit once shipped; add 0004 instead.
export const migration0003 = {
  version: 3,
  name: 'school-year',
  sql: `
ALTER TABLE schedules ADD COLUMN versions TEXT;
ALTER TABLE classes ADD COLUMN arrival_minutes INTEGER;
`,
} as const;
