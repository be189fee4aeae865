// A forgotten admin PIN, end to end: the REAL server issues a one-time recovery code, the kiosk
// (createKiosk, real handlers and store) receives its hash by sync, the PIN pad takes the code
// once, opens "change PIN" without the current PIN, and the code is burnt and reported used.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, call, seed, type Seeded, type TestClock } from '../../server/test/app.js';
import { openSqlite, type Database } from '../../server/src/db/database.js';
import { RosterPage } from '../contracts/sync.js';
import { createKiosk } from '../core/index.js';
import { PIN_MAX_FAILURES } from '../core/store/admin-pin.js';
import { FakeFaceEngine } from '../core/testing/fake-engine.js';
import { silentLogger, testClock } from '../core/testing/fixtures.js';

const KIOSK_PIN = '480317';
const NEW_PIN = '730268';

interface Ctx {
  database: Database;
  app: FastifyInstance;
  serverClock: TestClock;
  ttlHours: number;
  seeded: Seeded;
  url: string;
  closers: { close(): Promise<void> }[];
}
let ctx: Ctx;

beforeEach(async () => {
  const database = openSqlite(':memory:');
  const t = await buildTestApp(database, { config: { accessTokenTtlSeconds: 7 * 86_400 } });
  const seeded = await seed(t, database, { students: 1 });
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  ctx = {
    database,
    app: t.app,
    serverClock: t.clock,
    ttlHours: t.config.pinRecoveryTtlHours,
    seeded,
    url: address,
    closers: [],
  };
});

afterEach(async () => {
  while (ctx.closers.length) await ctx.closers.pop()?.close();
  await ctx.app.close();
  await ctx.database.close();
});

async function pairedKiosk() {
  const clock = testClock(ctx.serverClock.now().toISOString());
  const k = createKiosk({
    dataDir: '/nonexistent',
    databaseFile: ':memory:',
    camera: 'none',
    engine: new FakeFaceEngine(),
    clock: clock.now,
    logger: silentLogger(),
    autoSync: false,
    adminPin: KIOSK_PIN,
    sync: { timeoutMs: 5000 },
  });
  ctx.closers.push(k);
  await k.ready;
  const device = await call<{ id: string; pairingCode: string }>(
    ctx.app,
    ctx.seeded.adminToken,
    'POST',
    '/api/devices',
    { roomId: ctx.seeded.roomId },
  );
  await k.sync.pair({ serverUrl: ctx.url, code: device.pairingCode, name: 'door' });
  return { k, h: k.handlers, clock, deviceId: device.id, sync: k.sync };
}

const issue = async (deviceId: string) => {
  const issued = await call<{ id: string; code: string }>(
    ctx.app,
    ctx.seeded.adminToken,
    'POST',
    `/api/devices/${deviceId}/pin-recovery`,
    undefined,
    [201],
  );
  return { id: issued.id, digits: issued.code.replace(/ /g, '') };
};
const serverCodes = (deviceId: string) =>
  call<{ id: string; state: string; usedAt: string | null }[]>(
    ctx.app,
    ctx.seeded.adminToken,
    'GET',
    `/api/devices/${deviceId}/pin-recovery`,
  );
/** A different code of the same length (wrong in its last digit). */
const wrong = (digits: string) => digits.slice(0, -1) + String((Number(digits.at(-1)) + 1) % 10);

