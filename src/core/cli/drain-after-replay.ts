// --exit-when-done: what the headless kiosk does once its replay has ended, before it exits.
import type { Logger } from 'pino';
import type { KioskRuntime } from '../kiosk.js';

/**
 * Waits for the frames still in the pipeline, keeps syncing (the schedule and backoff keep
 * running) until the outbox is empty, then syncs once more so the server hears the camera's last
 * state. The camera reports itself only with a roster pull, and the last pull may have been
 * before the replay even ran: without this, the console's Kiosks page kept showing the camera as
 * "starting" (or "working") for a kiosk that had stopped it and gone. Unpaired, there is no server
 * to send to (and no roster, so nothing was marked).
 */
export async function drainAfterReplay(
  kiosk: Pick<KioskRuntime, 'idle' | 'sync' | 'stats'>,
  logger: Logger,
  pollMs = 250,
): Promise<void> {
  await kiosk.idle();
  logger.info({ event: 'replay_done', ...kiosk.stats() }, 'replay finished; pushing what is left');
  const paired = kiosk.sync.status().paired;
  for (;;) {
    const st = kiosk.sync.status();
    if (!paired || (st.queueDepth === 0 && st.templateQueueDepth === 0 && !st.syncing)) break;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  logger.info({ event: 'drained' }, 'outbox empty');
  if (!paired) return;
  const last = await kiosk.sync.syncNow();
  if (!last.ok)
    logger.warn(
      { event: 'final_report_failed', err: last.error },
      "the server was not told this kiosk's camera stopped; its Kiosks page shows the last state it heard",
    );
}
