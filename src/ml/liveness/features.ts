// The per-frame features the liveness fusion reads from one analysed face. Shared by the kiosk
// (decision.ts) and the offline fitting (eval/src/fit-liveness.ts), so both see the same numbers.
import type { DetectedFace } from '../types.js';

/** logit(p), with p clamped so a saturated model score stays finite. */
export function logit(p: number): number {
  const q = Math.min(1 - 1e-4, Math.max(1e-4, Number.isFinite(p) ? p : 0.5));
  return Math.log(q / (1 - q));
}

export const FEATURE_NAMES = [
  'antispoof', // Human's antispoof, logit
  'liveness', // Human's liveness, logit
  'fasnet', // fr_liveness.onnx live probability, logit
  'fineDetail', // log of the texture fine-detail ratio
  'saturation',
  'glare',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** All candidate features of a face, in FEATURE_NAMES order; null without presentation signals. */
export function allFeatures(
  face: Pick<DetectedFace, 'antispoof' | 'liveness' | 'presentation'>,
): number[] | null {
  const p = face.presentation;
  if (!p) return null;
  return [
    logit(face.antispoof),
    logit(face.liveness),
    logit(p.fasnet),
    Math.log(Math.max(1e-3, p.fineDetail)),
    p.saturation,
    p.glare,
  ];
}
