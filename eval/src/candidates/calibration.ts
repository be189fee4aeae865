// Operating points of the candidate embedders and their fusions, derived exactly as the
// shipped one's (src/ml/calibration.ts has the rule and the data set). Measured for
// docs/recognition.md; the product never reads them.
import { CALIBRATION, type CalibrationTable } from '../../../src/ml/calibration.js';

export const CANDIDATE_CALIBRATION: CalibrationTable = {
  // Fusions with Human's embedders: all below faceplugin alone on the calibration set.
  'faceplugin+faceres-aligned': { threshold: 0.51, minMargin: 0.09 },
  'faceplugin+mobileface': { threshold: 0.39, minMargin: 0.12 },
  'faceplugin+faceres-aligned+mobileface': { threshold: 0.42, minMargin: 0.15 },
  // The previous shipped pipeline (calibration tpir 0.843 at fpir 0.004).
  'faceres-aligned+mobileface': { threshold: 0.52, minMargin: 0.07 },
  // The same pipeline when every template photo is also enrolled mirrored (--mirror-templates).
  'faceres-aligned+mobileface+mirror': { threshold: 0.53, minMargin: 0.04 },
  // Alternatives measured for docs/recognition.md.
  'faceres+mobileface': { threshold: 0.53, minMargin: 0.06 },
  'faceres-aligned+mobileface+dlib': { threshold: 0.67, minMargin: 0.03 },
  'faceres-aligned': { threshold: 0.68, minMargin: 0.01 },
  faceres: { threshold: 0.66, minMargin: 0.09 },
  'faceres-deep': { threshold: 0.73, minMargin: 0.1 },
  mobileface: { threshold: 0.43, minMargin: 0.02 },
  dlib: { threshold: 0.97, minMargin: 0.01 },
};

/** The shipped embedder's points and the candidates', for the eval tools. */
export const EVAL_CALIBRATION: CalibrationTable = { ...CALIBRATION, ...CANDIDATE_CALIBRATION };
