// Push leg 1: the attendance outbox, in batches, until it is empty.
import type { AttendanceEvent, KioskHealth } from '../../contracts/sync.js';
import { SyncError } from '../http.js';
import { stopIfSuperseded, type LegContext } from './context.js';

export async function pushAttendance(
  ctx: LegContext,
  batchSize: number,
  health: () => KioskHealth,
): Promise<void> {
  const { store, http, logger, report } = ctx;
  const { attendance } = store;
  let batch = batchSize;
  for (;;) {
    stopIfSuperseded(ctx);
    const rows = attendance.pending(batch);
    // A row whose payload no longer parses can never be sent: set it aside, visibly, instead of blocking the queue.
    const broken = rows
      .filter((r) => r.event === null)
      .map((r) => ({ id: r.eventId, status: 'rejected' as const, reason: 'outbox payload is damaged' }));
    if (broken.length) attendance.applyResults(broken, ctx.now().toISOString());
    const events = rows.map((r) => r.event).filter((e): e is AttendanceEvent => e !== null);
    if (events.length === 0) return;
    attendance.bumpAttempts(events.map((e) => e.id));
    const at = ctx.now().toISOString();
    let res;
    logger.info({ event: 'push_start', count: events.length }, 'pushing attendance');
    try {
      // The server keeps this health until the next push, which may be tomorrow's first mark:
      // the batch it carries is delivered by this push, so only what stays behind is waiting.
      const now = health();
      res = await http.pushAttendance({
        events,
        health: { ...now, queueDepth: Math.max(0, now.queueDepth - events.length) },
      });
    } catch (err) {
      stopIfSuperseded(ctx);
      store.sync.addHistory(
        at,
        'push',
        false,
        `${events.length} events: ${err instanceof Error ? err.message : String(err)}`,
      );
      // The server refused the whole batch as malformed: halve it until the one bad event
      // is alone, then set that one aside with the server's reason. The rest still flows.
      if (
        err instanceof SyncError &&
        err.kind === 'rejected' &&
        (err.status === 400 || err.status === 413 || err.status === 422)
      ) {
        if (events.length > 1) {
          batch = Math.ceil(events.length / 2);
          continue;
        }
        attendance.applyResults([{ id: events[0]?.id ?? '', status: 'rejected', reason: err.message }], at);
        report.pushed.rejected++;
        batch = batchSize;
        continue;
      }
      throw err;
    }
    stopIfSuperseded(ctx);
    const sent = new Set(events.map((e) => e.id));
    const results = res.results.filter((r) => sent.has(r.id));
    attendance.applyResults(results, at);
    const counts = { accepted: 0, duplicate: 0, rejected: 0 };
    for (const r of results) counts[r.status]++;
    report.pushed.accepted += counts.accepted;
    report.pushed.duplicate += counts.duplicate;
    report.pushed.rejected += counts.rejected;
    store.sync.set('lastPushAt', at);
    logger.info({ event: 'push_done', ...counts }, 'attendance pushed');
    const reasons = results
      .filter((r) => r.status === 'rejected')
      .map((r) => `${r.id}: ${r.reason ?? 'no reason'}`);
    store.sync.addHistory(
      at,
      'push',
      counts.rejected === 0,
      `${counts.accepted} accepted, ${counts.duplicate} duplicate, ${counts.rejected} rejected${reasons.length ? ` (kept aside: ${reasons.join('; ')})` : ''}`,
    );
    if (counts.rejected)
      logger.warn(
        { rejected: results.filter((r) => r.status === 'rejected') },
        'server rejected events; kept aside',
      );
    ctx.board.emit();
    // An answer that acknowledged nothing would loop forever; stop and retry on the next run.
    if (results.length === 0)
      throw new SyncError('protocol', 'server answered a push without a result for any event');
  }
}
