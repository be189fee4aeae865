import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../server/src/db/database.js';
import { migrate } from '../server/src/db/migrate.js';
import { ingestAttendance } from '../server/src/repositories/attendance.js';
const dir = mkdtempSync(join(tmpdir(), 'cmp-'));
const database = openSqlite(join(dir, 'x.sqlite'));
await migrate(database);
const db = database.db;
const now = new Date().toISOString();
await db.insertInto('rooms').values({ id: 'r', site_id: 'default', name: 'r', created_at: now }).execute();
await db.insertInto('classes').values({ id: 'c', site_id: 'default', name: 'c', code: null, teacher_id: null, created_at: now }).execute();
await db.insertInto('schedules').values({ id: 'sch', class_id: 'c', room_id: 'r', weekday: 1, date: null, start_time: '08:30', end_time: '09:30', grace_minutes: 5, created_at: now }).execute();
const students = Array.from({ length: 500 }, (_, i) => `st${i}`);
for (const id of students) await db.insertInto('students').values({ id, site_id: 'default', student_number: id, name: id, email: null, guardian_email: null, consent: 1, consent_at: null, created_at: now, updated_at: now }).execute();
const mk = () => students.map((studentId) => ({ id: randomUUID(), kind: 'mark' as const, studentId, sessionId: 'sch@2026-09-07', status: 'present' as const, occurredAt: '2026-09-07T08:31:00Z', scores: { similarity: 0.7, margin: 0.2, votes: 4, window: 5 }, modelId: 'm' }));
const run = async (label: string, raw: boolean) => {
  const batches = Array.from({ length: 30 }, mk);
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (const b of batches) { const r = await ingestAttendance(db, b, { deviceId: null, siteId: 'default' }, now, raw ? database.sqlite : undefined); if (r.some((x) => x.status !== 'accepted')) throw new Error(JSON.stringify(r.find((x) => x.status !== 'accepted'))); }
  const c = process.cpuUsage(c0);
  console.log(label, 'wall', ((performance.now() - t0) / 30).toFixed(1), 'cpu', ((c.user + c.system) / 1000 / 30).toFixed(1));
};
for (let i = 0; i < 3; i++) { await run('kysely', false); await run('raw   ', true); }
await database.close();
