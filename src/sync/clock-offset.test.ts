// A kiosk measures how far its clock is from the server's on every contact, shows it on its Sync
// screen and reports it with its health, so a kiosk marking by a wrong clock does not go unseen.
// Unit cases for the reading and wording; a whole kiosk (createKiosk, fake engine) against the real
// server, whose `Date` header is the real time, for the rest.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call } from '../../server/test/app.js';
import { pairWholeKiosk, serverForKiosks, type ServerForKiosks } from '../../server/test/whole-kiosk.js';
import { CLOCK_WARNING_MS, clockIsOff, describeClockOffset } from '../contracts/clock-offset.js';
import { FakeFaceEngine } from '../core/testing/fake-engine.js';
import { clockOffsetMs } from './clock-offset.js';

describe('reading the offset off a Date header', () => {
  const server = Date.parse('Mon, 07 Dec 2026 08:00:00 GMT');
  it("is the kiosk's lead over the middle of the server's second, taken at the middle of the round trip", () => {
    expect(clockOffsetMs('Mon, 07 Dec 2026 08:00:00 GMT', server + 400, server + 600)).toBe(0);
    expect(
      clockOffsetMs('Mon, 07 Dec 2026 08:00:00 GMT', server + 15 * 60_000, server + 15 * 60_000 + 1000),
    ).toBe(15 * 60_000);
    expect(
      clockOffsetMs('Mon, 07 Dec 2026 08:00:00 GMT', server - 3_600_000, server - 3_600_000 + 1000),
    ).toBe(-3_600_000);
  });
  it('is unknown without a readable header (an answer through a proxy that strips it)', () => {
    expect(clockOffsetMs(undefined, server, server)).toBeNull();
    expect(clockOffsetMs('', server, server)).toBeNull();
    expect(clockOffsetMs('yesterday-ish', server, server)).toBeNull();
    expect(clockOffsetMs(['Mon, 07 Dec 2026 08:00:00 GMT'], server, server)).toBeNull();
  });
});

describe('what the admin reads', () => {
  it('warns from two minutes either way', () => {
    expect(clockIsOff(CLOCK_WARNING_MS - 1)).toBe(false);
    expect(clockIsOff(-(CLOCK_WARNING_MS - 1))).toBe(false);
    expect(clockIsOff(CLOCK_WARNING_MS)).toBe(true);
    expect(clockIsOff(-CLOCK_WARNING_MS)).toBe(true);
    expect(clockIsOff(null)).toBe(false);
    expect(clockIsOff(undefined)).toBe(false);
  });
  it('says fast or slow, in minutes and hours', () => {
    expect(describeClockOffset(12 * 60_000)).toBe('12 minutes fast');
    expect(describeClockOffset(-60_000)).toBe('1 minute slow');
    expect(describeClockOffset(-3_600_000)).toBe('1 hour slow');
    expect(describeClockOffset(65 * 60_000 + 10_000)).toBe('1 hour 5 minutes fast');
    expect(describeClockOffset(-(26 * 3_600_000))).toBe('26 hours slow');
  });
});

describe('a whole kiosk against the real server', () => {
  let server: ServerForKiosks;
  beforeEach(async () => {
    server = await serverForKiosks();
  });
  afterEach(async () => {
    await server.close();
  });

  interface DeviceView {
    id: string;
    clockOffsetMs: number | null;
  }
  const reported = async (deviceId: string) =>
    (await call<DeviceView[]>(server.app, server.seeded.adminToken, 'GET', '/api/devices')).find(
      (d) => d.id === deviceId,
    )?.clockOffsetMs;
  // The kiosks' clocks stand still at their start; the test's own steps take well under this.
  const SLACK_MS = 5_000;

  it('a kiosk fifteen minutes fast shows it on its Sync screen and reports it; the device list has it', async () => {
    const fast = 15 * 60_000;
    const { kiosk, device } = await pairWholeKiosk(
      server,
      new FakeFaceEngine(),
      new Date(Date.now() + fast).toISOString(),
    );
    expect((await kiosk.sync.syncNow()).ok).toBe(true);
    const shown = kiosk.sync.status().clockOffsetMs ?? Number.NaN;
    expect(Math.abs(shown - fast)).toBeLessThan(SLACK_MS);
    expect(clockIsOff(shown)).toBe(true);
    // Reported with the roster pull, so a kiosk that marks nobody reports it too.
    expect(Math.abs(((await reported(device.id)) ?? Number.NaN) - fast)).toBeLessThan(SLACK_MS);
  });

  it('a kiosk on time shows no warning', async () => {
    const { kiosk, device } = await pairWholeKiosk(server, new FakeFaceEngine(), new Date().toISOString());
    expect((await kiosk.sync.syncNow()).ok).toBe(true);
    expect(Math.abs(kiosk.sync.status().clockOffsetMs ?? Number.NaN)).toBeLessThan(SLACK_MS);
    const onServer = await reported(device.id);
    expect(onServer).not.toBeNull();
    expect(clockIsOff(onServer)).toBe(false);
  });
});
