// The shipped liveness fusion: weights fitted by eval/src/fit-liveness.ts on the development set
// (the spoof-dev development set, single images), operating points chosen by the rule in
// chooseLivenessThresholds() (docs/liveness.md). Copied here from the script's output: do not
// edit by hand.
import type { FeatureName } from './features.js';
import type { LogisticModel } from './logistic.js';

export interface LivenessCalibration {
  /** Names this fit; printed by eval:spoof and stored with audit entries. */
  id: string;
  features: FeatureName[];
  model: LogisticModel;
  /** Fused-score thresholds (logits) per level. */
  thresholds: { standard: number; strict: number };
  /** Scored frames a visit needs before it is decided. */
  minFrames: number;
}

// `npx tsx eval/src/fit-liveness.ts <spoof-dev dump> --live <faces-lfw-640 dump> --tag content-crop`
// (docs/liveness.md): leave-one-source-out picked FASNet + Human's antispoof (antispoof's weight is
// near zero: it barely helps); thresholds by LEVEL_BUDGETS, with FASNet's context crop kept inside
// the picture (content-box.ts). Scores are logits of the fused probability.
export const LIVENESS_CALIBRATION: LivenessCalibration = {
  id: 'fusion-fasnet+antispoof-content-crop-2026-12-06',
  features: ['fasnet', 'antispoof'],
  model: { mean: [-2.8171, 0.9133], std: [5.7216, 0.7043], weights: [2.5552, 0.0486], bias: -0.735 },
  thresholds: { standard: -1.1238, strict: -0.3781 },
  minFrames: 2,
};
