import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../server/src/db/database.js';
import { migrate } from '../server/src/db/migrate.js';
for (const mode of ['NORMAL', 'OFF', 'NORMAL-bigckpt', 'NORMAL']) {
  const dir = mkdtempSync(join(tmpdir(), 'io-'));
  const file = join(dir, 'x.sqlite');
  const database = openSqlite(file); await migrate(database); await database.close();
  const raw = new BetterSqlite3(file); raw.pragma('journal_mode = WAL'); raw.pragma(`synchronous = ${mode.startsWith('OFF') ? 'OFF' : 'NORMAL'}`);
  if (mode.includes('bigckpt')) raw.pragma('wal_autocheckpoint = 100000');
  raw.prepare("insert into students (id, site_id, student_number, name, consent, created_at, updated_at) values ('s1','default','1','x',1,'x','x')").run();
  const row = () => [randomUUID(), null, 's1', 'sch@2026-09-07', 'mark', 'present', '2026-09-07T08:31:00.000Z', null, '{"similarity":0.7,"margin":0.2,"votes":4,"window":5}', 'm', null, null, new Date().toISOString()];
  const multi = raw.prepare(`insert into attendance_events (id,device_id,student_id,session_id,kind,status,occurred_at,ref_id,scores,model_id,actor,reason,received_at) values ${Array.from({ length: 500 }, () => `(${Array(13).fill('?').join(',')})`).join(',')} on conflict(id) do nothing returning id`);
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < 100; i++) multi.all(...Array.from({ length: 500 }, row).flat());
  const c = process.cpuUsage(c0);
  console.log(mode, 'wall ms/batch', ((performance.now() - t0) / 100).toFixed(1), 'cpu', ((c.user + c.system) / 1000 / 100).toFixed(1));
  raw.close();
}
