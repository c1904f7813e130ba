import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffMs, BACKOFF_DEFAULTS, MtaUsageError, RetryScheduler, type SchedulerCommand } from '@mailstack/mta';

const MIN = 60_000;
const HOUR = 3_600_000;
const busy = { code: 451, enhanced: '4.3.0', text: 'try later' };
const unknown = { code: 550, enhanced: '5.1.1', text: 'no such user' };

function kinds(commands: SchedulerCommand[]): string[] {
  return commands.map((c) => c.kind);
}
function delivers(commands: SchedulerCommand[]): Array<Extract<SchedulerCommand, { kind: 'deliver' }>> {
  return commands.filter((c): c is Extract<SchedulerCommand, { kind: 'deliver' }> => c.kind === 'deliver');
}

describe('backoffMs', () => {
  it('doubles from the Postfix minimum and caps at the maximum', () => {
    const { minimalBackoffMs: min, maximalBackoffMs: max } = BACKOFF_DEFAULTS;
    expect([1, 2, 3, 4, 5, 6, 1000].map((n) => backoffMs(n, min, max) / 1000)).toEqual([300, 600, 1200, 2400, 4000, 4000, 4000]);
  });

  it('is monotone and capped for any configuration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 ** 7 }), fc.integer({ min: 0, max: 10 ** 8 }), fc.integer({ min: 1, max: 2000 }), (min, extra, n) => {
        const max = min + extra;
        const a = backoffMs(n, min, max);
        const b = backoffMs(n + 1, min, max);
        expect(a).toBeGreaterThanOrEqual(min);
        expect(b).toBeGreaterThanOrEqual(a);
        expect(b).toBeLessThanOrEqual(max);
      }),
      { numRuns: 200 },
    );
  });
});

