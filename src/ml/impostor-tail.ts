// The upper tail of impostor similarity scores, for the decision rule's gallery model
// (decision-rule.ts) and the calibration script (eval/src/calibrate.ts).
/**
 * Exponential fit of the upper tail of impostor scores (peaks over threshold with a generalised
 * Pareto shape of 0, the usual extreme-value model for light-tailed scores): above u, the
 * (1 − tailFraction) quantile, P(S > t) ≈ pU · exp(−(t − u) / beta), beta = the mean excess over u.
 */
export interface ExponentialTail {
  u: number;
  pU: number;
  beta: number;
  samples: number;
}

export function fitExponentialTail(scores: readonly number[], tailFraction = 0.01): ExponentialTail {
  if (!(tailFraction > 0 && tailFraction < 1)) throw new RangeError('tailFraction must be in (0, 1)');
  const sorted = [...scores].sort((a, b) => b - a);
  const k = Math.floor(sorted.length * tailFraction);
  if (k < 10)
    throw new RangeError(
      `too few scores for a tail fit: ${sorted.length} (need ${Math.ceil(10 / tailFraction)})`,
    );
  const u = sorted[k]!;
  let excess = 0;
  for (let i = 0; i < k; i++) excess += sorted[i]! - u;
  return { u, pU: k / sorted.length, beta: excess / k, samples: sorted.length };
}
