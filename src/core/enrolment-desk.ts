// The enrolment in progress at this kiosk (at most one): started from the admin area, fed
// every analysed frame while it runs, and stored as local templates when it has its shots.
import type { Logger } from 'pino';
import type { KioskState } from '../contracts/kiosk-api.js';
import type { FrameAnalysis } from '../ml/types.js';
import type { AttendanceEngine } from './attendance/engine.js';
import { EnrolmentSession } from './enrolment.js';
import type { KioskStore } from './store/index.js';

export class EnrolmentDesk {
  current: EnrolmentSession | null = null;

  constructor(
    private readonly o: {
      store: KioskStore;
      now: () => Date;
      newId: () => string;
      logger: Logger;
      attendance: AttendanceEngine;
      /** The stored templates wait in the outbox: tell sync. */
      onStored: () => void;
    },
  ) {}

  start(studentId: string, shots: number): EnrolmentSession {
    this.current = new EnrolmentSession(studentId, shots, () => this.o.now().getTime());
    return this.current;
  }

  /**
   * Offers a frame to the running enrolment. Returns the faces to draw (with the enrolment's
   * hint), or null when no enrolment runs and the frame belongs to the door.
   */
  offer(analysis: FrameAnalysis, modelId: string): KioskState['faces'] | null {
    const enrolling = this.current;
    if (!enrolling || enrolling.done) return null;
    if (enrolling.offer(analysis) && enrolling.done) this.store(enrolling, modelId);
    return analysis.faces.map((f) => ({
      box: [
        f.box[0] / analysis.width,
        f.box[1] / analysis.height,
        f.box[2] / analysis.width,
        f.box[3] / analysis.height,
      ],
      label: null,
      state: f.gateFailures.length ? 'gated' : 'candidate',
      hint: enrolling.hint,
    }));
  }

  private store(session: EnrolmentSession, modelId: string): void {
    const { store, newId, logger } = this.o;
    const createdAt = this.o.now().toISOString();
    store.transaction(() => {
      // Shots the server refused earlier were shown on the roster until now; this enrolment
      // replaces them (and they are faces the server found unlike the student: not kept).
      store.templates.deleteRejectedOf(session.studentId);
      for (const shot of session.captured()) {
        store.templates.upsert({
          id: newId(),
          studentId: session.studentId,
          modelId,
          embedding: shot.embedding,
          quality: shot.quality,
          origin: 'local',
          createdAt,
        });
      }
      store.audit.record(createdAt, 'enrol', {
        studentId: session.studentId,
        templates: session.captured().length,
        modelId,
      });
    });
    this.o.attendance.reloadGallery();
    logger.info({ studentId: session.studentId, templates: session.captured().length }, 'enrolment stored');
    this.o.onStored();
  }
}
