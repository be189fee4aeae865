// The Sync tab's "This kiosk" line (SyncStatus.kiosk): which name its room goes by, from the
// moment of pairing (before any roster) to after the pull that brings the room.
import { describe, expect, it } from 'vitest';
import { openKioskStore } from '../core/store/index.js';
import { DEFAULT_SETTINGS } from '../core/store/settings-defaults.js';
import { SyncStatusBoard } from './status.js';

/** A store as pairing leaves it: paired to room r-1, no roster pulled yet. */
function justPaired(pairedRoomName: string | null) {
  const store = openKioskStore({
    file: ':memory:',
    defaultSettings: DEFAULT_SETTINGS,
    now: () => new Date('2026-09-07T08:40:00.000Z'),
  });
  store.sync.setMany({
    serverUrl: 'https://rollcall.example',
    deviceToken: 't',
    deviceId: 'd-1',
    roomId: 'r-1',
    timezone: 'UTC',
    deviceName: 'Front door',
    pairedRoomName,
  });
  return store;
}

describe('SyncStatusBoard: the room of "This kiosk"', () => {
  it('right after pairing, before the first pull, is named as the pairing answer named it', () => {
    const store = justPaired('Room 101');
    expect(store.roster.getRoom('r-1')).toBeNull();
    expect(new SyncStatusBoard(store).status().kiosk).toEqual({
      deviceId: 'd-1',
      roomId: 'r-1',
      timezone: 'UTC',
      name: 'Front door',
      roomName: 'Room 101',
    });
  });

  it("once the roster has the room, goes by the roster's name (an admin may have renamed it)", () => {
    const store = justPaired('Room 101');
    store.roster.upsertRoom({ id: 'r-1', name: 'Library' });
    expect(new SyncStatusBoard(store).status().kiosk?.roomName).toBe('Library');
  });

  it('from a server too old to send a room name, has none before the pull (the id stands in)', () => {
    expect(new SyncStatusBoard(justPaired(null)).status().kiosk?.roomName).toBeNull();
  });
});
