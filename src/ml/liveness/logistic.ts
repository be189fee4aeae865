// A small L2-regularised logistic regression (Newton / IRLS) for fusing liveness signals.
// Only used offline by eval/src/fit-liveness.ts; the kiosk ships the fitted weights.

export interface LogisticModel {
  /** Per-feature mean and standard deviation used to standardise inputs. */
  mean: number[];
  std: number[];
  /** Weights on standardised features, then the bias. */
  weights: number[];
  bias: number;
}

export function predictLogit(m: LogisticModel, x: readonly number[]): number {
  let z = m.bias;
  for (let j = 0; j < m.weights.length; j++) z += (m.weights[j]! * (x[j]! - m.mean[j]!)) / m.std[j]!;
  return z;
}

/** Solves A·x = b (small, symmetric positive definite) by Gaussian elimination with pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const piv = m[c]![c]! || 1e-12;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / piv;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / (row[i]! || 1e-12));
}

/**
 * Fits y ∈ {0, 1} on rows x with sample weights w and L2 penalty `lambda` on the (standardised)
 * weights, not on the bias.
 */
export function fitLogistic(
  x: number[][],
  y: number[],
  w: number[] = [],
  lambda = 1,
  iterations = 50,
): LogisticModel {
  const d = x[0]?.length ?? 0;
  const n = x.length;
  const weight = (i: number) => w[i] ?? 1;
  const mean = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j]!, 0) / n);
  const std = Array.from(
    { length: d },
    (_, j) => Math.sqrt(x.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / n) || 1,
  );
  const z = x.map((r) => [...r.map((v, j) => (v - mean[j]!) / std[j]!), 1]);
  let beta = new Array<number>(d + 1).fill(0);
  for (let it = 0; it < iterations; it++) {
    const grad = new Array<number>(d + 1).fill(0);
    const hess = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    for (let i = 0; i < n; i++) {
      const zi = z[i]!;
      const eta = zi.reduce((s, v, j) => s + v * beta[j]!, 0);
      const p = 1 / (1 + Math.exp(-eta));
      const wi = weight(i);
      for (let j = 0; j <= d; j++) {
        grad[j]! += wi * (p - y[i]!) * zi[j]!;
        for (let k = 0; k <= d; k++) hess[j]![k]! += wi * p * (1 - p) * zi[j]! * zi[k]!;
      }
    }
    for (let j = 0; j < d; j++) {
      grad[j]! += lambda * beta[j]!;
      hess[j]![j]! += lambda;
    }
    hess[d]![d]! += 1e-9;
    const step = solve(hess, grad);
    beta = beta.map((b, j) => b - step[j]!);
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  return { mean, std, weights: beta.slice(0, d), bias: beta[d]! };
}
