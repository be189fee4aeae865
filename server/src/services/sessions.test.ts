import { describe, expect, it } from 'vitest';
import { embeddingToBase64 as float32ToBase64 } from '../../../src/ml/embedding-codec.js';
import { checkEmbedding } from './embeddings.js';
import { meetsOn } from '../../../src/contracts/occurrences.js';
import { weekdayOf } from '../../../src/contracts/site-time.js';
import { parseSessionId } from './sessions.js';

describe('session ids', () => {
  it('parse `${scheduleId}@${date}` and refuse impossible dates', () => {
    expect(parseSessionId('abc@2026-09-07')).toEqual({ scheduleId: 'abc', date: '2026-09-07' });
    expect(parseSessionId('a@b@2026-09-07')).toEqual({ scheduleId: 'a@b', date: '2026-09-07' });
    expect(parseSessionId('abc@2026-02-30')).toBeNull();
    expect(parseSessionId('@2026-09-07')).toBeNull();
    expect(parseSessionId('abc')).toBeNull();
  });

  it('match weekly and one-off schedules', () => {
    expect(weekdayOf('2026-09-07')).toBe(1);
    expect(meetsOn({ weekday: 1, date: null }, '2026-09-14')).toBe(true);
    expect(meetsOn({ weekday: 1, date: null }, '2026-09-15')).toBe(false);
    expect(meetsOn({ weekday: null, date: '2026-09-09' }, '2026-09-09')).toBe(true);
    expect(meetsOn({ weekday: null, date: '2026-09-09' }, '2026-09-16')).toBe(false);
  });
});

describe('embedding checks', () => {
  // A model this build does not know: only the shape is checked.
  const other = 'another-build-model/v1';
  it('accept unit vectors and explain what is wrong with the others', () => {
    expect(checkEmbedding(float32ToBase64(new Float32Array([0.6, 0.8])), other)).toBeNull();
    expect(checkEmbedding(float32ToBase64(new Float32Array([3, 4])), other)).toBe('not_normalised');
    expect(checkEmbedding(float32ToBase64(new Float32Array([NaN, 1])), other)).toBe('not_finite');
    expect(checkEmbedding('!!!notbase64', other)).toBe('not_base64');
    expect(checkEmbedding(Buffer.from([1, 2, 3, 4, 5, 6]).toString('base64'), other)).toBe('bad_length');
  });

  it("hold a known model's embeddings to its size", () => {
    const unit = (n: number) => new Float32Array(n).fill(1 / Math.sqrt(n));
    expect(checkEmbedding(float32ToBase64(unit(512)), 'faceplugin/v1')).toBeNull();
    expect(checkEmbedding(float32ToBase64(new Float32Array([0.6, 0.8])), 'faceplugin/v1')).toBe('wrong_size');
    expect(checkEmbedding(float32ToBase64(unit(511)), 'faceplugin/v1')).toBe('wrong_size');
  });
});
