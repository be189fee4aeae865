// The frame pipeline between a camera and recognition. It never queues without bound:
// one frame is analysed at a time and at most ONE waits (the newest); when recognition is
// busy an older waiting frame is replaced and counted as dropped. A frame the engine cannot
// decode is counted as corrupt and skipped; it never stops the pipeline.
import type { Logger } from 'pino';
import type { FrameMeta } from './types.js';

export interface PipelineCounters {
  received: number;
  analysed: number;
  dropped: number;
  corrupt: number;
}

export class FramePipeline {
  readonly counters: PipelineCounters = { received: 0, analysed: 0, dropped: 0, corrupt: 0 };
  private busy = false;
  private waiting: { data: Uint8Array; meta: FrameMeta } | null = null;
  private readonly done: number[] = [];
  private readonly timings: number[] = [];
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly analyse: (data: Uint8Array, meta: FrameMeta) => Promise<void>,
    private readonly logger: Logger,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  offer(data: Uint8Array, meta: FrameMeta): void {
    if (this.closed) return;
    this.counters.received++;
    if (this.busy) {
      if (this.waiting) this.counters.dropped++;
      this.waiting = { data, meta };
      return;
    }
    void this.run({ data, meta });
  }

  /** Frames the source skipped before they reached us count as dropped too. */
  addDropped(n: number): void {
    this.counters.dropped += n;
  }

  private async run(job: { data: Uint8Array; meta: FrameMeta }): Promise<void> {
    this.busy = true;
    let next: typeof job | null = job;
    while (next && !this.closed) {
      const started = this.clock();
      try {
        await this.analyse(next.data, next.meta);
        this.counters.analysed++;
        this.record(started);
      } catch (err) {
        this.counters.corrupt++;
        // Log the first few and then every 100th, so a broken camera cannot flood the log.
        if (this.counters.corrupt <= 5 || this.counters.corrupt % 100 === 0) {
          this.logger.warn(
            {
              err: err instanceof Error ? err.message : String(err),
              corrupt: this.counters.corrupt,
              index: next.meta.index,
            },
            'frame skipped',
          );
        }
      }
      next = this.waiting;
      this.waiting = null;
    }
    this.busy = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private record(started: number): void {
    const t = this.clock();
    this.done.push(t);
    this.timings.push(t - started);
    while (this.done.length > 0 && (this.done[0] ?? 0) < t - 5000) this.done.shift();
    if (this.timings.length > 200) this.timings.shift();
  }

  /** Analysed frames per second over the last 5 s. */
  fps(): number {
    const t = this.clock();
    const recent = this.done.filter((d) => d >= t - 5000);
    if (recent.length < 2) return recent.length / 5;
    const span = Math.max(1, t - (recent[0] ?? t));
    return Math.round((recent.length / Math.max(span, 1000)) * 1000 * 10) / 10;
  }

  /** Per-frame recognition time percentiles over the last 200 frames. */
  timing(): { p50: number; p95: number } | null {
    if (this.timings.length === 0) return null;
    const sorted = [...this.timings].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return { p50: at(0.5), p95: at(0.95) };
  }

  /** Resolves when nothing is being analysed (tests and shutdown). */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiting = null;
    await this.idle();
  }
}
