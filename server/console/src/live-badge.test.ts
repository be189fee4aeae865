import { describe, expect, it } from 'vitest';
import { liveBadge } from './live-badge.js';

const lesson = { startsAt: '2026-12-07T08:30:00.000Z', endsAt: '2026-12-07T09:15:00.000Z', cancelled: false };

describe('the badge beside a lesson’s list', () => {
  it('says Live only while the lesson runs on a connected stream', () => {
    expect(liveBadge('live', undefined, lesson, new Date('2026-12-07T08:45:00Z'))).toEqual({
      label: 'Live',
      tone: 'live',
    });
  });
  it('does not call a lesson that ended (or has not begun, or was cancelled) live', () => {
    for (const now of ['2026-12-07T15:00:00Z', '2026-12-07T09:15:00Z', '2026-12-07T08:00:00Z'])
      expect(liveBadge('live', undefined, lesson, new Date(now))).toEqual({
        label: 'Up to date',
        tone: 'current',
      });
    expect(
      liveBadge('live', undefined, { ...lesson, cancelled: true }, new Date('2026-12-07T08:45:00Z')).label,
    ).toBe('Up to date');
  });
  it('says the connection’s troubles whatever the lesson', () => {
    const at = new Date('2026-12-07T08:45:00Z');
    expect(liveBadge('reconnecting', undefined, lesson, at).label).toBe('Reconnecting…');
    expect(liveBadge('stopped', 'Not your class', lesson, at).label).toBe('Stopped: Not your class');
  });
});
