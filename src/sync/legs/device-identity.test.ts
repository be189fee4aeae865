import { describe, expect, it } from 'vitest';
import { openKioskStore } from '../../core/store/index.js';
import { DEFAULT_SETTINGS } from '../../core/store/settings-defaults.js';
import { silentLogger } from '../../core/testing/fixtures.js';
import { applyDeviceIdentity } from './device-identity.js';

const AT = '2026-09-07T08:40:00.000Z';

function paired(names: { deviceName: string | null; roomName: string | null }) {
  const store = openKioskStore({
    file: ':memory:',
    defaultSettings: DEFAULT_SETTINGS,
    now: () => new Date(AT),
  });
  store.sync.setMany({ deviceId: 'd-1', roomId: 'r-1', timezone: 'UTC', ...names });
  return { store, logger: silentLogger() };
}

describe('applyDeviceIdentity', () => {
  it('a server too old to send it leaves the names from pairing', () => {
    const ctx = paired({ deviceName: 'door', roomName: '101' });
    expect(applyDeviceIdentity(ctx, undefined, AT)).toEqual({ roomChanged: false });
    expect(ctx.store.sync.get('deviceName')).toBe('door');
    expect(ctx.store.sync.history()).toEqual([]);
  });

  it('takes a first name quietly (paired with a server that sent none)', () => {
    const ctx = paired({ deviceName: null, roomName: null });
    applyDeviceIdentity(ctx, { name: 'Front door', roomId: 'r-1', roomName: '101' }, AT);
    expect(ctx.store.sync.get('deviceName')).toBe('Front door');
    expect(ctx.store.sync.get('roomName')).toBe('101');
    expect(ctx.store.sync.history()).toEqual([]);
  });

  it('follows a move to another room and says so: sessions are now that room’s', () => {
    const ctx = paired({ deviceName: 'door', roomName: '101' });
    expect(applyDeviceIdentity(ctx, { name: 'door', roomId: 'r-2', roomName: '102' }, AT)).toEqual({
      roomChanged: true,
    });
    expect(ctx.store.sync.get('roomId')).toBe('r-2');
    expect(ctx.store.sync.history().map((h) => h.detail)).toEqual([
      'moved on the server to room 102 (was 101)',
    ]);
  });
});
