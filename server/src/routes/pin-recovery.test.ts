// Admin-PIN recovery codes for a kiosk: issued by an admin (shown once, stored hashed), offered
// to that device only on its roster pulls, reported used by the device, replaced and expired.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIN_RECOVERY_CODE_DIGITS, RosterPage } from '../../../src/contracts/sync.js';
import { verifyPassword } from '../services/passwords.js';
import { bearer, buildTestApp, call, pairKiosk, seed, type Seeded, type TestApp } from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';

const dialects = await testDialects();

interface Issued {
  id: string;
  code: string;
  state: string;
  expiresAt: string;
  createdAt: string;
}
interface Listed {
  id: string;
  state: string;
  usedAt: string | null;
  replacedAt: string | null;
}

describe.each(dialects)('PIN recovery codes on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    // Admin sessions outlive the clock jump past a code's expiry.
    t = await buildTestApp(database, { config: { accessTokenTtlSeconds: 7 * 86_400 } });
    s = await seed(t, database);
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  const issue = (deviceId: string) =>
    call<Issued>(t.app, s.adminToken, 'POST', `/api/devices/${deviceId}/pin-recovery`, undefined, [201]);
  const list = (deviceId: string) =>
    call<Listed[]>(t.app, s.adminToken, 'GET', `/api/devices/${deviceId}/pin-recovery`);
  const pull = async (token: string) => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/sync/roster?since=0&limit=1',
      headers: bearer(token),
    });
    expect(res.statusCode).toBe(200);
    return RosterPage.parse(res.json());
  };
  const reportUsed = (token: string, id: string, usedAt = t.clock.now().toISOString()) =>
    t.app.inject({
      method: 'POST',
      url: '/api/sync/pin-recovery/used',
      headers: bearer(token),
      payload: { id, usedAt },
    });
  const audit = async (action: string) =>
    await database.db
      .selectFrom('audit_log')
      .select(['actor_kind', 'entity_id', 'detail'])
      .where('action', '=', action)
      .execute();

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it('issues a code shown once, stores only a scrypt hash, offers it to that device only, and expires it', async () => {
      const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId, 'door A');
      const other = await pairKiosk(t.app, s.adminToken, s.roomId, 'door B');
      expect((await pull(kiosk.token)).pinRecovery).toBeNull();

      const issued = await issue(kiosk.deviceId);
      expect(issued.code).toMatch(/^\d{4} \d{4} \d{4}$/);
      const digits = issued.code.replace(/ /g, '');
      expect(digits).toHaveLength(PIN_RECOVERY_CODE_DIGITS);
      expect(issued.state).toBe('pending');
      expect(Date.parse(issued.expiresAt) - Date.parse(issued.createdAt)).toBe(
        t.config.pinRecoveryTtlHours * 3_600_000,
      );

      const row = await database.db
        .selectFrom('pin_recovery_codes')
        .selectAll()
        .where('id', '=', issued.id)
        .executeTakeFirstOrThrow();
      expect(row.code_hash).not.toContain(digits);
      expect(row.code_hash).toMatch(/^scrypt\$/);
      expect(await verifyPassword(digits, row.code_hash)).toBe(true);

      const offer = (await pull(kiosk.token)).pinRecovery;
      expect(offer).toEqual({ id: issued.id, codeHash: row.code_hash, expiresAt: issued.expiresAt });
      expect((await pull(other.token)).pinRecovery).toBeNull();
      expect(await audit('device.pin_recovery.issue')).toEqual(
        expect.arrayContaining([expect.objectContaining({ actor_kind: 'user', entity_id: kiosk.deviceId })]),
      );

      // The listing never shows the code again.
      expect(JSON.stringify(await list(kiosk.deviceId))).not.toContain(digits);

      t.clock.advance(t.config.pinRecoveryTtlHours * 3_600_000 + 1000);
      expect((await pull(kiosk.token)).pinRecovery).toBeNull();
      expect((await list(kiosk.deviceId))[0]?.state).toBe('expired');
    });

    it('a new code replaces the live one', async () => {
      const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId);
      const first = await issue(kiosk.deviceId);
      const second = await issue(kiosk.deviceId);
      expect(second.code).not.toBe(first.code);
      expect((await pull(kiosk.token)).pinRecovery?.id).toBe(second.id);
      const listed = await list(kiosk.deviceId);
      expect(listed.map((c) => [c.id, c.state])).toEqual([
        [second.id, 'pending'],
        [first.id, 'replaced'],
      ]);
      const issuedAudit = await audit('device.pin_recovery.issue');
      expect(
        issuedAudit.some((a) => String(a.detail).includes(first.id) && String(a.detail).includes('replaced')),
      ).toBe(true);
    });

    it('the device reports the code used: no longer offered, shown used, audited once, idempotent', async () => {
      const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId);
      const other = await pairKiosk(t.app, s.adminToken, s.roomId);
      const issued = await issue(kiosk.deviceId);
      // Another kiosk cannot burn it.
      expect((await reportUsed(other.token, issued.id)).statusCode).toBe(404);
      const usedAt = t.clock.now().toISOString();
      const first = await reportUsed(kiosk.token, issued.id, usedAt);
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({ id: issued.id, usedAt });
      const retry = await reportUsed(
        kiosk.token,
        issued.id,
        new Date(Date.parse(usedAt) + 60_000).toISOString(),
      );
      expect(retry.json()).toEqual({ id: issued.id, usedAt });
      expect((await pull(kiosk.token)).pinRecovery).toBeNull();
      expect(await list(kiosk.deviceId)).toEqual([
        expect.objectContaining({ id: issued.id, state: 'used', usedAt }),
      ]);
      expect(
        (await audit('device.pin_recovery.used')).filter((a) => a.entity_id === kiosk.deviceId),
      ).toHaveLength(1);
      expect((await reportUsed(kiosk.token, randomUUID())).statusCode).toBe(404);
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: '/api/sync/pin-recovery/used',
            payload: { id: issued.id, usedAt },
          })
        ).statusCode,
      ).toBe(401);
    });

    it('a re-paired or revoked kiosk is not offered a code issued to the machine before it', async () => {
      const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId);
      const issued = await issue(kiosk.deviceId);
      expect((await pull(kiosk.token)).pinRecovery?.id).toBe(issued.id);
      await call(t.app, s.adminToken, 'POST', `/api/devices/${kiosk.deviceId}/pairing-code`);
      const renewed = await database.db
        .selectFrom('devices')
        .select('pairing_code_hash')
        .where('id', '=', kiosk.deviceId)
        .executeTakeFirstOrThrow();
      expect(renewed.pairing_code_hash).not.toBeNull();
      expect((await list(kiosk.deviceId)).find((c) => c.id === issued.id)?.state).toBe('replaced');

      const other = await pairKiosk(t.app, s.adminToken, s.roomId);
      const second = await issue(other.deviceId);
      await call(t.app, s.adminToken, 'POST', `/api/devices/${other.deviceId}/revoke`, undefined, [200, 204]);
      expect((await list(other.deviceId)).find((c) => c.id === second.id)?.state).toBe('replaced');
    });

    it('refuses unpaired or revoked devices, unknown devices and non-admins', async () => {
      const created = await call<{ id: string }>(t.app, s.adminToken, 'POST', '/api/devices', {
        roomId: s.roomId,
      });
      const unpaired = await t.app.inject({
        method: 'POST',
        url: `/api/devices/${created.id}/pin-recovery`,
        headers: bearer(s.adminToken),
      });
      expect(unpaired.statusCode).toBe(409);
      expect(unpaired.json()).toMatchObject({ error: 'device_not_paired' });
      const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId);
      await call(t.app, s.adminToken, 'POST', `/api/devices/${kiosk.deviceId}/revoke`);
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: `/api/devices/${kiosk.deviceId}/pin-recovery`,
            headers: bearer(s.adminToken),
          })
        ).statusCode,
      ).toBe(409);
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: `/api/devices/${randomUUID()}/pin-recovery`,
            headers: bearer(s.adminToken),
          })
        ).statusCode,
      ).toBe(404);
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: `/api/devices/${kiosk.deviceId}/pin-recovery`,
            headers: bearer(s.teacherToken),
          })
        ).statusCode,
      ).toBe(403);
    });
  });
});
