import { describe, expect, it } from 'vitest';
import {
  decideAll,
  galleryPeopleOf,
  meanTemplates,
  samePersonIdentities,
  scoreGallery,
  sNorm,
  sortedStats,
  topStats,
  zNorm,
} from './score-norm.js';

/** Mean and sd of the k highest values, by brute force. */
function bruteTop(values: number[], k: number): { mean: number; sd: number } {
  const top = [...values].sort((a, b) => b - a).slice(0, k > 0 ? k : values.length);
  const mean = top.reduce((s, v) => s + v, 0) / top.length;
  const variance = top.reduce((s, v) => s + v * v, 0) / top.length - mean * mean;
  return { mean, sd: Math.max(1e-3, Math.sqrt(Math.max(0, variance))) };
}

function unit(values: number[]): Float32Array {
  const norm = Math.hypot(...values);
  return Float32Array.from(values, (v) => v / norm);
}

describe('topStats', () => {
  // float32 values, as the Matcher's scores are (the left-out score is one of them, bit for bit)
  const values = Array.from(Float32Array.from([0.9, 0.1, 0.5, 0.3, 0.7, 0.2, 0.6]));
  const s = sortedStats(values);

  it('gives the top-k mean and sd, and the whole set for k = 0', () => {
    for (const k of [0, 1, 3, 7, 20]) {
      expect(topStats(s, k).mean).toBeCloseTo(bruteTop(values, k).mean, 6);
      expect(topStats(s, k).sd).toBeCloseTo(bruteTop(values, k).sd, 6);
    }
  });

  it('leaves one score out, whether it is inside the top k or below it', () => {
    for (const drop of values) {
      const rest = [...values];
      rest.splice(rest.indexOf(drop), 1);
      for (const k of [0, 2, 3, 6]) {
        expect(topStats(s, k, drop).mean).toBeCloseTo(bruteTop(rest, k).mean, 5);
        expect(topStats(s, k, drop).sd).toBeCloseTo(bruteTop(rest, k).sd, 5);
      }
    }
  });
});

describe('gallery normalisation', () => {
  // Four people: "wolf" resembles everybody (high impostor scores), the others are far apart.
  const templates = [
    { personId: 'ann', embedding: unit([1, 0, 0, 0]) },
    { personId: 'bob', embedding: unit([0, 1, 0, 0]) },
    { personId: 'cy', embedding: unit([0, 0, 1, 0.5]) },
    { personId: 'wolf', embedding: unit([1, 1, 1, 0.3]) },
  ];

  it("builds each person's cohort from the other people's templates only", () => {
    const g = scoreGallery(templates, []);
    expect(g.people).toEqual(['ann', 'bob', 'cy', 'wolf']);
    // ann's cohort: wolf, then bob and cy (orthogonal to her)
    const wolf = 1 / Math.hypot(1, 1, 1, 0.3);
    expect([...g.cohort[0]!.desc]).toEqual([expect.closeTo(wolf, 2), 0, 0]);
    expect(g.cohort[3]!.desc).toHaveLength(3);
  });

  it("Z-norm is each score in standard deviations of that person's own cohort", () => {
    const probe = { kind: 'unknown' as const, identity: 'x', embedding: unit([1, 0.5, 0.5, 0]) };
    const g = scoreGallery(templates, [probe]);
    const raw = g.probes[0]!.raw!;
    const z = zNorm(0)(g)(raw, -1);
    g.people.forEach((_, j) => {
      const { mean, sd } = bruteTop([...g.cohort[j]!.desc], 0);
      expect(z[j]).toBeCloseTo((raw[j]! - mean) / sd, 5);
    });
  });

  it('a person threshold from the own impostor tail turns a face away from the wolf', () => {
    const probe = { kind: 'unknown' as const, identity: 'x', embedding: unit([1, 0.5, 0.5, 0]) };
    const g = scoreGallery(templates, [probe]);
    const raw = g.probes[0]!.raw!;
    expect(raw[3]).toBeGreaterThan(raw[0]!); // raw: the wolf ranks first
    const shifted = zNorm(0, { scale: false })(g);
    expect(decideAll(g, shifted, true)[0]!.best).toBe('ann'); // normalised rank
    expect(decideAll(g, shifted, false)[0]!.best).toBe('wolf'); // raw rank, normalised threshold only
  });

  it('leaves the excluded person out of S-norm', () => {
    const g = scoreGallery(templates, []);
    const s = sNorm(0)(g)(new Float32Array([0.9, 0.1, 0.2, 0.5]), 0);
    expect(s[0]).toBe(-Infinity);
    expect(Number.isFinite(s[1]!)).toBe(true);
  });

  it('averages unit templates into one per person', () => {
    const m = meanTemplates([
      { personId: 'a', embedding: Float32Array.from([2, 0]) },
      { personId: 'a', embedding: Float32Array.from([0, 3]) },
      { personId: 'b', embedding: Float32Array.from([0, 1]) },
    ]);
    expect(m.map((t) => t.personId)).toEqual(['a', 'b']);
    expect([...m[0]!.embedding]).toEqual([1, 1]);
  });
});

describe('study arguments', () => {
  it('reads both sides of every --same-person pair, ignoring blanks', () => {
    expect([...samePersonIdentities(' a=b, ,c = d')].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(samePersonIdentities('').size).toBe(0);
  });
  it('counts the gallery as the enrolled people and the distractors, once each', () => {
    const r = (role: string, identity: string) => ({ role, identity });
    expect(
      galleryPeopleOf([
        r('template', 'a'),
        r('template', 'a'),
        r('distractor', 'z'),
        r('known', 'a'),
        r('unknown', 'q'),
      ]),
    ).toBe(2);
  });
});
