import { describe, expect, it } from 'vitest';
import { embeddingSizeOf, alignmentTransform, ARCFACE_TEMPLATE_112, fitSimilarity } from './embedders.js';

describe('fitSimilarity', () => {
  it('recovers a known rotation + scale + translation', () => {
    const angle = 0.3;
    const s = 1.7;
    const [a, b] = [s * Math.cos(angle), s * Math.sin(angle)];
    const from: [number, number][] = [
      [0, 0],
      [10, 0],
      [0, 5],
      [7, 7],
    ];
    const to = from.map(([x, y]) => [a * x - b * y + 3, b * x + a * y - 2] as [number, number]);
    const fit = fitSimilarity(from, to);
    expect(fit[0]).toBeCloseTo(a, 6);
    expect(fit[1]).toBeCloseTo(b, 6);
    expect(fit[2]).toBeCloseTo(3, 6);
    expect(fit[3]).toBeCloseTo(-2, 6);
  });

  it('refuses degenerate landmarks', () => {
    expect(() =>
      fitSimilarity(
        [
          [1, 1],
          [1, 1],
        ],
        [
          [0, 0],
          [1, 1],
        ],
      ),
    ).toThrow(/degenerate/);
  });
});

describe('alignmentTransform', () => {
  it('maps the template to the face landmarks (output → input coordinates)', () => {
    // A mesh whose five points sit exactly at the template, doubled and shifted by (100, 50).
    const mesh: number[][] = Array.from({ length: 468 }, () => [0, 0, 0]);
    const pts = ARCFACE_TEMPLATE_112.map(([x, y]) => [2 * x + 100, 2 * y + 50, 0]);
    mesh[33] = pts[0]!;
    mesh[133] = pts[0]!;
    mesh[362] = pts[1]!;
    mesh[263] = pts[1]!;
    mesh[1] = pts[2]!;
    mesh[61] = pts[3]!;
    mesh[291] = pts[4]!;
    const [a0, a1, a2, b0, b1, b2] = alignmentTransform(mesh, 112);
    expect([a0, a1, b0, b1]).toEqual([
      expect.closeTo(2, 6),
      expect.closeTo(0, 6),
      expect.closeTo(0, 6),
      expect.closeTo(2, 6),
    ]);
    expect(a2).toBeCloseTo(100, 4);
    expect(b2).toBeCloseTo(50, 4);
  });
});

describe('embeddingSizeOf', () => {
  it('knows the ids this build gives its pipelines, and no other', () => {
    expect(embeddingSizeOf('faceplugin/v1')).toBe(512);
    expect(embeddingSizeOf('faceplugin/flip/v1')).toBe(512);
    // A later version of a model may change its size: not this build's to judge.
    expect(embeddingSizeOf('faceplugin/v2')).toBeNull();
    expect(embeddingSizeOf('faceplugin')).toBeNull();
    expect(embeddingSizeOf('fake-v1')).toBeNull();
    expect(embeddingSizeOf('unknown+faceplugin/v1')).toBeNull();
  });
});
