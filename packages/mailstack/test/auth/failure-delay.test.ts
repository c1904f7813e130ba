import { describe, expect, it } from 'vitest';
import { AuthFailureDelay } from 'mailstack';

describe('AuthFailureDelay', () => {
  it('is 0 before any failure, then doubles per failure up to the cap', () => {
    const policy = new AuthFailureDelay({ baseMs: 2000, maxMs: 15_000 });
    const attempt = { ip: '192.0.2.1', user: 'alice' };
    expect(policy.delayMs(attempt, 0)).toBe(0);
    const delays = [1, 2, 3, 4, 5].map((n) => {
      policy.recordFailure(attempt, n);
      return policy.delayMs(attempt, n);
    });
    expect(delays).toEqual([2000, 4000, 8000, 15_000, 15_000]);
  });

  it('counts per address and per user: a new address guessing the same user is slowed too', () => {
    const policy = new AuthFailureDelay({ baseMs: 100, maxMs: 10_000 });
    for (let i = 0; i < 3; i++) policy.recordFailure({ ip: `198.51.100.${i}`, user: 'Bob' }, 0);
    expect(policy.delayMs({ ip: '203.0.113.9', user: 'bob' }, 1)).toBe(400);
    expect(policy.delayMs({ ip: '198.51.100.0' }, 1)).toBe(100);
  });

  it('forgets after the window and on success for that user', () => {
    const policy = new AuthFailureDelay({ baseMs: 100, maxMs: 10_000, windowMs: 1000 });
    policy.recordFailure({ ip: '192.0.2.1', user: 'u' }, 0);
    expect(policy.delayMs({ ip: '192.0.2.9', user: 'u' }, 999)).toBe(100);
    expect(policy.delayMs({ ip: '192.0.2.9', user: 'u' }, 1000)).toBe(0);
    policy.recordFailure({ ip: '192.0.2.1', user: 'u' }, 2000);
    policy.recordSuccess({ ip: '192.0.2.1', user: 'u' });
    expect(policy.delayMs({ ip: '192.0.2.9', user: 'u' }, 2001)).toBe(0);
    expect(policy.delayMs({ ip: '192.0.2.1', user: 'u' }, 2001)).toBe(100);
  });

  it('keeps at most maxEntries records, dropping the least recent', () => {
    const policy = new AuthFailureDelay({ baseMs: 1, maxMs: 100, maxEntries: 3 });
    for (let i = 0; i < 5; i++) policy.recordFailure({ ip: `10.0.0.${i}` }, i);
    expect(policy.delayMs({ ip: '10.0.0.0' }, 10)).toBe(0);
    expect(policy.delayMs({ ip: '10.0.0.4' }, 10)).toBe(1);
  });
});