describe('RetryScheduler', () => {
  it('delivers new mail at once, grouped per destination, and completes it', () => {
    const s = new RetryScheduler();
    s.add({
      queueId: 'Q1',
      arrivalAt: 0,
      recipients: [
        { recipient: 'a@x.example', destination: 'x.example' },
        { recipient: 'b@y.example', destination: 'y.example' },
        { recipient: 'c@x.example', destination: 'x.example' },
      ],
    });
    expect(s.next(0)).toEqual([
      { kind: 'deliver', queueId: 'Q1', destination: 'x.example', recipients: ['a@x.example', 'c@x.example'] },
      { kind: 'deliver', queueId: 'Q1', destination: 'y.example', recipients: ['b@y.example'] },
    ]);
    expect(s.next(1)).toEqual([]);
    for (const r of ['a@x.example', 'b@y.example', 'c@x.example']) s.record({ queueId: 'Q1', recipient: r, outcome: 'delivered', at: 2 });
    expect(s.next(3)).toEqual([{ kind: 'complete', queueId: 'Q1' }]);
    expect(s.size).toBe(0);
    expect(s.trackedDestinations).toBe(0);
  });

  it('retries transient failures with doubling backoff and says when to wake', () => {
    const s = new RetryScheduler();
    s.add({ queueId: 'Q', arrivalAt: 0, recipients: [{ recipient: 'a@x', destination: 'x' }] });
    s.next(0);
    s.record({ queueId: 'Q', recipient: 'a@x', outcome: 'transient', at: 1000, reply: busy });
    expect(s.next(1000)).toEqual([{ kind: 'wake-at', at: 301_000 }]);
    expect(s.next(300_999)).toEqual([{ kind: 'wake-at', at: 301_000 }]);
    expect(kinds(s.next(301_000))).toEqual(['deliver']);
    s.record({ queueId: 'Q', recipient: 'a@x', outcome: 'transient', at: 302_000, reply: busy });
    expect(s.next(302_000)).toEqual([{ kind: 'wake-at', at: 902_000 }]);
  });

  it('bounces permanent failures with their reply, once', () => {
    const s = new RetryScheduler();
    s.add({ queueId: 'Q', arrivalAt: 0, recipients: [{ recipient: 'a@x', destination: 'x' }, { recipient: 'b@x', destination: 'x' }] });
    s.next(0);
    s.record({ queueId: 'Q', recipient: 'a@x', outcome: 'permanent', at: 5, reply: unknown });
    expect(s.next(5)).toEqual([{ kind: 'bounce', queueId: 'Q', recipients: [{ recipient: 'a@x', reason: 'failed', reply: unknown }] }]);
    s.record({ queueId: 'Q', recipient: 'b@x', outcome: 'delivered', at: 6 });
    expect(s.next(6)).toEqual([{ kind: 'complete', queueId: 'Q' }]);
  });

  it('expires after the queue lifetime: never tries past it, bounces with the last reply', () => {
    const s = new RetryScheduler({ maximalQueueLifetimeMs: HOUR, minimalBackoffMs: 5 * MIN, maximalBackoffMs: 40 * MIN });
    s.add({ queueId: 'Q', arrivalAt: 0, recipients: [{ recipient: 'a@x', destination: 'x' }] });
    const attempts: number[] = [];
    let now = 0;
    for (let step = 0; step < 20; step++) {
      const commands = s.next(now);
      for (const d of delivers(commands)) {
        attempts.push(now);
        s.record({ queueId: d.queueId, recipient: 'a@x', outcome: 'transient', at: now, reply: busy });
      }
      const bounce = commands.find((c) => c.kind === 'bounce');
      if (bounce) {
        expect(kinds(commands)).toEqual(['bounce', 'complete']);
        expect(bounce).toEqual({ kind: 'bounce', queueId: 'Q', recipients: [{ recipient: 'a@x', reason: 'expired', reply: busy }] });
        expect(now).toBe(HOUR);
        break;
      }
      const wake = s.next(now).find((c) => c.kind === 'wake-at');
      if (wake?.kind === 'wake-at') now = wake.at;
    }
    expect(attempts).toEqual([0, 5 * MIN, 15 * MIN, 35 * MIN]);
    expect(s.size).toBe(0);
  });

  it('a transient outcome recorded after expiry bounces at once', () => {
    const s = new RetryScheduler({ maximalQueueLifetimeMs: HOUR });
    s.add({ queueId: 'Q', arrivalAt: 0, recipients: [{ recipient: 'a@x', destination: 'x' }] });
    s.next(HOUR - 1);
    s.record({ queueId: 'Q', recipient: 'a@x', outcome: 'transient', at: HOUR + 5, reply: busy });
    expect(kinds(s.next(HOUR + 5))).toEqual(['bounce', 'complete']);
  });

  it('limits concurrency per destination, starting at 5 and growing by one per success up to the limit', () => {
    const s = new RetryScheduler({ destinationConcurrencyLimit: 7 });
    for (let i = 0; i < 30; i++) s.add({ queueId: `Q${i}`, arrivalAt: 0, recipients: [{ recipient: `u${i}@x`, destination: 'x' }] });
    s.add({ queueId: 'other', arrivalAt: 0, recipients: [{ recipient: 'v@y', destination: 'y' }] });
    const first = delivers(s.next(0));
    expect(first.map((d) => d.queueId)).toEqual(['Q0', 'Q1', 'Q2', 'Q3', 'Q4', 'other']);
    s.record({ queueId: 'Q0', recipient: 'u0@x', outcome: 'delivered', at: 1 });
    expect(delivers(s.next(1)).map((d) => d.queueId)).toEqual(['Q5', 'Q6']);
    let inFlight = 6;
    let most = inFlight;
    for (let done = 1; done < 30; done++) {
      s.record({ queueId: `Q${done}`, recipient: `u${done}@x`, outcome: 'delivered', at: done + 1 });
      inFlight += delivers(s.next(done + 1)).length - 1;
      most = Math.max(most, inFlight);
    }
    expect(most).toBe(7);
    expect(inFlight).toBe(0);
  });

  it('applies a per-destination concurrency limit (local: 2) and rejects a bad one', () => {
    const s = new RetryScheduler({ destinationConcurrencyLimits: { local: 2 } });
    for (let i = 0; i < 10; i++) {
      s.add({ queueId: `L${i}`, arrivalAt: 0, recipients: [{ recipient: `u${i}`, destination: 'local' }, { recipient: `u${i}@x`, destination: 'x' }] });
    }
    const first = delivers(s.next(0));
    expect(first.filter((d) => d.destination === 'local').map((d) => d.queueId)).toEqual(['L0', 'L1']);
    expect(first.filter((d) => d.destination === 'x')).toHaveLength(5);
    for (let i = 0; i < 5; i++) s.record({ queueId: `L${i}`, recipient: `u${i}@x`, outcome: 'delivered', at: 1 });
    s.record({ queueId: 'L0', recipient: 'u0', outcome: 'delivered', at: 1 });
    const second = delivers(s.next(1));
    expect(second.filter((d) => d.destination === 'local').map((d) => d.queueId)).toEqual(['L2']); // the window never grows past 2
    expect(second.filter((d) => d.destination === 'x')).toHaveLength(5);
    expect(() => new RetryScheduler({ destinationConcurrencyLimits: { local: 0 } })).toThrow(MtaUsageError);
  });

  it('splits a message into batches of destinationRecipientLimit', () => {
    const s = new RetryScheduler();
    const recipients = Array.from({ length: 120 }, (_, i) => ({ recipient: `u${i}@x`, destination: 'x' }));
    s.add({ queueId: 'Q', arrivalAt: 0, recipients });
    expect(delivers(s.next(0)).map((d) => d.recipients.length)).toEqual([50, 50, 20]);
  });

  it('throttles a destination after it fails, without touching others', () => {
    const s = new RetryScheduler({ destinationFailureLimit: 2 });
    s.add({ queueId: 'A', arrivalAt: 0, recipients: [{ recipient: 'a@x', destination: 'x' }] });
    s.add({ queueId: 'B', arrivalAt: 0, recipients: [{ recipient: 'b@x', destination: 'x' }] });
    s.add({ queueId: 'C', arrivalAt: 0, recipients: [{ recipient: 'c@y', destination: 'y' }] });
    expect(delivers(s.next(0))).toHaveLength(3);
    s.record({ queueId: 'A', recipient: 'a@x', outcome: 'transient', at: 10, scope: 'destination', reply: busy });
    s.record({ queueId: 'B', recipient: 'b@x', outcome: 'transient', at: 20, scope: 'destination', reply: busy });
    s.add({ queueId: 'D', arrivalAt: 30, recipients: [{ recipient: 'd@x', destination: 'x' }, { recipient: 'd@z', destination: 'z' }] });
    // x is throttled from its second failure until 20 + 300 s (A alone would be due at 300_010);
    // D's recipient at z goes now, the one at x waits.
    // A comes due at 300_010 and then waits for the throttle to end.
    expect(s.next(30)).toEqual([
      { kind: 'deliver', queueId: 'D', destination: 'z', recipients: ['d@z'] },
      { kind: 'wake-at', at: 300_010 },
    ]);
    expect(s.next(300_010)).toEqual([{ kind: 'wake-at', at: 300_020 }]);
    expect(delivers(s.next(300_019))).toEqual([]);
    // First come, first served: D's recipient has been ready since 30.
    expect(delivers(s.next(300_020)).map((d) => d.queueId)).toEqual(['D', 'A', 'B']);
    s.record({ queueId: 'A', recipient: 'a@x', outcome: 'transient', at: 300_030, scope: 'destination' });
    // The third consecutive failure throttles x for twice as long (backoff of its own).
    expect(s.next(300_030)).toEqual([{ kind: 'wake-at', at: 300_030 + 600_000 }]);
  });

  it('sends one delay warning per message after delayWarningMs', () => {
    const s = new RetryScheduler({ delayWarningMs: 4 * HOUR });
    s.add({ queueId: 'Q', arrivalAt: 0, recipients: [{ recipient: 'a@x', destination: 'x' }] });
    s.next(0);
    s.record({ queueId: 'Q', recipient: 'a@x', outcome: 'transient', at: 0, reply: busy });
    let now = 0;
    const warnings: number[] = [];
    while (now < 5 * HOUR) {
      const commands = s.next(now);
      for (const c of commands) {
        if (c.kind === 'delay-warning') {
          warnings.push(now);
          expect(c).toEqual({ kind: 'delay-warning', queueId: 'Q', recipients: [{ recipient: 'a@x', reply: busy }], willRetryUntil: BACKOFF_DEFAULTS.maximalQueueLifetimeMs });
        }
        if (c.kind === 'deliver') s.record({ queueId: 'Q', recipient: 'a@x', outcome: 'transient', at: now, reply: busy });
      }
      const wake = s.next(now).find((c) => c.kind === 'wake-at');
      now = wake?.kind === 'wake-at' ? wake.at : now + HOUR;
    }
    expect(warnings).toEqual([4 * HOUR]);
  });

  it('flush makes every waiting recipient due now; remove frees its slots', () => {
    const s = new RetryScheduler({ initialDestinationConcurrency: 1 });
    s.add({ queueId: 'Q', arrivalAt: 0, recipients: [{ recipient: 'a@x', destination: 'x' }] });
    s.next(0);
    s.record({ queueId: 'Q', recipient: 'a@x', outcome: 'transient', at: 0, scope: 'destination' });
    expect(delivers(s.next(10))).toHaveLength(0);
    s.flush(10);
    expect(delivers(s.next(10))).toHaveLength(1);
    s.add({ queueId: 'R', arrivalAt: 10, recipients: [{ recipient: 'b@x', destination: 'x' }] });
    expect(delivers(s.next(11))).toHaveLength(0);
    s.remove('Q');
    expect(delivers(s.next(12)).map((d) => d.queueId)).toEqual(['R']);
  });

  it('resumes recovered recipients at their recorded next attempt', () => {
    const s = new RetryScheduler();
    s.add({ queueId: 'Q', arrivalAt: 0, recipients: [{ recipient: 'a@x', destination: 'x', attempts: 3, nextAttemptAt: 5000, lastReply: busy }] });
    expect(s.next(100)).toEqual([{ kind: 'wake-at', at: 5000 }]);
    expect(kinds(s.next(5000))).toEqual(['deliver']);
    s.record({ queueId: 'Q', recipient: 'a@x', outcome: 'transient', at: 5000 });
    expect(s.next(5000)).toEqual([{ kind: 'wake-at', at: 5000 + 8 * 300_000 }]);
  });

  it('refuses outcomes for deliveries it did not hand out, and duplicate messages', () => {
    const s = new RetryScheduler();
    s.add({ queueId: 'Q', arrivalAt: 0, recipients: [{ recipient: 'a@x', destination: 'x' }] });
    expect(() => s.record({ queueId: 'Q', recipient: 'a@x', outcome: 'delivered', at: 0 })).toThrow(MtaUsageError);
    expect(() => s.record({ queueId: 'nope', recipient: 'a@x', outcome: 'delivered', at: 0 })).toThrow(MtaUsageError);
    expect(() => s.add({ queueId: 'Q', arrivalAt: 0, recipients: [] })).toThrow(MtaUsageError);
  });

  it('simulation: never delivers past the lifetime, every recipient ends delivered or bounced exactly once', () => {
    const outcome = fc.constantFrom('delivered', 'transient', 'transient', 'transient', 'permanent') as fc.Arbitrary<'delivered' | 'transient' | 'permanent'>;
    const message = fc.record({
      arrivalAt: fc.integer({ min: 0, max: 10 * HOUR }),
      recipients: fc.uniqueArray(fc.constantFrom('a@x', 'b@x', 'c@y', 'd@z'), { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 6 }), fc.array(outcome, { minLength: 1, maxLength: 50 }), fc.boolean(), (messages, outcomes, destinationScope) => {
        const lifetime = 6 * HOUR;
        const s = new RetryScheduler({ maximalQueueLifetimeMs: lifetime, minimalBackoffMs: 10 * MIN, maximalBackoffMs: 2 * HOUR });
        const sorted = [...messages].sort((a, b) => a.arrivalAt - b.arrivalAt);
        const final = new Map<string, string>();
        let k = 0;
        let now = 0;
        let added = 0;
        for (let step = 0; step < 2000 && (added < sorted.length || s.size > 0); step++) {
          while (added < sorted.length && (sorted[added]?.arrivalAt ?? 0) <= now) {
            const m = sorted[added] as (typeof sorted)[number];
            s.add({ queueId: `Q${added}`, arrivalAt: m.arrivalAt, recipients: m.recipients.map((r) => ({ recipient: r, destination: r.slice(2) })) });
            added++;
          }
          let wake: number | undefined;
          for (const c of s.next(now)) {
            if (c.kind === 'deliver') {
              const arrival = sorted[Number(c.queueId.slice(1))]?.arrivalAt ?? 0;
              expect(now).toBeLessThan(arrival + lifetime);
              for (const r of c.recipients) {
                const o = outcomes[k++ % outcomes.length] ?? 'delivered';
                s.record({ queueId: c.queueId, recipient: r, outcome: o, at: now, scope: destinationScope ? 'destination' : 'recipient' });
                if (o === 'delivered') {
                  expect(final.has(`${c.queueId} ${r}`)).toBe(false);
                  final.set(`${c.queueId} ${r}`, 'delivered');
                }
              }
            } else if (c.kind === 'bounce') {
              for (const r of c.recipients) {
                expect(final.has(`${c.queueId} ${r.recipient}`)).toBe(false);
                final.set(`${c.queueId} ${r.recipient}`, r.reason);
              }
            } else if (c.kind === 'wake-at') {
              expect(c.at).toBeGreaterThan(now);
              expect(c.at).toBeLessThanOrEqual(Math.max(...sorted.map((m) => m.arrivalAt)) + lifetime);
              wake = c.at;
            }
          }
          const nextArrival = sorted[added]?.arrivalAt;
          const candidates = [wake, nextArrival].filter((t): t is number => t !== undefined && t > now);
          now = candidates.length > 0 ? Math.min(...candidates) : now + 1;
        }
        expect(s.size).toBe(0);
        expect(final.size).toBe(sorted.reduce((n, m) => n + m.recipients.length, 0));
      }),
      { numRuns: 200 },
    );
  });
});

describe('RetryScheduler memory', () => {
  it('drops the timers of finished messages: memory follows the queue, not the history', () => {
    const s = new RetryScheduler({ delayWarningMs: HOUR });
    for (let i = 0; i < 3000; i++) {
      s.add({ queueId: `Q${i}`, arrivalAt: i, recipients: [{ recipient: `u${i}@x`, destination: `d${i % 7}` }] });
      for (const c of s.next(i)) {
        if (c.kind === 'deliver') for (const r of c.recipients) s.record({ queueId: c.queueId, recipient: r, outcome: 'delivered', at: i });
      }
      s.next(i);
    }
    expect(s.size).toBe(0);
    expect(s.pendingTimers).toBeLessThanOrEqual(3 * 1025);
    expect(s.trackedDestinations).toBe(0);
  });
});
