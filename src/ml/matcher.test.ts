import { describe, expect, it } from 'vitest';
import { Matcher } from './matcher.js';

const unit = (...v: number[]): Float32Array => {
  const n = Math.hypot(...v);
  return Float32Array.from(v.map((x) => x / n));
};

describe('Matcher', () => {
  it('returns no person for an empty gallery', () => {
    const m = new Matcher({ dims: 3, threshold: 0.5, minMargin: 0.1 });
    expect(m.match(unit(1, 0, 0))).toMatchObject({ personId: null, accepted: false });
  });

  it('takes the BEST template, not the first one over the threshold', () => {
    const m = new Matcher({ dims: 3, threshold: 0.5, minMargin: 0.05 });
    m.add('first', unit(1, 1, 0)); // cos 0.707 with the probe, over the threshold, added first
    m.add('best', unit(1, 0.1, 0)); // cos 0.995
    const r = m.match(unit(1, 0, 0));
    expect(r.personId).toBe('best');
    expect(r.secondPersonId).toBe('first');
    expect(r.score).toBeCloseTo(0.995, 3);
    expect(r.accepted).toBe(true);
  });

  it('scores a person by their best template among several', () => {
    const m = new Matcher({ dims: 3, threshold: 0.9, minMargin: 0 });
    m.add('alice', [unit(0, 1, 0), unit(1, 0.05, 0)]);
    m.add('bob', unit(0.8, 0.6, 0));
    const r = m.match(unit(1, 0, 0));
    expect(r.personId).toBe('alice');
    expect(r.score).toBeGreaterThan(0.99);
  });

  it('rejects below the threshold even when clearly the best', () => {
    const m = new Matcher({ dims: 3, threshold: 0.9, minMargin: 0.05 });
    m.add('alice', unit(1, 1, 0));
    m.add('bob', unit(0, 0, 1));
    const r = m.match(unit(1, 0, 0));
    expect(r.personId).toBe('alice');
    expect(r.accepted).toBe(false);
  });

  it('rejects a near-tie between two people (margin)', () => {
    const m = new Matcher({ dims: 3, threshold: 0.5, minMargin: 0.05 });
    m.add('alice', unit(1, 0.3, 0));
    m.add('bob', unit(1, 0, 0.31));
    const r = m.match(unit(1, 0, 0));
    expect(r.score).toBeGreaterThan(0.9);
    expect(r.margin).toBeLessThan(0.05);
    expect(r.accepted).toBe(false);
  });

  it('with one person enrolled the threshold alone decides', () => {
    const m = new Matcher({ dims: 3, threshold: 0.8, minMargin: 0.1 });
    m.add('alice', unit(1, 0.1, 0));
    const r = m.match(unit(1, 0, 0));
    expect(r.secondPersonId).toBeNull();
    expect(r.accepted).toBe(true);
  });

  it('removes a person and keeps every other person matchable', () => {
    const m = new Matcher({ dims: 3, threshold: 0.9, minMargin: 0, capacity: 1 });
    m.add('a', [unit(1, 0, 0), unit(1, 0.01, 0)]);
    m.add('b', unit(0, 1, 0));
    m.add('c', unit(0, 0, 1));
    expect(m.remove('a')).toBe(2);
    expect(m.remove('a')).toBe(0);
    expect([m.personCount, m.templateCount, m.has('a')]).toEqual([2, 2, false]);
    expect(m.match(unit(0, 1, 0)).personId).toBe('b');
    expect(m.match(unit(0, 0, 1)).personId).toBe('c');
    expect(m.match(unit(1, 0, 0)).accepted).toBe(false);
    m.add('a', unit(1, 0, 0));
    expect(m.match(unit(1, 0, 0)).personId).toBe('a');
  });

  it('grows past its initial capacity', () => {
    const m = new Matcher({ dims: 64, threshold: 0.9, minMargin: 0, capacity: 16 });
    const vectors = Array.from({ length: 100 }, () =>
      Float32Array.from({ length: 64 }, () => Math.random() - 0.5),
    );
    vectors.forEach((v, i) => m.add(`p${i}`, v));
    expect(m.templateCount).toBe(100);
    expect(m.match(vectors[42]!)).toMatchObject({ personId: 'p42', accepted: true });
    expect(m.match(vectors[0]!).personId).toBe('p0');
    expect(m.match(vectors[99]!).personId).toBe('p99');
  });

  it('normalises templates and probes (scale does not matter)', () => {
    const m = new Matcher({ dims: 2, threshold: 0.99, minMargin: 0 });
    m.add('a', Float32Array.from([10, 0]));
    expect(m.match(Float32Array.from([0.001, 0])).score).toBeCloseTo(1, 5);
  });

  it('mean subtraction separates faces that share a common direction', () => {
    // Everybody shares a big common component (+10 on axis 0); raw cosine says everyone is alike.
    const mean = Float32Array.from([10, 0, 0]);
    const plain = new Matcher({ dims: 3, threshold: 0.9, minMargin: 0 });
    const norm = new Matcher({ dims: 3, threshold: 0.9, minMargin: 0, mean });
    for (const m of [plain, norm]) m.add('alice', Float32Array.from([10, 1, 0]));
    const stranger = Float32Array.from([10, 0, 1]);
    expect(plain.match(stranger).accepted).toBe(true);
    expect(norm.match(stranger).accepted).toBe(false);
    expect(norm.match(Float32Array.from([10, 1.1, 0.05])).accepted).toBe(true);
  });

  it('refuses bad embeddings without changing the gallery', () => {
    const m = new Matcher({ dims: 3, threshold: 0.5, minMargin: 0 });
    expect(() => m.add('a', new Float32Array(2))).toThrow(/3 values/);
    expect(() => m.add('a', [unit(1, 0, 0), new Float32Array(3)])).toThrow(/zero/);
    expect(() => m.add('a', Float32Array.from([NaN, 0, 0]))).toThrow(/finite/);
    expect(() => m.add('', unit(1, 0, 0))).toThrow(/personId/);
    expect([m.personCount, m.templateCount]).toEqual([0, 0]);
    expect(() => m.match(new Float32Array(5))).toThrow(RangeError);
  });

  it('rejects invalid options', () => {
    expect(() => new Matcher({ dims: 0, threshold: 0.5, minMargin: 0 })).toThrow();
    expect(() => new Matcher({ dims: 3, threshold: 0.5, minMargin: -1 })).toThrow();
    expect(() => new Matcher({ dims: 3, threshold: 0.5, minMargin: 0, mean: new Float32Array(2) })).toThrow();
  });

  it('scores() ranks every person', () => {
    const m = new Matcher({ dims: 3, threshold: 0.5, minMargin: 0 });
    m.add('x', unit(0, 1, 0));
    m.add('y', unit(1, 0, 0));
    expect(m.scores(unit(1, 0.2, 0)).map((s) => s.personId)).toEqual(['y', 'x']);
  });
});

