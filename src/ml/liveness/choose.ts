// The rule that picks the liveness operating points (docs/liveness.md), like the recognition
// threshold's: written down, tested, applied by eval/src/fit-liveness.ts, never set by hand.
//
// A threshold is the HIGHEST (most attacks stopped) such that live people stay within budget:
// - on the development live images, scored out of fold (leave-one-source-out), the share
//   below the threshold is ≤ `maxDevBpcer`;
// - on every live calibration face set (camera photos of real people, e.g. faces-lfw-640),
//   the share below it is ≤ `maxFaceSetBpcer`.
// Live people come first: a kiosk that turns real students away is worse than one a photo can
// fool now and then, so the rule bounds BPCER and takes whatever APCER that leaves.

export interface ThresholdBudget {
  maxDevBpcer: number;
  maxFaceSetBpcer: number;
}

/** The budgets of the two levels an admin can choose. */
export const LEVEL_BUDGETS = {
  standard: { maxDevBpcer: 0.05, maxFaceSetBpcer: 0.01 },
  strict: { maxDevBpcer: 0.05, maxFaceSetBpcer: 0.1 },
} as const satisfies Record<string, ThresholdBudget>;

/** Largest t with (share of `live` scores < t) ≤ maxShare; scores are live presentations' scores. */
export function highestThresholdWithin(live: readonly number[], maxShare: number): number {
  if (live.length === 0) return Infinity;
  const sorted = [...live].sort((a, b) => a - b);
  // Rejecting the k lowest is allowed when k / n ≤ maxShare; the threshold sits just above the
  // k-th lowest score (midway to the next one, so the figure does not hinge on one sample).
  const k = Math.floor(maxShare * sorted.length + 1e-9);
  if (k === 0) return sorted[0]!;
  const below = sorted[k - 1]!;
  const at = sorted[k]!;
  return at === undefined ? below : (below + at) / 2;
}

export function chooseLivenessThreshold(
  devLiveOutOfFold: readonly number[],
  faceSets: readonly (readonly number[])[],
  budget: ThresholdBudget,
): number {
  let t = highestThresholdWithin(devLiveOutOfFold, budget.maxDevBpcer);
  for (const set of faceSets) t = Math.min(t, highestThresholdWithin(set, budget.maxFaceSetBpcer));
  return t;
}
