import { describe, expect, it } from 'vitest';
import {
  decodeEmbedding,
  embeddingFromBase64,
  embeddingFromBytes,
  embeddingToBase64,
  embeddingToBytes,
} from './embedding-codec.js';

describe('embedding codec', () => {
  const e = Float32Array.from([0.5, -0.25, 1e-7, 3.4e38]);

  it('round-trips through base64 exactly', () => {
    expect(embeddingFromBase64(embeddingToBase64(e), 4)).toEqual(e);
  });

  it('round-trips through bytes (SQLite BLOB)', () => {
    const bytes = embeddingToBytes(e);
    expect(bytes.length).toBe(16);
    expect(embeddingFromBytes(bytes)).toEqual(e);
  });

  it('is little-endian float32', () => {
    expect(embeddingToBase64(Float32Array.from([1]))).toBe(
      Buffer.from([0, 0, 0x80, 0x3f]).toString('base64'),
    );
  });

  it('refuses a wrong length, bad base64, empty input and non-finite values', () => {
    expect(() => embeddingFromBase64(embeddingToBase64(e), 8)).toThrow(/expected 8/);
    expect(() => embeddingFromBase64('not base64!')).toThrow(/base64/);
    expect(() => embeddingFromBase64('')).toThrow(/empty/);
    expect(() => embeddingFromBase64('AAA=')).toThrow(/whole number/);
    expect(() => embeddingFromBase64(embeddingToBase64(Float32Array.from([NaN])))).toThrow(/finite/);
  });

  it('answers the problem without throwing, for callers that report it per item', () => {
    expect(decodeEmbedding(embeddingToBase64(e), 4)).toEqual({ ok: true, embedding: e });
    const problem = (text: string, dims?: number) => {
      const r = decodeEmbedding(text, dims);
      return r.ok ? null : r.problem;
    };
    expect(problem('')).toBe('not_base64');
    expect(problem('not base64!')).toBe('not_base64');
    expect(problem('AAA=')).toBe('bad_length');
    expect(problem(embeddingToBase64(e), 8)).toBe('bad_length');
    expect(problem(embeddingToBase64(Float32Array.from([Infinity])))).toBe('not_finite');
  });
});
