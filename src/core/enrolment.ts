// Enrolment at the kiosk: capture several good frames of one student (one face, every gate
// passed, a little time apart for variety), give live hints meanwhile, then store the
// embeddings as local templates, which wait in the template outbox for the server.
import type { z } from 'zod';
import type { EnrolProgress as EnrolProgressSchema } from '../contracts/kiosk-api.js';
import type { FrameAnalysis, GateFailure } from '../ml/types.js';
import { GATE_HINTS } from './attendance/engine.js';

export type EnrolProgress = z.infer<typeof EnrolProgressSchema>;

/** Frames kept at least this far apart, so the templates are not N copies of one instant. */
const MIN_GAP_MS = 250;

export interface CapturedShot {
  embedding: Float32Array;
  quality: number;
}

export class EnrolmentSession {
  private readonly shots: CapturedShot[] = [];
  private lastKeptAt = -Infinity;
  hint: string | null = 'Look at the camera';

  constructor(
    readonly studentId: string,
    readonly wanted: number,
    private readonly clock: () => number,
  ) {}

  get done(): boolean {
    return this.shots.length >= this.wanted;
  }

  /** Offer one analysed frame; returns true when it was kept. */
  offer(analysis: FrameAnalysis): boolean {
    if (this.done) return false;
    if (analysis.faces.length === 0) {
      this.hint = 'Step in front of the camera';
      return false;
    }
    if (analysis.faces.length > 1) {
      this.hint = 'One person at a time';
      return false;
    }
    const face = analysis.faces[0];
    if (!face) return false;
    if (face.gateFailures.length > 0) {
      this.hint = GATE_HINTS[face.gateFailures[0] as GateFailure];
      return false;
    }
    const now = this.clock();
    if (now - this.lastKeptAt < MIN_GAP_MS) {
      this.hint = 'Hold still';
      return false;
    }
    this.lastKeptAt = now;
    // A simple quality score in 0..1: sharpness and frontal pose, as measured by the engine.
    const pose = 1 - Math.min(1, (Math.abs(face.quality.yaw) + Math.abs(face.quality.pitch)) / 90);
    const quality =
      Math.round(Math.max(0, Math.min(1, 0.5 * face.quality.sharpness + 0.5 * pose)) * 1000) / 1000;
    this.shots.push({ embedding: face.embedding, quality });
    this.hint = this.done ? 'Done, thank you' : 'Good, keep still';
    return true;
  }

  captured(): readonly CapturedShot[] {
    return this.shots;
  }

  progress(): EnrolProgress {
    return {
      studentId: this.studentId,
      kept: this.shots.length,
      wanted: this.wanted,
      hint: this.hint,
      qualities: this.shots.map((s) => s.quality),
      done: this.done,
    };
  }
}
