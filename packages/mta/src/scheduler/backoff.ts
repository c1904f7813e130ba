/**
 * Retry delays. Postfix's qmgr waits the message's age clamped to [minimal_backoff_time,
 * maximal_backoff_time], which doubles the wait after each attempt; we write the doubling out
 * so it does not depend on when attempts happened: attempt n waits min(max, min · 2^(n-1)).
 */

/** Postfix defaults (postconf(5)): minimal_backoff_time 300s, maximal_backoff_time 4000s, maximal_queue_lifetime 5d. */
export const BACKOFF_DEFAULTS = {
  minimalBackoffMs: 300_000,
  maximalBackoffMs: 4_000_000,
  maximalQueueLifetimeMs: 5 * 24 * 3600_000,
} as const;

/** Wait after the `attempts`-th failed attempt (1-based): doubling from min, capped at max. */
export function backoffMs(attempts: number, minimalBackoffMs: number, maximalBackoffMs: number): number {
  const doublings = Math.max(0, attempts - 1);
  // 2^doublings overflows to Infinity for huge counts; the cap keeps the result finite.
  return Math.min(maximalBackoffMs, minimalBackoffMs * 2 ** doublings);
}
