// Frames pushed from outside the core: Electron's renderer grabs getUserMedia frames and
// sends them over IPC, or the browser bridge posts them. The core only receives.
import type { CameraListener, CameraSource } from './types.js';

export class PushCamera implements CameraSource {
  readonly kind = 'push' as const;
  private listener: CameraListener | null = null;
  private seq = 0;

  /** `clock`: the kiosk's, so a frame's `capturedAt` is on the same time line as its decisions. */
  constructor(private readonly clock: () => number = () => Date.now()) {}

  start(listener: CameraListener): void {
    this.listener = listener;
    listener.status('starting', 'waiting for frames from the UI');
  }

  push(data: Uint8Array): void {
    if (!this.listener) return;
    if (this.seq === 0) this.listener.status('running', 'frames from the UI');
    this.listener.frame(data, { index: this.seq++, capturedAt: this.clock() });
  }

  async stop(): Promise<void> {
    this.listener?.status('stopped', null);
    this.listener = null;
  }
}

export class NoCamera implements CameraSource {
  readonly kind = 'none' as const;
  start(listener: CameraListener): void {
    listener.status('stopped', 'no camera configured');
  }
  async stop(): Promise<void> {}
}
