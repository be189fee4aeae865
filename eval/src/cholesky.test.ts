import { describe, expect, it } from 'vitest';
import { choleskySolve } from './cholesky.js';

describe('choleskySolve', () => {
  it('solves a symmetric positive definite system', () => {
    // [[4, 2], [2, 3]] x = [2, 1]  →  x = [0.5, 0]
    const x = choleskySolve(new Float64Array([4, 2, 2, 3]), new Float64Array([2, 1]), 2);
    expect(x[0]).toBeCloseTo(0.5, 12);
    expect(x[1]).toBeCloseTo(0, 12);
  });

  it('agrees with the matrix it was given on a 3 × 3 system', () => {
    const h = [6, 2, 1, 2, 5, 2, 1, 2, 4];
    const x = choleskySolve(new Float64Array(h), new Float64Array([1, 2, 3]), 3);
    for (let i = 0; i < 3; i++) {
      const row = h[i * 3]! * x[0]! + h[i * 3 + 1]! * x[1]! + h[i * 3 + 2]! * x[2]!;
      expect(row).toBeCloseTo(i + 1, 12);
    }
  });
});
