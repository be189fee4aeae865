import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from './backoff.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-02T08:00:00Z');

  it('reads delta-seconds, and an HTTP date against the given clock', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(1.5, now)).toBe(1500);
    expect(parseRetryAfter('Mon, 02 Mar 2026 08:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 02 Mar 2026 07:59:00 GMT', now)).toBe(0); // already past
  });

  it('answers null when absent or unreadable', () => {
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});

describe('backoffDelay', () => {
  it('doubles the cap per attempt up to the maximum, jittered in its upper half', () => {
    const policy = { baseMs: 1000, maxMs: 5000 };
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(3, policy, () => 1)).toBe(4000);
    expect(backoffDelay(10, policy, () => 0)).toBe(2500);
  });
});
