import { describe, expect, it } from 'vitest';
import { runningSession } from './sessions';
import { zonedToUtc } from './site-time';
import type { Schedule } from '../store/index';

const sched = (over: Partial<Schedule> = {}): Schedule => ({
  id: 'maths-mon', classId: 'maths', roomId: 'r1', weekday: 1, date: null, startTime: '09:00', endTime: '10:00', graceMinutes: 10, ...over,
});

describe('runningSession', () => {
  // 2026-03-02 is a Monday.
  it('finds the weekly session at the site timezone and derives the session id', () => {
    const s = runningSession([sched()], 'Europe/Paris', new Date('2026-03-02T08:05:00Z')); // 09:05 in Paris
    expect(s).toEqual({
      sessionId: 'maths-mon@2026-03-02', scheduleId: 'maths-mon', classId: 'maths',
      startsAt: '2026-03-02T08:00:00.000Z', endsAt: '2026-03-02T09:00:00.000Z', lateAfter: '2026-03-02T08:10:00.000Z',
    });
  });

  it('is null outside the session, on another weekday, and at the end minute', () => {
    expect(runningSession([sched()], 'Europe/Paris', new Date('2026-03-02T07:59:00Z'))).toBeNull();
    expect(runningSession([sched()], 'Europe/Paris', new Date('2026-03-02T09:00:00Z'))).toBeNull();
    expect(runningSession([sched()], 'Europe/Paris', new Date('2026-03-03T08:05:00Z'))).toBeNull();
  });

  it('uses the local date, not the UTC date, near midnight', () => {
    // 23:30 UTC on Sunday is 08:30 Monday in Tokyo.
    const s = runningSession([sched({ startTime: '08:00', endTime: '09:00' })], 'Asia/Tokyo', new Date('2026-03-01T23:30:00Z'));
    expect(s?.sessionId).toBe('maths-mon@2026-03-02');
  });

  it('handles one-off dated sessions and prefers the latest start on overlap', () => {
    const oneOff = sched({ id: 'exam', weekday: null, date: '2026-03-02', startTime: '09:30', endTime: '11:00' });
    const s = runningSession([sched(), oneOff], 'UTC', new Date('2026-03-02T09:45:00Z'));
    expect(s?.scheduleId).toBe('exam');
  });

  it('converts wall clock to instants across a DST change', () => {
    // Europe/Paris switches to summer time on 2026-03-29.
    expect(zonedToUtc('2026-03-28', '09:00', 'Europe/Paris').toISOString()).toBe('2026-03-28T08:00:00.000Z');
    expect(zonedToUtc('2026-03-30', '09:00', 'Europe/Paris').toISOString()).toBe('2026-03-30T07:00:00.000Z');
  });
});
