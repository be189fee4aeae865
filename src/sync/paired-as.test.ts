import { describe, expect, it } from 'vitest';
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
