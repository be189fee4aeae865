// The liveness decision: is the face at the door a live person, or a photo, a screen or a mask?
// One fused score per frame (a logistic regression over the presentation signals, weights fitted
// offline by eval/src/fit-liveness.ts, calibration.ts), and a per-visit accumulator that decides
// over the frames of one person's visit as they arrive. The same code decides for the kiosk
// (src/core/attendance/engine.ts) and for `npm run eval:spoof`. docs/liveness.md has the
// measurements and the operating points.
import { z } from 'zod';
import type { DetectedFace } from '../types.js';
import { LIVENESS_CALIBRATION, type LivenessCalibration } from './calibration.js';
import { allFeatures, FEATURE_NAMES } from './features.js';
import { predictLogit } from './logistic.js';

export const LivenessLevelSchema = z.enum(['standard', 'strict']);
export type LivenessLevel = z.infer<typeof LivenessLevelSchema>;

/**
 * The fused liveness score of one face (a logit: > threshold means live), or null when the face
 * carries no presentation signals (an engine started with `presentation: false`, or a bad frame).
 */
export function frameLivenessScore(
  face: Pick<DetectedFace, 'antispoof' | 'liveness' | 'presentation'>,
  cal: LivenessCalibration = LIVENESS_CALIBRATION,
): number | null {
  const all = allFeatures(face);
  if (!all) return null;
  const x = cal.features.map((f) => all[FEATURE_NAMES.indexOf(f)]!);
  const z = predictLogit(cal.model, x);
  return Number.isFinite(z) ? z : null;
}

export function livenessThreshold(
  level: LivenessLevel,
  cal: LivenessCalibration = LIVENESS_CALIBRATION,
): number {
  return cal.thresholds[level];
}

/** A single image: accepted when its fused score reaches the level's threshold. */
export function imageIsLive(
  face: Pick<DetectedFace, 'antispoof' | 'liveness' | 'presentation'>,
  level: LivenessLevel,
  cal: LivenessCalibration = LIVENESS_CALIBRATION,
): boolean {
  const s = frameLivenessScore(face, cal);
  return s !== null && s >= livenessThreshold(level, cal);
}

export type LivenessVerdict = 'live' | 'rejected' | 'pending';

export interface LivenessDecision {
  verdict: LivenessVerdict;
  /** Mean fused score over the visit's scored frames (NaN when none). */
  score: number;
  /** Frames with a score in the visit. */
  frames: number;
  threshold: number;
  level: LivenessLevel;
  /** Means over the same frames of the raw signals, for the audit log. */
  signals: { antispoof: number; liveness: number; fasnet: number } | null;
}

interface ScoredFrame {
  at: number;
  score: number;
  antispoof: number;
  liveness: number;
  fasnet: number;
}

/**
 * The frames of one person's visit (one face, as tracked or as recognised): their fused scores,
 * kept for `visitMs`. `decide()` averages them: a single lucky frame cannot pass, a single
 * glare frame cannot reject. Self-contained, so it can hang off a vote window or a face track.
 */
export class LivenessVisit {
  private readonly frames: ScoredFrame[] = [];

  constructor(
    private readonly cal: LivenessCalibration = LIVENESS_CALIBRATION,
    private readonly visitMs = 4_000,
  ) {}

  /** Adds one analysed frame of this person. A face without signals (bad frame) adds nothing. */
  add(
    face: Pick<DetectedFace, 'antispoof' | 'liveness' | 'presentation'> | null | undefined,
    at: number,
  ): void {
    if (!face) return;
    const score = frameLivenessScore(face, this.cal);
    if (score === null) return;
    this.frames.push({
      at,
      score,
      antispoof: face.antispoof,
      liveness: face.liveness,
      fasnet: face.presentation?.fasnet ?? 0,
    });
    while (this.frames.length > 1 && at - this.frames[0]!.at > this.visitMs) this.frames.shift();
  }

  get length(): number {
    return this.frames.length;
  }

  reset(): void {
    this.frames.length = 0;
  }

  /** `pending` until the calibration's minimum number of scored frames is in. */
  decide(level: LivenessLevel): LivenessDecision {
    const threshold = livenessThreshold(level, this.cal);
    const n = this.frames.length;
    const mean = (k: keyof Omit<ScoredFrame, 'at'>) => this.frames.reduce((s, f) => s + f[k], 0) / n;
    if (n === 0) return { verdict: 'pending', score: Number.NaN, frames: 0, threshold, level, signals: null };
    const score = mean('score');
    const signals = { antispoof: mean('antispoof'), liveness: mean('liveness'), fasnet: mean('fasnet') };
    const verdict: LivenessVerdict =
      n < this.cal.minFrames ? 'pending' : score >= threshold ? 'live' : 'rejected';
    return { verdict, score, frames: n, threshold, level, signals };
  }
}
