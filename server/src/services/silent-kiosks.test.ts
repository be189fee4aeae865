// A kiosk silent in school hours: flagged in the kiosk list, one email to the admins per
// silence episode, an audit row; nothing at night, on a holiday or on a day without classes;
// a new episode after the kiosk is heard from again. Fake clock, fake mailer.
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, call, createUser, pairKiosk, seed, type TestApp } from '../../test/app.js';
import { testDialects, type TestDatabase } from '../../test/databases.js';
import type { MailMessage, Mailer } from '../notifications/mailer.js';
import { silenceOf } from './silent-kiosks.js';

const dialects = await testDialects();

// The seeded schedule: Mondays 08:30–09:15 at the default site (UTC), arrivals from 08:20.
// 2026-09-07 and 2026-09-14 are Mondays; each test's clock starts at 2026-09-07T08:00Z.
const AT = (date: string, hhmm: string) => new Date(`${date}T${hhmm}:00Z`);
const MON = '2026-09-07';
// The fake clock jumps weeks ahead; the admin's access token must outlive it.
const LONG_SESSIONS = { silentKioskCheckSeconds: 0, accessTokenTtlSeconds: 60 * 24 * 3600 };

class FakeMailer implements Mailer {
  sent: MailMessage[] = [];
  failNext = 0;
  async send(m: MailMessage) {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('SMTP down');
    }
    this.sent.push(m);
  }
  close() {}
}

interface DeviceView {
  id: string;
  silence: { since: string; minutes: number } | null;
}

describe('silenceOf', () => {
  const hours = { start: AT(MON, '08:20'), end: AT(MON, '09:15') };
  it('counts only the silence inside school hours, from the threshold on', () => {
    // Heard from last night: the silence counts from the first arrival window, not from last night.
    expect(silenceOf('2026-09-06T17:00:00Z', hours, AT(MON, '08:49'), 30)).toBeNull();
    expect(silenceOf('2026-09-06T17:00:00Z', hours, AT(MON, '08:50'), 30)).toEqual({
      since: '2026-09-07T08:20:00.000Z',
      minutes: 30,
    });
    expect(silenceOf('2026-09-07T08:40:00Z', hours, AT(MON, '09:05'), 30)).toBeNull();
    expect(silenceOf('2026-09-07T08:40:00Z', hours, AT(MON, '09:10'), 30)?.minutes).toBe(30);
    expect(silenceOf(null, hours, AT(MON, '09:00'), 30)?.minutes).toBe(40);
  });
  it('never outside school hours or on a day without them', () => {
    expect(silenceOf('2026-09-01T00:00:00Z', hours, AT(MON, '09:15'), 30)).toBeNull();
    expect(silenceOf('2026-09-01T00:00:00Z', hours, AT(MON, '08:10'), 30)).toBeNull();
    expect(silenceOf('2026-09-01T00:00:00Z', null, AT(MON, '08:50'), 30)).toBeNull();
  });
});

