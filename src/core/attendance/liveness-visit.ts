// Liveness per visit at the door: one LivenessVisit (src/ml/liveness/decision.ts) per person
// being recognised, fed the frames their face was accepted in, reset when the doorway empties.
// Kept apart from the vote window so it can move onto a per-track structure unchanged: the
// engine calls `add` for each accepted face, `check` when someone wins the vote, `end` when the
// visit ends.
import type { DetectedFace } from '../../ml/types.js';
import { LivenessVisit, type LivenessDecision, type LivenessLevel } from '../../ml/liveness/decision.js';
import { LIVENESS_CALIBRATION } from '../../ml/liveness/calibration.js';

/** What the kiosk shows a visitor whose visit did not pass: an instruction, never an accusation. */
export const LIVENESS_HINT = 'Please look at the camera';

export class DoorLiveness {
  private readonly visits = new Map<string, LivenessVisit>();
  /** People whose current visit was already rejected and audited (one audit line per visit). */
  private readonly rejectedThisVisit = new Set<string>();

  constructor(private readonly visitMs: number) {}

  /** One analysed frame in which `personId`'s face was accepted by the matcher. */
  add(personId: string, face: DetectedFace, at: number): void {
    let v = this.visits.get(personId);
    if (!v) {
      v = new LivenessVisit(LIVENESS_CALIBRATION, this.visitMs);
      this.visits.set(personId, v);
    }
    v.add(face, at);
  }

  /**
   * The decision for someone who just won the vote. `firstRejection` is true once per visit,
   * so the caller writes one audit entry, not one per frame.
   */
  check(personId: string, level: LivenessLevel): LivenessDecision & { firstRejection: boolean } {
    const d = (this.visits.get(personId) ?? new LivenessVisit(LIVENESS_CALIBRATION, this.visitMs)).decide(
      level,
    );
    let firstRejection = false;
    if (d.verdict === 'rejected' && !this.rejectedThisVisit.has(personId)) {
      this.rejectedThisVisit.add(personId);
      firstRejection = true;
    }
    return { ...d, firstRejection };
  }

  /** A decision was taken about this person (marked): their next visit starts afresh. */
  forget(personId: string): void {
    this.visits.delete(personId);
    this.rejectedThisVisit.delete(personId);
  }

  /** The doorway is empty: every visit ends. */
  end(): void {
    this.visits.clear();
    this.rejectedThisVisit.clear();
  }
}
