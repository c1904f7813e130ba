import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientRateLimiter } from '@mailstack/mta';

describe('ClientRateLimiter (anvil-like)', () => {
  it('limits the connection rate in a sliding window with 421 4.7.0', () => {
    const limiter = new ClientRateLimiter({ maxConnectionsPerWindow: 3, windowMs: 60_000 });
    const ip = '203.0.113.5';
    for (const t of [0, 10_000, 20_000]) {
      expect(limiter.connect(ip, t)).toEqual({ action: 'accept' });
      limiter.disconnect(ip);
    }
    expect(limiter.connect(ip, 59_999)).toEqual({
      action: 'reject',
      reply: { code: 421, enhanced: '4.7.0', text: 'Error: too many connections from 203.0.113.5' },
    });
    // The refused attempt at 59_999 counts (anvil); the window slides past 0 and 10_000.
    expect(limiter.connect(ip, 60_001).action).toBe('reject');
    expect(limiter.connect(ip, 80_001).action).toBe('accept');
    expect(limiter.connect('203.0.113.6', 59_999).action).toBe('accept');
  });

  it('limits concurrent sessions per client', () => {
    const limiter = new ClientRateLimiter({ maxConcurrentConnections: 2 });
    expect(limiter.connect('::ffff:192.0.2.1', 0).action).toBe('accept');
    expect(limiter.connect('192.0.2.1', 1).action).toBe('accept');
    expect(limiter.connect('192.0.2.1', 2)).toMatchObject({ action: 'reject', reply: { code: 421, enhanced: '4.7.0' } });
    limiter.disconnect('192.0.2.1');
    expect(limiter.connect('192.0.2.1', 3).action).toBe('accept');
  });

  it('with maxConcurrentConnections 0 open sessions are not counted: idle clients are pruned without disconnect', () => {
    const limiter = new ClientRateLimiter({ maxConcurrentConnections: 0, maxConnectionsPerWindow: 100, windowMs: 1000 });
    for (let i = 0; i < 60; i++) expect(limiter.connect('198.51.100.7', i).action).toBe('accept');
    expect(limiter.connect('198.51.100.8', 0).action).toBe('accept');
    expect(limiter.trackedClients).toBe(2);
    limiter.prune(2000);
    expect(limiter.trackedClients).toBe(0);
  });

  it('limits the message rate with 450 4.7.1', () => {
    const limiter = new ClientRateLimiter({ maxMessagesPerWindow: 2, windowMs: 1000 });
    expect(limiter.message('192.0.2.9', 0).action).toBe('accept');
    expect(limiter.message('192.0.2.9', 500).action).toBe('accept');
    expect(limiter.message('192.0.2.9', 999)).toEqual({
      action: 'reject',
      reply: { code: 450, enhanced: '4.7.1', text: 'Error: too much mail from 192.0.2.9' },
    });
    expect(limiter.message('192.0.2.9', 1600).action).toBe('accept');
  });

  it('never limits exempt networks, and is off by default for rates', () => {
    const limiter = new ClientRateLimiter({ maxConnectionsPerWindow: 1, maxMessagesPerWindow: 1, exempt: ['127.0.0.0/8'] });
    for (let t = 0; t < 5; t++) {
      expect(limiter.connect('127.0.0.1', t).action).toBe('accept');
      expect(limiter.message('127.0.0.1', t).action).toBe('accept');
    }
    const defaults = new ClientRateLimiter();
    for (let t = 0; t < 100; t++) expect(defaults.message('192.0.2.1', t).action).toBe('accept');
  });

  it('counts IPv6 clients per /84 (Postfix smtpd_client_ipv6_prefix_length), IPv4 per address', () => {
    const limiter = new ClientRateLimiter({ maxMessagesPerWindow: 1 });
    expect(limiter.message('2001:db8::1', 0).action).toBe('accept');
    expect(limiter.message('2001:db8::ffff:2', 1)).toEqual({
      action: 'reject',
      reply: { code: 450, enhanced: '4.7.1', text: 'Error: too much mail from 2001:db8::ffff:2' },
    });
    expect(limiter.message('2001:db8:0:0:1000::1', 2).action).toBe('accept');
    expect(limiter.message('192.0.2.1', 3).action).toBe('accept');
    expect(limiter.message('192.0.2.2', 4).action).toBe('accept');
    const per24 = new ClientRateLimiter({ maxMessagesPerWindow: 1, ipv4PrefixLength: 24 });
    expect(per24.message('192.0.2.1', 0).action).toBe('accept');
    expect(per24.message('192.0.2.200', 1).action).toBe('reject');
  });

  it('prunes by itself as new clients arrive, so an address spray stays bounded', () => {
    const limiter = new ClientRateLimiter({ maxConnectionsPerWindow: 5, windowMs: 1000, autoPruneEvery: 10 });
    for (let i = 0; i < 9; i++) {
      limiter.connect(`192.0.2.${i}`, 0);
      limiter.disconnect(`192.0.2.${i}`);
    }
    expect(limiter.trackedClients).toBe(9);
    limiter.connect('198.51.100.1', 5000);
    expect(limiter.trackedClients).toBe(1);
    for (let i = 0; i < 5000; i++) {
      limiter.message(`2001:db8:${i.toString(16)}::1`, 10_000 + i * 10);
    }
    expect(limiter.trackedClients).toBeLessThanOrEqual(110);
  });

  it('prune forgets idle clients but keeps open sessions', () => {
    const limiter = new ClientRateLimiter({ maxConnectionsPerWindow: 10, windowMs: 1000 });
    limiter.connect('192.0.2.1', 0);
    limiter.connect('192.0.2.2', 0);
    limiter.disconnect('192.0.2.2');
    expect(limiter.trackedClients).toBe(2);
    limiter.prune(5000);
    expect(limiter.trackedClients).toBe(1);
  });

  it('accepts exactly the events that leave at most `limit` in any window (model check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 60 }), (limit, gaps) => {
        const windowMs = 1000;
        const limiter = new ClientRateLimiter({ maxMessagesPerWindow: limit, windowMs });
        const all: number[] = [];
        let now = 0;
        for (const gap of gaps) {
          now += gap;
          const inWindow = all.filter((t) => t > now - windowMs).length;
          all.push(now);
          expect(limiter.message('192.0.2.1', now).action).toBe(inWindow < limit ? 'accept' : 'reject');
        }
      }),
      { numRuns: 200 },
    );
  });
});