describe.each(dialects)('silent kiosks on $name', (dialect) => {
  const opened: { app: FastifyInstance; database?: TestDatabase }[] = [];
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      await o.app.close();
      await o.database?.cleanup();
    }
  });

  async function start() {
    const database = await dialect.open();
    const mailer = new FakeMailer();
    const t = await buildTestApp(database, { mailer, config: LONG_SESSIONS });
    t.clock.t = AT(MON, '08:00');
    opened.push({ app: t.app, database });
    const s = await seed(t, database);
    // Paired at 08:00: last seen then.
    const kiosk = await pairKiosk(t.app, s.adminToken, s.roomId);
    return { database, t, s, kiosk, mailer };
  }

  const devices = (t: TestApp, token: string) => call<DeviceView[]>(t.app, token, 'GET', '/api/devices');
  const silentAudit = async (t: TestApp, token: string, deviceId: string) =>
    (
      await call<{ action: string; actorKind: string; detail: Record<string, unknown> }[]>(
        t.app,
        token,
        'GET',
        `/api/audit?entityId=${deviceId}&action=device.silent`,
      )
    ).filter((a) => a.action === 'device.silent');

  it.skipIf(!dialect.available)(
    'flags a kiosk silent for 30 min of school hours and emails the admins once',
    async () => {
      const { database, t, s, kiosk, mailer } = await start();
      const admin2 = await createUser(database, 'admin');

      t.clock.t = AT(MON, '08:49'); // silent since the 08:20 arrival window: 29 min
      expect((await devices(t, s.adminToken))[0]?.silence).toBeNull();
      expect(await t.app.silentKiosks.check()).toEqual({ silent: 0, alerted: 0, emailed: 0, failed: 0 });

      t.clock.t = AT(MON, '08:55');
      const [listed] = await devices(t, s.adminToken);
      expect(listed?.silence).toEqual({ since: '2026-09-07T08:20:00.000Z', minutes: 35 });
      const one = await call<DeviceView>(t.app, s.adminToken, 'GET', `/api/devices/${kiosk.deviceId}`);
      expect(one.silence?.minutes).toBe(35);

      expect(await t.app.silentKiosks.check()).toEqual({ silent: 1, alerted: 1, emailed: 1, failed: 0 });
      expect(mailer.sent).toHaveLength(1);
      const mail = mailer.sent[0] as MailMessage;
      expect(mail.to).toContain(admin2.email);
      expect(mail.to).toHaveLength(2); // both admins, not the teacher
      expect(mail.subject).toMatch(/^Kiosk silent: Door kiosk \(Room \d+\) – 35 min in school hours$/);
      expect(mail.text).toContain('Last heard from: 2026-09-07 08:00 (UTC)');
      expect(mail.text).toContain('Silent in school hours since: 2026-09-07 08:20');

      // Still silent later the same morning: flagged, but no second email or audit row.
      t.clock.t = AT(MON, '09:10');
      expect((await devices(t, s.adminToken))[0]?.silence?.minutes).toBe(50);
      expect(await t.app.silentKiosks.check()).toEqual({ silent: 1, alerted: 0, emailed: 0, failed: 0 });
      expect(mailer.sent).toHaveLength(1);

      // Still silent the next Monday morning: the same episode (never heard from): no email.
      t.clock.t = AT('2026-09-14', '08:55');
      expect(await t.app.silentKiosks.check()).toMatchObject({ silent: 1, emailed: 0 });

      const audit = await silentAudit(t, s.adminToken, kiosk.deviceId);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        actorKind: 'system',
        detail: {
          lastSeenAt: '2026-09-07T08:00:00.000Z',
          silentSince: '2026-09-07T08:20:00.000Z',
          minutes: 35,
          thresholdMinutes: 30,
          emailedAdmins: 2,
        },
      });
    },
  );

  it.skipIf(!dialect.available)(
    'after the kiosk is heard from, its next silence is a new episode with a new email',
    async () => {
      const { t, s, kiosk, mailer } = await start();
      t.clock.t = AT(MON, '08:55');
      await t.app.silentKiosks.check();
      expect(mailer.sent).toHaveLength(1);

      t.clock.t = AT(MON, '08:56'); // the kiosk calls in: no longer flagged
      await call(t.app, kiosk.token, 'GET', '/api/sync/roster?since=0');
      expect((await devices(t, s.adminToken))[0]?.silence).toBeNull();
      expect(await t.app.silentKiosks.check()).toMatchObject({ silent: 0, emailed: 0 });

      // Silent again from 08:56: 30 min later is past the end of school hours (09:15).
      t.clock.t = AT(MON, '09:14');
      expect(await t.app.silentKiosks.check()).toMatchObject({ silent: 0 });
      // The next Monday it is a new episode: one more email, one more audit row.
      t.clock.t = AT('2026-09-14', '08:50');
      expect(await t.app.silentKiosks.check()).toEqual({ silent: 1, alerted: 1, emailed: 1, failed: 0 });
      t.clock.t = AT('2026-09-14', '09:00');
      expect(await t.app.silentKiosks.check()).toMatchObject({ alerted: 0, emailed: 0 });
      expect(mailer.sent).toHaveLength(2);
      expect(await silentAudit(t, s.adminToken, kiosk.deviceId)).toHaveLength(2);
    },
  );

  it.skipIf(!dialect.available)(
    'nothing at night, on a day without classes, on a holiday, or for a revoked kiosk',
    async () => {
      const { t, s, kiosk, mailer } = await start();
      t.clock.t = AT(MON, '22:00'); // night: no school hours
      expect((await devices(t, s.adminToken))[0]?.silence).toBeNull();
      t.clock.t = AT('2026-09-08', '09:00'); // a Tuesday: the class does not meet
      expect(await t.app.silentKiosks.check()).toMatchObject({ silent: 0 });

      // Monday 14th is a holiday: no school hours at all.
      await call(t.app, s.adminToken, 'POST', '/api/sites/default/closures', {
        name: 'Staff training day',
        startDate: '2026-09-14',
        endDate: '2026-09-14',
      });
      t.clock.t = AT('2026-09-14', '08:55');
      expect((await devices(t, s.adminToken))[0]?.silence).toBeNull();
      expect(await t.app.silentKiosks.check()).toMatchObject({ silent: 0 });

      // A cancelled session leaves no school hours that day either.
      await call(t.app, s.adminToken, 'POST', `/api/sessions/${s.scheduleId}@2026-09-21/cancel`, {
        reason: 'trip',
      });
      t.clock.t = AT('2026-09-21', '08:55');
      expect(await t.app.silentKiosks.check()).toMatchObject({ silent: 0 });

      // A school day, but the kiosk is revoked: not a kiosk anyone expects to hear from.
      await call(t.app, s.adminToken, 'POST', `/api/devices/${kiosk.deviceId}/revoke`);
      t.clock.t = AT('2026-09-28', '08:55');
      expect(await t.app.silentKiosks.check()).toMatchObject({ silent: 0 });
      expect(mailer.sent).toHaveLength(0);
    },
  );

  it.skipIf(!dialect.available)(
    'the threshold is an admin setting; a failed email is retried; two instances send one',
    async () => {
      const { database, t, s, mailer } = await start();
      const settings = await call<Record<string, unknown>>(t.app, s.adminToken, 'PATCH', '/api/settings', {
        silentKioskMinutes: 45,
      });
      // Patching one setting leaves the others as they were.
      expect(settings).toEqual({ retainPhotos: false, silentKioskMinutes: 45, doorTemplates: false });
      await call(t.app, s.adminToken, 'PATCH', '/api/settings', { silentKioskMinutes: 4 }, [400]);

      t.clock.t = AT(MON, '09:00'); // 40 min < 45
      expect(await t.app.silentKiosks.check()).toMatchObject({ silent: 0 });

      t.clock.t = AT(MON, '09:06');
      mailer.failNext = 1;
      expect(await t.app.silentKiosks.check()).toEqual({ silent: 1, alerted: 0, emailed: 0, failed: 1 });

      // A second instance on the same database: both check at once, one email goes out.
      const other = await buildTestApp(database, { mailer, config: LONG_SESSIONS });
      opened.unshift({ app: other.app });
      other.clock.t = AT(MON, '09:07');
      t.clock.t = AT(MON, '09:07');
      const results = await Promise.all([t.app.silentKiosks.check(), other.app.silentKiosks.check()]);
      expect(results.reduce((n, r) => n + r.emailed, 0)).toBe(1);
      expect(mailer.sent).toHaveLength(1);
    },
  );
});
