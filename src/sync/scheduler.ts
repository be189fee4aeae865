// When sync runs: on a schedule, soon after a mark (debounced so a burst of arrivals goes in
// one batch), on demand, and after a failure with backoff (jitter, or as long as the server's
// Retry-After says). One run at a time: a trigger during a run is remembered and runs after it.
// Backoff deadlines are read from the kiosk's one injected clock.
import type { Logger } from 'pino';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import type { SyncError } from './http.js';

export type SyncReason =
  'schedule' | 'mark' | 'manual' | 'reconnect' | 'pair' | 'retry' | 'start' | 'pin_recovery';

export interface SchedulerOptions<R> {
  run: (reason: SyncReason) => Promise<R>;
  /** What a trigger answers once the scheduler is closed. */
  closedResult: () => R;
  now: () => Date;
  logger: Logger;
  intervalMs: number;
  markDebounceMs: number;
  backoff: BackoffPolicy;
  random: () => number;
}

export class SyncScheduler<R> {
  private running: Promise<R> | null = null;
  private again: SyncReason | null = null;
  private timer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private failures = 0;
  private nextRetryAt = 0;
  private closed = false;

  constructor(private readonly o: SchedulerOptions<R>) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** Start the periodic schedule and an immediate first run. */
  start(): void {
    if (this.closed || this.timer) return;
    this.timer = setInterval(() => void this.trigger('schedule'), this.o.intervalMs);
    this.timer.unref?.();
    void this.trigger('start');
  }

  /** Run soon (debounced), unless backing off after failures. */
  soon(reason: SyncReason): void {
    if (this.closed || this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = null;
      if (!this.backingOff()) void this.trigger(reason);
    }, this.o.markDebounceMs);
    this.debounce.unref?.();
  }

  /** Run now unless backing off (the retry will run anyway). */
  unlessBackingOff(reason: SyncReason): void {
    if (this.closed) return;
    if (!this.backingOff()) void this.trigger(reason);
  }

  trigger(reason: SyncReason): Promise<R> {
    if (this.closed) return Promise.resolve(this.o.closedResult());
    if (this.running) {
      this.again = reason;
      return this.running;
    }
    const run = this.o.run(reason).finally(() => {
      this.running = null;
      const next = this.again;
      this.again = null;
      if (next && !this.closed && (next === 'manual' || !this.backingOff())) void this.trigger(next);
    });
    this.running = run;
    return run;
  }

  /** A run (or pairing) reached the server: forget the backoff. */
  succeeded(): void {
    this.failures = 0;
    this.nextRetryAt = 0;
  }

  scheduleRetry(err: SyncError | null): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.closed) return;
    this.failures++;
    const delay = Math.max(
      err?.retryAfterMs ?? 0,
      backoffDelay(this.failures, this.o.backoff, this.o.random),
    );
    this.nextRetryAt = this.o.now().getTime() + delay;
    this.retryTimer = setTimeout(() => void this.trigger('retry'), delay);
    this.retryTimer.unref?.();
    this.o.logger.info(
      { delayMs: delay, failures: this.failures, retryAfterMs: err?.retryAfterMs ?? null },
      'sync retry scheduled',
    );
  }

  private backingOff(): boolean {
    return this.o.now().getTime() < this.nextRetryAt;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of [this.timer, this.retryTimer, this.debounce]) if (t) clearTimeout(t);
    this.timer = this.retryTimer = this.debounce = null;
    await this.running?.catch(() => undefined);
  }
}
