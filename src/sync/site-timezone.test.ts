// A site's time zone corrected on the server reaches paired kiosks through the roster feed
// (entity 'site'): a whole kiosk (createKiosk) against the REAL server, with the fault proxy
// in between to hand the kiosk records the server itself would never send.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, call, seed, type Seeded } from '../../server/test/app.js';
import { openSqlite, type Database } from '../../server/src/db/database.js';
import { createKiosk } from '../core/index.js';
import { FakeFaceEngine } from '../core/testing/fake-engine.js';
import { startFaultProxy, type FaultProxy } from './testing/fault-proxy.js';

// Monday 20:40 UTC is already Tuesday 08:40 in Auckland (NZST, UTC+12, before NZ's DST).
const AT = '2026-09-07T20:40:00.000Z';
const now = () => new Date(AT);

interface Ctx {
  database: Database;
  app: FastifyInstance;
  seeded: Seeded;
  proxy: FaultProxy;
  /** The seeded class's Monday-evening and Tuesday-morning schedules in the seeded room. */
  monday: string;
  tuesday: string;
  closers: { close(): Promise<void> }[];
}
let ctx: Ctx;

beforeEach(async () => {
  const database = openSqlite(':memory:');
  const t = await buildTestApp(database);
  const seeded = await seed(t, database, { students: 1 });
  const schedule = (weekday: number, startTime: string, endTime: string) =>
    call<{ id: string }>(t.app, seeded.adminToken, 'POST', `/api/classes/${seeded.classId}/schedules`, {
      roomId: seeded.roomId,
      weekday,
      startTime,
      endTime,
      graceMinutes: 5,
    });
  const monday = (await schedule(1, '20:00', '21:00')).id;
  const tuesday = (await schedule(2, '08:30', '09:15')).id;
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const proxy = await startFaultProxy(address);
  ctx = { database, app: t.app, seeded, proxy, monday, tuesday, closers: [] };
});

afterEach(async () => {
  while (ctx.closers.length) await ctx.closers.pop()?.close();
  await ctx.proxy.close();
  await ctx.app.close();
  await ctx.database.close();
});

/** A paired kiosk whose log lines (pino JSON) are kept for the test to read. */
async function pairedKiosk() {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  const k = createKiosk({
    dataDir: '/nonexistent',
    databaseFile: ':memory:',
    camera: 'push',
    engine: new FakeFaceEngine(),
    clock: now,
    logger: pino({ level: 'info' }, sink),
    autoSync: false,
    sync: { timeoutMs: 2000 },
  });
  ctx.closers.push(k);
  await k.ready;
  const device = await call<{ pairingCode: string }>(ctx.app, ctx.seeded.adminToken, 'POST', '/api/devices', {
    roomId: ctx.seeded.roomId,
  });
  await k.sync.pair({ serverUrl: ctx.proxy.url, code: device.pairingCode, name: 'door' });
  const sessionId = () => k.state().session?.sessionId ?? null;
  return { k, store: k.store, sync: k.sync, sessionId, lines };
}

const siteRecord = (seq: number, id: string, timezone: string) => ({
  seq,
  entity: 'site',
  op: 'upsert',
  id,
  data: { id, name: 'x', timezone },
});

describe('site time zone through the roster feed', () => {
  it('an admin corrects the zone: after the next sync the kiosk computes session ids in the new zone', async () => {
    const { store, sync, sessionId } = await pairedKiosk();
    expect(store.sync.get('timezone')).toBe('UTC');
    expect(sessionId()).toBe(`${ctx.monday}@2026-09-07`);

    await call(ctx.app, ctx.seeded.adminToken, 'PATCH', '/api/sites/default', {
      timezone: 'Pacific/Auckland',
    });
    // Not before the kiosk has heard of it.
    expect(sessionId()).toBe(`${ctx.monday}@2026-09-07`);
    const r = await sync.syncNow();
    expect(r).toMatchObject({ ok: true, pulled: { applied: 1, skipped: [] } });
    expect(store.sync.get('timezone')).toBe('Pacific/Auckland');
    expect(sessionId()).toBe(`${ctx.tuesday}@2026-09-08`);
    expect(sync.history().find((h) => h.kind === 'site')).toMatchObject({
      ok: true,
      detail: expect.stringContaining('UTC → Pacific/Auckland'),
    });

    // The change is applied once: the next run pulls nothing and writes no new site line.
    const historyBefore = sync.history().length;
    expect((await sync.syncNow()).pulled.applied).toBe(0);
    expect(sync.history().filter((h) => h.kind === 'site')).toHaveLength(1);
    expect(sync.history().length).toBe(historyBefore);
  });

  it('a zone this kiosk does not know is refused: the old zone stays, an error is logged, the rest of the page applies', async () => {
    const { store, sync, sessionId, lines } = await pairedKiosk();
    const seq = Number(store.sync.get('cursor')) + 1;
    ctx.proxy.inject('/api/sync/roster', {
      kind: 'status',
      status: 200,
      body: {
        changes: [
          siteRecord(seq, 'default', 'Mars/Olympus'),
          { seq: seq + 1, entity: 'room', op: 'upsert', id: 'r9', data: { id: 'r9', name: 'Annex' } },
        ],
        cursor: String(seq + 1),
        hasMore: false,
      },
    });
    const r = await sync.syncNow();
    expect(r.ok).toBe(true);
    expect(r.pulled.applied).toBe(1);
    expect(r.pulled.skipped).toEqual([
      {
        seq,
        entity: 'site',
        id: 'default',
        reason: expect.stringContaining('"Mars/Olympus" is not an IANA time zone'),
      },
    ]);
    expect(store.sync.get('timezone')).toBe('UTC');
    expect(store.roster.getRoom('r9')?.name).toBe('Annex');
    expect(store.sync.get('cursor')).toBe(String(seq + 1));
    expect(sessionId()).toBe(`${ctx.monday}@2026-09-07`);
    expect(lines.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([
      'site settings from the server were refused; keeping the current time zone',
    ]);
    expect(sync.history().find((h) => h.kind === 'site')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('keeping time zone UTC'),
    });
    // The loop goes on: the next run is a normal one.
    expect(await sync.syncNow()).toMatchObject({ ok: true, error: null });
  });

  it('a site record for another site, or a site tombstone, is ignored', async () => {
    const { store, sync, sessionId } = await pairedKiosk();
    const seq = Number(store.sync.get('cursor')) + 1;
    ctx.proxy.inject('/api/sync/roster', {
      kind: 'status',
      status: 200,
      body: {
        changes: [
          siteRecord(seq, 'north', 'Pacific/Auckland'),
          { seq: seq + 1, entity: 'site', op: 'delete', id: 'default' },
        ],
        cursor: String(seq + 1),
        hasMore: false,
      },
    });
    const r = await sync.syncNow();
    expect(r.ok).toBe(true);
    expect(r.pulled.skipped.map((s) => [s.id, s.reason])).toEqual([
      ['north', "site north is not this kiosk's site (default); ignored"],
      ['default', 'a site cannot be deleted; keeping its time zone'],
    ]);
    expect(store.sync.get('timezone')).toBe('UTC');
    expect(sessionId()).toBe(`${ctx.monday}@2026-09-07`);
  });
});
