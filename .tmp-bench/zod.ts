import { randomUUID } from 'node:crypto';
import { PushAttendanceRequest } from '../src/contracts/sync.js';
const mk = () => { const events = []; for (let i = 0; i < 500; i++) events.push({ id: randomUUID(), kind: 'mark', studentId: randomUUID(), sessionId: randomUUID() + '@2026-09-07', status: 'present', occurredAt: '2026-09-07T08:31:00Z', scores: { similarity: 0.7, margin: 0.2, votes: 4, window: 5, liveness: 0.9, antispoof: 0.9, faceSize: 180 }, modelId: 'm' }); return { events, health: { appVersion: 'x', queueDepth: 3 } }; };
const bodies = Array.from({ length: 30 }, () => JSON.stringify(mk()));
const cpu = (label: string, fn: (b: string) => unknown) => { const c0 = process.cpuUsage(); for (const b of bodies) fn(b); const c = process.cpuUsage(c0); console.log(label, ((c.user + c.system) / 1000 / bodies.length).toFixed(2)); };
cpu('warm', (b) => PushAttendanceRequest.parse(JSON.parse(b)));
cpu('JSON.parse', (b) => JSON.parse(b));
cpu('JSON.parse+zod', (b) => PushAttendanceRequest.parse(JSON.parse(b)));
cpu('JSON.parse+zod', (b) => PushAttendanceRequest.parse(JSON.parse(b)));
