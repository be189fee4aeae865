import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTestApp, seed, pairKiosk } from '../server/test/app.js';
import { openSqlite } from '../server/src/db/database.js';
import { migrate } from '../server/src/db/migrate.js';
const dir = mkdtempSync(join(tmpdir(), 'prof-'));
const database = openSqlite(join(dir, 'x.sqlite'));
await migrate(database);
const t = await buildTestApp(database as never, { processMetrics: false });
const s = await seed(t, database, { students: 500 });
const k = await pairKiosk(t.app, s.adminToken, s.roomId);
const bodies: string[] = [];
for (let b = 0; b < 40; b++) {
  const events = [];
  for (let i = 0; i < 500; i++) events.push({ id: randomUUID(), kind: 'mark', studentId: s.students[i]!.id, sessionId: s.sessionId, status: 'present', occurredAt: '2026-09-07T08:31:00Z', scores: { similarity: 0.7, margin: 0.2, votes: 4, window: 5 }, modelId: 'm' });
  bodies.push(JSON.stringify({ events, health: { appVersion: 'x', queueDepth: 3 } }));
}
const c0 = process.cpuUsage(); const t0 = performance.now();
for (const body of bodies) {
  const res = await t.app.inject({ method: 'POST', url: '/api/sync/attendance', headers: { authorization: `Bearer ${k.token}`, 'content-type': 'application/json' }, payload: body });
  if (res.statusCode !== 200) throw new Error(res.body);
}
const c = process.cpuUsage(c0);
console.log('wall ms/batch', (performance.now() - t0) / 40, 'cpu ms/batch', (c.user + c.system) / 1000 / 40);
await t.app.close(); await database.close();