describe('Matcher kernels', () => {
  it('the SIMD and JS kernels agree, for dims that need padding too', () => {
    for (const dims of [1024, 1280, 130]) {
      const simd = new Matcher({ dims, threshold: 0.5, minMargin: 0, capacity: 16 });
      const js = new Matcher({ dims, threshold: 0.5, minMargin: 0, capacity: 16, kernel: 'js' });
      expect(js.kernel).toBe('js');
      // Seeded, so a failure can be replayed.
      let seed = dims;
      const random = (): number => {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        return seed / 2 ** 32;
      };
      const rand = (): Float32Array => Float32Array.from({ length: dims }, () => random() - 0.5);
      for (let i = 0; i < 300; i++) {
        const e = rand();
        simd.add(`p${i % 97}`, e);
        js.add(`p${i % 97}`, e);
      }
      simd.remove('p5');
      js.remove('p5');
      const q = rand();
      const a = simd.scores(q);
      const b = js.scores(q);
      // int8 templates: within 2e-3 of exact float32 cosine (thresholds move in 0.01 steps).
      const exact = new Map(b.map((x) => [x.personId, x.score]));
      for (const x of a) expect(Math.abs(x.score - exact.get(x.personId)!)).toBeLessThan(2e-3);
      // So the SIMD kernel's best is the exact best, or one within that error of it (random
      // 1024-d vectors have near ties; a tie broken the other way is not a disagreement).
      expect(exact.get(a[0]!.personId)!).toBeGreaterThan(b[0]!.score - 4e-3);
    }
  });

  it('runs on WebAssembly SIMD here', () => {
    expect(new Matcher({ dims: 8, threshold: 0.5, minMargin: 0 }).kernel).toBe('wasm-simd');
  });
});

describe('Matcher.top', () => {
  it('lists the k best persons highest first, the same as a full sort', () => {
    let seed = 3;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31 - 0.5;
    const m = new Matcher({ dims: 16, threshold: 0.5, minMargin: 0 });
    for (let i = 0; i < 60; i++)
      m.add(`p${i}`, [Float32Array.from({ length: 16 }, rand), Float32Array.from({ length: 16 }, rand)]);
    for (let r = 0; r < 20; r++) {
      const probe = Float32Array.from({ length: 16 }, rand);
      expect(m.top(probe, 5)).toEqual(m.scores(probe).slice(0, 5));
    }
    expect(m.top(Float32Array.from({ length: 16 }, rand), 100)).toHaveLength(60);
    expect(m.top(Float32Array.from({ length: 16 }, rand), 0)).toEqual([]);
  });
});