describe('admin PIN recovery code', () => {
  it('issue → sync → the code unlocks into "change PIN" → new PIN set without the old → code burnt and reported used', async () => {
    const { h, deviceId, sync, k } = await pairedKiosk();
    const code = await issue(deviceId);
    // Not before the kiosk has synced: an offline kiosk cannot use a code.
    expect(await h.adminUnlock({ pin: code.digits })).toEqual({
      ok: true,
      value: { unlocked: false, lockedUntil: null, recovery: false },
    });
    await sync.syncNow();

    expect(await h.adminUnlock({ pin: code.digits })).toEqual({
      ok: true,
      value: { unlocked: true, lockedUntil: null, recovery: true },
    });
    expect(await h.adminStatus(undefined)).toEqual({
      ok: true,
      value: { factoryPin: false, pinRecovery: true },
    });
    // A weak PIN is still refused in the recovery flow; the recovery session survives it.
    expect(await h.adminChangePin({ newPin: '111111', confirmPin: '111111' })).toMatchObject({
      ok: false,
      error: { code: 'weak_pin' },
    });
    expect(await h.adminChangePin({ newPin: NEW_PIN, confirmPin: NEW_PIN })).toEqual({
      ok: true,
      value: { factoryPin: false, pinRecovery: false },
    });
    // The flow is one-off: the next change needs the current PIN again.
    expect(await h.adminChangePin({ newPin: '905127', confirmPin: '905127' })).toMatchObject({
      ok: false,
      error: { code: 'current_pin_required' },
    });

    await h.adminLock(undefined);
    expect(await h.adminUnlock({ pin: KIOSK_PIN })).toMatchObject({ value: { unlocked: false } });
    expect(await h.adminUnlock({ pin: NEW_PIN })).toMatchObject({
      value: { unlocked: true, recovery: false },
    });
    await h.adminLock(undefined);
    // Burnt: the same code does not open it twice.
    expect(await h.adminUnlock({ pin: code.digits })).toMatchObject({ value: { unlocked: false } });

    await sync.syncNow();
    expect(await serverCodes(deviceId)).toEqual([
      expect.objectContaining({ id: code.id, state: 'used', usedAt: expect.any(String) }),
    ]);
    expect(k.store.pinRecovery.pendingReports()).toEqual([]);
    const actions = k.store.audit.list(50).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['admin_unlock_recovery', 'pin_changed']));
    expect(
      sync
        .history(50)
        .filter((r) => r.kind === 'pin_recovery')
        .map((r) => r.detail),
    ).toEqual(
      expect.arrayContaining([expect.stringMatching(/received/), expect.stringMatching(/reported used/)]),
    );
    // A later pull (the server no longer offers it) keeps nothing live.
    await sync.syncNow();
    expect(k.store.pinRecovery.hasLive()).toBe(false);
  });

  it('wrong recovery codes count toward the normal lockout; the right code still opens a locked kiosk', async () => {
    const { h, deviceId, sync } = await pairedKiosk();
    const code = await issue(deviceId);
    await sync.syncNow();
    for (let i = 1; i < PIN_MAX_FAILURES; i++)
      expect(await h.adminUnlock({ pin: wrong(code.digits) })).toMatchObject({
        value: { unlocked: false, lockedUntil: null },
      });
    const last = await h.adminUnlock({ pin: wrong(code.digits) });
    expect(last).toMatchObject({ value: { unlocked: false, lockedUntil: expect.any(String) } });
    // A passer-by typing wrong PINs must not keep the admin out: the server-issued code opens it.
    expect(await h.adminUnlock({ pin: code.digits })).toMatchObject({
      value: { unlocked: true, recovery: true },
    });
  });

  it('an expired code does not open the admin area', async () => {
    const { h, deviceId, sync, clock } = await pairedKiosk();
    const code = await issue(deviceId);
    await sync.syncNow();
    clock.advance(ctx.ttlHours * 3_600_000 + 1000);
    expect(await h.adminUnlock({ pin: code.digits })).toMatchObject({ value: { unlocked: false } });
    // The server no longer offers it either; the kiosk drops it on its next pull.
    ctx.serverClock.advance(ctx.ttlHours * 3_600_000 + 1000);
    await sync.syncNow();
    expect((await serverCodes(deviceId))[0]?.state).toBe('expired');
  });

  it('a new code replaces the old one at the kiosk', async () => {
    const { h, deviceId, sync } = await pairedKiosk();
    const first = await issue(deviceId);
    await sync.syncNow();
    const second = await issue(deviceId);
    await sync.syncNow();
    expect(await h.adminUnlock({ pin: first.digits })).toMatchObject({ value: { unlocked: false } });
    expect(await h.adminUnlock({ pin: second.digits })).toMatchObject({
      value: { unlocked: true, recovery: true },
    });
    await sync.syncNow();
    expect((await serverCodes(deviceId)).map((c) => [c.id, c.state])).toEqual([
      [second.id, 'used'],
      [first.id, 'replaced'],
    ]);
  });

  it('a code burnt while the server is unreachable is reported on a later sync', async () => {
    const { h, deviceId, sync, k } = await pairedKiosk();
    const code = await issue(deviceId);
    await sync.syncNow();
    k.store.sync.set('serverUrl', 'http://127.0.0.1:9'); // nothing listens on the discard port
    expect(await h.adminUnlock({ pin: code.digits })).toMatchObject({
      value: { unlocked: true, recovery: true },
    });
    await sync.syncNow();
    expect(k.store.pinRecovery.pendingReports()).toHaveLength(1);
    expect((await serverCodes(deviceId))[0]?.state).toBe('pending');
    k.store.sync.set('serverUrl', ctx.url);
    // The unlock started a run of its own (to the dead address); a "sync now" during it only
    // queues one more, so the second call is the first run that sees the restored address.
    await sync.syncNow();
    await sync.syncNow();
    expect(k.store.pinRecovery.pendingReports()).toEqual([]);
    expect((await serverCodes(deviceId))[0]?.state).toBe('used');
  });

  it('older kiosks ignore the new field: the roster page of their contract strips it', async () => {
    const { deviceId } = await pairedKiosk();
    await issue(deviceId);
    const paired = await call<{ token: string }>(ctx.app, null, 'POST', '/api/devices/pair', {
      code: (
        await call<{ pairingCode: string }>(
          ctx.app,
          ctx.seeded.adminToken,
          'POST',
          `/api/devices/${deviceId}/pairing-code`,
        )
      ).pairingCode,
      name: 'door',
    });
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/api/sync/roster?since=0',
      headers: { authorization: `Bearer ${paired.token}` },
    });
    const body: unknown = res.json();
    expect(body).toHaveProperty('pinRecovery');
    const legacyPage = RosterPage.omit({ pinRecovery: true });
    const parsed = legacyPage.safeParse(body);
    expect(parsed.success).toBe(true);
    expect(parsed.data).not.toHaveProperty('pinRecovery');
  });
});
