import { describe, expect, it } from 'vitest';
import { RosterPage } from '../../contracts/sync.js';
import { openKioskStore } from '../../core/store/index.js';
import { DEFAULT_SETTINGS } from '../../core/store/settings-defaults.js';
import { silentLogger } from '../../core/testing/fixtures.js';
import { applyDeviceIdentity } from './device-identity.js';

const AT = '2026-09-07T08:40:00.000Z';

function paired(deviceName: string | null) {
  const store = openKioskStore({
    file: ':memory:',
    defaultSettings: DEFAULT_SETTINGS,
    now: () => new Date(AT),
  });
  store.sync.setMany({ deviceId: 'd-1', roomId: 'r-1', timezone: 'UTC', deviceName });
  return { store, logger: silentLogger() };
}

describe('applyDeviceIdentity', () => {
  it('a server too old to send it leaves the name from pairing', () => {
    const ctx = paired('door');
    applyDeviceIdentity(ctx, undefined, AT);
    expect(ctx.store.sync.get('deviceName')).toBe('door');
    expect(ctx.store.sync.history()).toEqual([]);
  });

  it('takes a first name quietly (paired with a server that sent none)', () => {
    const ctx = paired(null);
    applyDeviceIdentity(ctx, { name: 'Front door', roomId: 'r-1', roomName: '101' }, AT);
    expect(ctx.store.sync.get('deviceName')).toBe('Front door');
    expect(ctx.store.sync.history()).toEqual([]);
  });

  it('says a rename once; the room is the roster’s and the paired one, whatever the page says', () => {
    const ctx = paired('door');
    applyDeviceIdentity(ctx, { name: 'Front door', roomId: 'r-2', roomName: 'Room 4' }, AT);
    applyDeviceIdentity(ctx, { name: 'Front door', roomId: 'r-2', roomName: 'Room 4' }, AT);
    expect(ctx.store.sync.get('deviceName')).toBe('Front door');
    expect(ctx.store.sync.get('roomId')).toBe('r-1');
    expect(ctx.store.sync.history().map((h) => h.detail)).toEqual([
      'renamed on the server: “door” → “Front door”',
    ]);
  });
});

describe('RosterPage.device', () => {
  const page = { changes: [{ entity: 'room', op: 'upsert', id: 'r-1' }], cursor: '7', hasMore: false };

  it('a malformed device identity is ignored, not a reason to refuse the roster page', () => {
    for (const device of [{ name: '', roomId: 'r-1', roomName: '101' }, { name: 'door' }, 'door', null]) {
      const parsed = RosterPage.safeParse({ ...page, device });
      expect(parsed.success, JSON.stringify(device)).toBe(true);
      expect(parsed.data).toMatchObject({ cursor: '7', changes: page.changes });
      expect(parsed.data?.device).toBeUndefined();
    }
    expect(
      RosterPage.parse({ ...page, device: { name: 'door', roomId: 'r-1', roomName: '101' } }).device,
    ).toEqual({ name: 'door', roomId: 'r-1', roomName: '101' });
  });
});
