import { describe, expect, it } from 'vitest';
import { fitExponentialTail } from './impostor-tail.js';

describe('exponential tail fit', () => {
  it('recovers the scale of an exponential tail', () => {
    // Deterministic exponential(beta = 0.05) sample by inverse CDF on an even grid.
    const scores = Array.from({ length: 10_000 }, (_, i) => -0.05 * Math.log(1 - (i + 0.5) / 10_000));
    const tail = fitExponentialTail(scores, 0.05);
    expect(tail.beta).toBeCloseTo(0.05, 2);
    expect(tail.pU).toBeCloseTo(0.05, 3);
    expect(() => fitExponentialTail([0.1, 0.2], 0.01)).toThrow(/too few/);
  });
});
