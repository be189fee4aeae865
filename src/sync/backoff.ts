// Retry timing for the sync client: exponential backoff with full jitter (so a room of
// kiosks coming back online does not stampede the server), and the server's Retry-After
// taking precedence when it says how long to wait.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 5 * 60_000 };

/** Delay before retry number `attempt` (1-based): uniform in [cap/2, cap], cap = base·2^(attempt-1). */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(cap / 2 + random() * (cap / 2));
}

/**
 * Retry-After is either delta-seconds or an HTTP date (read against `now`, the sync client's
 * one clock, in ms); null when absent or unreadable.
 */
export function parseRetryAfter(value: unknown, now: number): number | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
