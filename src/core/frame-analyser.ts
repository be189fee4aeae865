// One camera frame through recognition: the face engine analyses it, then either the running
// enrolment takes it (the door does not mark the person being enrolled) or the attendance
// engine decides, and the view and the decision listeners hear about it.
import type { Logger } from 'pino';
import type { AttendanceEngine, Decision } from './attendance/engine.js';
import type { FrameMeta } from './camera/index.js';
import type { EnrolmentDesk } from './enrolment-desk.js';
import type { FaceEngineSlot } from './face-engine-slot.js';
import type { KioskView } from './view-state.js';

export type DecisionListener = (d: Decision & { frame: FrameMeta }) => void;

export class FrameAnalyser {
  private readonly decisionListeners = new Set<DecisionListener>();

  constructor(
    private readonly o: {
      faceEngine: FaceEngineSlot;
      attendance: AttendanceEngine;
      enrolment: EnrolmentDesk;
      view: KioskView;
      now: () => Date;
      logger: Logger;
      /** A mark was written: sync pushes it soon. */
      onMarked: () => void;
    },
  ) {}

  onDecision(l: DecisionListener): () => void {
    this.decisionListeners.add(l);
    return () => this.decisionListeners.delete(l);
  }

  async analyse(data: Uint8Array, meta: FrameMeta): Promise<void> {
    const { faceEngine: slot, attendance, enrolment, view, logger } = this.o;
    const faceEngine = slot.engine;
    if (!faceEngine) return;
    let analysis;
    try {
      analysis = await faceEngine.analyse(data);
    } catch (err) {
      // A dead engine is not a bad frame: say so on the status line (the frame is still counted as skipped).
      const code = (err as { code?: unknown }).code;
      if (code === 'crashed' || code === 'disposed') {
        slot.failed(err);
        view.emit();
      }
      throw err;
    }
    // A frame of a camera replaced while it was being analysed is not the preview.
    if (meta.epoch === undefined || meta.epoch === view.epoch) {
      view.frame = { width: analysis.width, height: analysis.height, seq: meta.index, epoch: view.epoch };
      view.frameData = { seq: meta.index, epoch: view.epoch, data };
    }
    const enrolmentFaces = enrolment.offer(analysis, faceEngine.modelId);
    if (enrolmentFaces) {
      view.faces = enrolmentFaces;
      view.emit();
      return;
    }
    const outcome = attendance.processFrame(analysis, meta.index);
    view.faces = outcome.faces;
    if (logger.isLevelEnabled('debug')) {
      logger.debug(
        {
          event: 'frame',
          index: meta.index,
          capturedAt: meta.capturedAt,
          inferenceMs: Math.round(analysis.inferenceMs),
          faces: outcome.faces.map((f) => ({ state: f.state, label: f.label, hint: f.hint })),
        },
        'frame analysed',
      );
    }
    for (const d of outcome.decisions) {
      view.greet(d);
      logger.info(
        {
          event: 'decision',
          kind: d.kind,
          studentId: d.studentId,
          sessionId: d.sessionId,
          eventId: d.eventId,
          scores: d.scores,
          frameIndex: meta.index,
          frameCapturedAt: meta.capturedAt,
          decidedAt: this.o.now().getTime(),
        },
        d.message,
      );
      for (const l of this.decisionListeners) l({ ...d, frame: meta });
      if (d.eventId) this.o.onMarked();
    }
    view.emit();
  }
}
