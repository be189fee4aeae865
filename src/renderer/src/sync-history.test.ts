import { describe, expect, it } from 'vitest';
import { collapseSyncHistory, historyWhen, type SyncHistoryEntry } from './sync-history.js';

const down = (at: string, events = 3): SyncHistoryEntry => ({
  at,
  kind: 'push',
  ok: false,
  detail: `${events} events: server unreachable (connect ECONNREFUSED 10.0.0.5:8443)`,
});
const sent = (at: string): SyncHistoryEntry => ({
  at,
  kind: 'push',
  ok: true,
  detail: '3 accepted, 0 duplicate, 0 rejected',
});
// Local times, so the words do not depend on the machine's time zone.
const local = (hh: number, mm: number, day = 29) => new Date(2026, 10, day, hh, mm).toISOString();
const NOW = new Date(2026, 10, 29, 12, 0).getTime();

describe('the Sync tab history', () => {
  it('shows a run of the same failure as one line with how many tries, newest first', () => {
    // Newest first, as the core answers: sent after a 12-try outage, which followed a delivery.
    const tries = Array.from({ length: 12 }, (_, i) => down(local(9, 14 - i), i < 5 ? 4 : 3));
    const lines = collapseSyncHistory([sent(local(9, 15)), ...tries, sent(local(8, 50))]);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatchObject({
      count: 12,
      at: local(9, 14),
      firstAt: local(9, 3),
      ok: false,
      what: 'Sending marks',
      text: 'The server is not answering (is it running?)',
    });
    // The raw message of the newest try stays for IT.
    expect(lines[1]?.raw).toBe('4 events: server unreachable (connect ECONNREFUSED 10.0.0.5:8443)');
    expect(historyWhen(lines[1]!, NOW)).toMatch(/^today 09:03–09:14$/);
    expect(lines.map((l) => l.count)).toEqual([1, 12, 1]);
  });

  it('keeps different failures, other steps and every success on their own lines', () => {
    const timeout: SyncHistoryEntry = {
      at: local(9, 5),
      kind: 'push',
      ok: false,
      detail: '3 events: no answer within 10000 ms',
    };
    const pullFailed: SyncHistoryEntry = {
      at: local(9, 4),
      kind: 'pull',
      ok: false,
      detail: '1 changes applied, 1 skipped: site x (bad zone)',
    };
    const lines = collapseSyncHistory([
      down(local(9, 7)),
      down(local(9, 6)),
      timeout,
      pullFailed,
      sent(local(9, 3)),
      sent(local(9, 2)),
      down(local(9, 1)),
    ]);
    expect(lines.map((l) => [l.kind, l.ok, l.count])).toEqual([
      ['push', false, 2],
      ['push', false, 1],
      ['pull', false, 1],
      ['push', true, 1],
      ['push', true, 1],
      ['push', false, 1],
    ]);
    expect(collapseSyncHistory([])).toEqual([]);
  });

  it('names both days when a run of failures crosses midnight', () => {
    const [line] = collapseSyncHistory([down(local(0, 10)), down(local(23, 50, 28))]);
    const when = historyWhen(line!, NOW);
    // The date in the machine's own words ("28 Nov 2026", "Nov 28, 2026"); after midnight is 00:10, never 24:10.
    expect(when).toMatch(/^\D*28\D+2026 23:50 – today 00:10$/);
    expect(historyWhen({ at: local(9, 0), firstAt: local(9, 0), count: 1 }, NOW)).toBe('today 09:00');
    // Several tries within one minute: one time, not "09:00–09:00".
    expect(historyWhen({ at: local(9, 0), firstAt: local(9, 0), count: 3 }, NOW)).toBe('today 09:00');
  });
});
