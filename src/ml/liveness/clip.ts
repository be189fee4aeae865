// A clip (frames in order) through the door's liveness rule, as `npm run eval:spoof` and the
// tests feed it: the largest face of each frame goes into one LivenessVisit; a frame with no
// face ends the visit (as the kiosk's vote window does when the doorway empties); a frame that
// could not be read is skipped; a gated face (too small, blurred, …) is neutral, since the
// kiosk never matches it. The clip is accepted at the first frame where the visit has at least
// `votesNeeded` faces and its verdict is `live` — the moment the kiosk would mark.
import type { FrameAnalysis } from '../types.js';
import { LIVENESS_CALIBRATION, type LivenessCalibration } from './calibration.js';
import { LivenessVisit, type LivenessLevel } from './decision.js';

export interface ClipFrame {
  /** null: the frame could not be read (corrupt, missing). */
  analysis: FrameAnalysis | null;
  /** Milliseconds since the clip's first frame. */
  at: number;
}

export interface ClipDecision {
  accepted: boolean;
  /** The visit's mean score when accepted, else at the last scored frame (null if none). */
  score: number | null;
  /** Some frame had a face. */
  anyFace: boolean;
  /** Index of the frame at which it was accepted. */
  acceptedAtFrame: number | null;
}

export function decideClip(
  frames: Iterable<ClipFrame>,
  level: LivenessLevel,
  votesNeeded: number,
  cal: LivenessCalibration = LIVENESS_CALIBRATION,
): ClipDecision {
  const visit = new LivenessVisit(cal);
  let anyFace = false;
  let score: number | null = null;
  let i = -1;
  for (const frame of frames) {
    i++;
    if (!frame.analysis) continue;
    const face = frame.analysis.faces[0];
    if (!face) {
      visit.reset();
      continue;
    }
    anyFace = true;
    if (face.gateFailures.length > 0) continue;
    visit.add(face, frame.at);
    const d = visit.decide(level);
    if (d.frames > 0) score = d.score;
    if (visit.length >= votesNeeded && d.verdict === 'live')
      return { accepted: true, score, anyFace, acceptedAtFrame: i };
  }
  return { accepted: false, score, anyFace, acceptedAtFrame: null };
}
