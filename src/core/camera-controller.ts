// The camera as the kiosk runs it: one source at a time (from a spec or given), its frames
// into the pipeline, its status onto the screen; a restart with a new spec drops the old
// source's late frames and statuses. Every start is a new preview epoch: a camera's frame
// index restarts at 0, so (index) alone would name an older picture again, and the page's
// image cache would show it (a previous student's face under a new greeting).
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { KioskState } from '../contracts/kiosk-api.js';
import {
  createCamera,
  PushCamera,
  type CameraSource,
  type CameraStatus,
  type FramePipeline,
} from './camera/index.js';

export class CameraController {
  readonly status: Omit<KioskState['camera'], 'fps'> = { status: 'starting', detail: null };
  private source: CameraSource | null = null;
  private readonly launchId = randomUUID().slice(0, 8);
  private starts = 0;
  /** Which camera start the current frames come from: new for every launch and every (re)start. */
  epoch = `${this.launchId}-0`;

  /**
   * `onNewCamera`: a (re)start; the view forgets the old camera's picture and faces. `clock` (ms):
   * the kiosk's, which the sources built from a spec stamp their frames with.
   */
  constructor(
    private readonly o: {
      pipeline: FramePipeline;
      logger: Logger;
      onChange: () => void;
      onNewCamera?: (epoch: string) => void;
      clock?: () => number;
    },
  ) {}

  /** The page opens getUserMedia and pushes frames (camera spec `push`). */
  get takesPushedFrames(): boolean {
    return this.source instanceof PushCamera;
  }

  start(spec: string | CameraSource): void {
    const { pipeline, logger, onChange } = this.o;
    this.epoch = `${this.launchId}-${++this.starts}`;
    this.o.onNewCamera?.(this.epoch);
    const epoch = this.epoch;
    try {
      this.source = typeof spec === 'string' ? createCamera(spec, this.o.clock) : spec;
    } catch (err) {
      this.status.status = 'error';
      this.status.detail = err instanceof Error ? err.message : String(err);
      logger.error({ spec }, this.status.detail);
      onChange();
      return;
    }
    const source = this.source;
    source.start({
      frame: (data, meta) => {
        if (this.source === source) pipeline.offer(data, { ...meta, epoch });
      },
      status: (status: CameraStatus, detail) => {
        if (this.source !== source) return;
        this.status.status = status;
        this.status.detail = detail;
        logger.info({ event: 'camera', status, detail }, `camera ${status}`);
        onChange();
      },
      skipped: (n) => pipeline.addDropped(n),
    });
  }

  /** Runs no camera and shows why (a spec this run may not play). */
  refuse(detail: string): void {
    const old = this.source;
    this.source = null;
    void old?.stop();
    this.status.status = 'error';
    this.status.detail = detail;
    this.o.logger.warn({ event: 'camera', status: 'error', detail }, detail);
    this.o.onChange();
  }

  restart(spec: string): void {
    const old = this.source;
    this.source = null;
    void old?.stop();
    this.start(spec);
  }

  push(data: Uint8Array): void {
    if (this.source instanceof PushCamera) this.source.push(data);
  }

  async stop(): Promise<void> {
    await this.source?.stop();
  }
}
