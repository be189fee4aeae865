import { describe, expect, it } from 'vitest';
import { markTime } from './mark-time.js';

describe('the Time of a mark in a lesson list', () => {
  const zone = 'Pacific/Auckland';
  it('is the door’s time for a kiosk mark', () => {
    expect(markTime({ markedAt: '2026-12-07T20:08:00.000Z', decidedBy: 'mark' }, '2026-12-08', zone)).toBe(
      '09:08',
    );
  });
  it('says a correction is one, with its day when it was made on another day than the lesson', () => {
    // Corrected during the lesson (09:30 on Tue 8 Dec in Auckland).
    expect(markTime({ markedAt: '2026-12-07T20:30:00.000Z', decidedBy: 'manual' }, '2026-12-08', zone)).toBe(
      'corrected 09:30',
    );
    // Monday's lesson corrected on Tuesday morning: not an arrival time on Monday.
    expect(markTime({ markedAt: '2026-12-07T21:30:00.000Z', decidedBy: 'manual' }, '2026-12-07', zone)).toBe(
      'corrected Tue 8 Dec 2026, 10:30',
    );
  });
  it('is empty when nothing decided the status', () => {
    expect(markTime({ markedAt: null, decidedBy: 'none' }, '2026-12-08', zone)).toBe('');
  });
});
