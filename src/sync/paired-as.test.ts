import { describe, expect, it } from 'vitest';
import { describeKiosk } from '../contracts/kiosk-identity.js';
import { pairedAs } from './sync-service.js';

describe('pairedAs', () => {
  it('names the kiosk and its room', () => {
    expect(
      pairedAs({
        deviceId: 'd-1',
        roomId: 'r-1',
        timezone: 'Europe/London',
        name: 'Front door',
        roomName: '101',
      }),
    ).toBe('paired as “Front door”, room 101, Europe/London');
  });
  it('falls back to ids from a server too old to send names', () => {
    expect(pairedAs({ deviceId: 'd-1', roomId: 'r-1', timezone: 'UTC' })).toBe(
      'paired as d-1, room r-1, UTC',
    );
  });
});

describe('describeKiosk', () => {
  it('does not say "room" twice for a room named "Room …"', () => {
    expect(
      describeKiosk({ deviceId: 'd-1', roomId: 'r-1', timezone: 'UTC', name: 'Door', roomName: 'Room 101' }),
    ).toBe('“Door”, Room 101, UTC');
  });
});
