// The name of a kiosk: the one an admin gives in the console (creating or renaming it) is kept
// when the kiosk pairs and pairs again; the name a kiosk reports (typed on it by whoever holds
// its PIN) is taken only while no admin has named it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  buildTestApp,
  call,
  createUser,
  login,
  seed,
  type Seeded,
  type TestApp,
} from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';

const dialects = await testDialects();

interface DeviceView {
  id: string;
  name: string;
  nameByAdmin: boolean;
  state: string;
  pairingCode?: string;
}

describe.each(dialects)('kiosk names on $name', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let s: Seeded;

  beforeAll(async () => {
    if (!dialect.available) return;
    database = await dialect.open();
    t = await buildTestApp(database);
    s = await seed(t, database, { students: 1 });
  });
  afterAll(async () => {
    await t?.app.close();
    await database?.cleanup();
  });

  const create = (name?: string) =>
    call<DeviceView & { pairingCode: string }>(t.app, s.adminToken, 'POST', '/api/devices', {
      roomId: s.roomId,
      ...(name === undefined ? {} : { name }),
    });
  const pair = async (code: string, name: string) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/devices/pair',
      payload: { code, name, appVersion: '0.1.0' },
    });
    expect(res.statusCode).toBe(200);
  };
  const repairCode = async (id: string) =>
    (await call<{ pairingCode: string }>(t.app, s.adminToken, 'POST', `/api/devices/${id}/pairing-code`))
      .pairingCode;
  const device = (id: string) => call<DeviceView>(t.app, s.adminToken, 'GET', `/api/devices/${id}`);

  describe.skipIf(!dialect.available)(`(${dialect.reason ?? 'reachable'})`, () => {
    it("keeps the admin's name when the kiosk pairs and pairs again, whatever name it reports", async () => {
      const created = await create('Library entrance');
      expect(created).toMatchObject({ name: 'Library entrance', nameByAdmin: true });
      // The longest name a PIN holder can type on the kiosk.
      await pair(created.pairingCode, 'x'.repeat(120));
      expect(await device(created.id)).toMatchObject({
        name: 'Library entrance',
        nameByAdmin: true,
        state: 'paired',
      });
      await pair(await repairCode(created.id), 'Door kiosk');
      expect(await device(created.id)).toMatchObject({ name: 'Library entrance', nameByAdmin: true });
      // The audit keeps what the kiosk reported next to the name the device kept.
      const audits = await database.db
        .selectFrom('audit_log')
        .select('detail')
        .where('action', '=', 'device.pair')
        .where('entity_id', '=', created.id)
        .orderBy('at')
        .execute();
      expect(audits.map((a) => JSON.parse(a.detail ?? '{}') as object)).toEqual([
        { reportedName: 'x'.repeat(120), name: 'Library entrance', nameByAdmin: true },
        { reportedName: 'Door kiosk', name: 'Library entrance', nameByAdmin: true },
      ]);
    });

    it("takes the kiosk's name while no admin named it, at every pairing", async () => {
      const created = await create();
      expect(created).toMatchObject({ name: expect.stringMatching(/^Kiosk at /), nameByAdmin: false });
      await pair(created.pairingCode, 'Front door');
      expect(await device(created.id)).toMatchObject({ name: 'Front door', nameByAdmin: false });
      await pair(await repairCode(created.id), 'Front door (new tablet)');
      expect(await device(created.id)).toMatchObject({ name: 'Front door (new tablet)', nameByAdmin: false });
    });

    it('a name the admin gives later, in the console, survives the next pairing', async () => {
      const created = await create();
      await pair(created.pairingCode, 'tablet-7');
      const renamed = await call<DeviceView>(t.app, s.adminToken, 'PATCH', `/api/devices/${created.id}`, {
        name: '  Gym hall  ',
      });
      expect(renamed).toMatchObject({ id: created.id, name: 'Gym hall', nameByAdmin: true, state: 'paired' });
      await pair(await repairCode(created.id), 'tablet-8');
      expect(await device(created.id)).toMatchObject({ name: 'Gym hall', nameByAdmin: true });
      const audit = await database.db
        .selectFrom('audit_log')
        .select(['actor_kind', 'detail'])
        .where('action', '=', 'device.rename')
        .where('entity_id', '=', created.id)
        .executeTakeFirstOrThrow();
      expect(audit.actor_kind).toBe('user');
      expect(JSON.parse(audit.detail ?? '{}')).toEqual({ from: 'tablet-7', to: 'Gym hall' });
    });

    it('renaming refuses an empty name, an unknown kiosk and a teacher, and changes nothing', async () => {
      const created = await create('Science wing');
      const patch = (id: string, payload: object, token = s.adminToken) =>
        t.app.inject({ method: 'PATCH', url: `/api/devices/${id}`, headers: bearer(token), payload });
      const empty = await patch(created.id, { name: '   ' });
      expect(empty.statusCode).toBe(400);
      const tooLong = await patch(created.id, { name: 'y'.repeat(201) });
      expect(tooLong.statusCode).toBe(400);
      expect((await patch('no-such-device', { name: 'Hall' })).statusCode).toBe(404);
      const teacher = await createUser(database, 'teacher');
      const teacherToken = await login(t.app, teacher.email, teacher.password);
      expect((await patch(created.id, { name: 'Hall' }, teacherToken)).statusCode).toBe(403);
      expect(await device(created.id)).toMatchObject({ name: 'Science wing', nameByAdmin: true });
    });
  });
});
