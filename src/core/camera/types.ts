// One interface for every frame source: a USB webcam, a replayed folder, frames pushed
// from outside (Electron's getUserMedia over IPC, or the browser bridge).
import type { z } from 'zod';
import type { CameraStatus as CameraStatusSchema } from '../../contracts/kiosk-api.js';

export type CameraStatus = z.infer<typeof CameraStatusSchema>;

export interface FrameMeta {
  /** Source-specific frame index (replay: file index in the folder, which the scenario uses). */
  index: number;
  /** When the frame was captured (replay: when it was due on the schedule). */
  capturedAt: number;
  /** Set by the kiosk: which camera start the frame came from (see the preview epoch in kiosk.ts). */
  epoch?: string;
}

export interface CameraListener {
  frame(data: Uint8Array, meta: FrameMeta): void;
  status(status: CameraStatus, detail: string | null): void;
  /** Frames the source itself skipped (a replay that fell behind its schedule). */
  skipped?(count: number): void;
}

export interface CameraSource {
  readonly kind: 'webcam' | 'replay' | 'push' | 'none';
  start(listener: CameraListener): void;
  stop(): Promise<void>;
}
