// ReceivedFieldCache: whatever the sequence of fields asked for, each answer is exactly what
// formatReceived gives for it (same client, recipient and second share one text; nothing else does).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReceivedFieldCache, formatReceived, type ReceivedInfo } from '@mailstack/mta';

const T0 = Date.UTC(2026, 10, 27, 15, 0, 0);

// Few distinct values, so that sequences repeat keys, hit the cache and overflow a small limit.
const arbInfo: fc.Arbitrary<ReceivedInfo> = fc.record(
  {
    helo: fc.constantFrom('client.example', 'bad helo (x)', '', '[192.0.2.9]', 'a\0b'),
    clientAddress: fc.constantFrom('192.0.2.1', '::ffff:192.0.2.1', '2001:db8::1'),
    clientHostname: fc.constantFrom('client.example', 'unknown'),
    by: fc.constantFrom('mail.example.test', 'mx.example.test'),
    protocol: fc.constantFrom('ESMTP' as const, 'ESMTPS' as const, 'SMTP' as const),
    id: fc.constantFrom('01ABC', 'not an atom'),
    recipients: fc.constantFrom([], ['u@example.test'], ['v@example.test'], ['u@example.test', 'v@example.test'], [''], ['x\0y']),
    tls: fc.constantFrom({ protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', bits: 256 }, { protocol: 'TLSv1.2', cipher: 'ECDHE' }),
    date: fc.integer({ min: 0, max: 2999 }).map((ms) => new Date(T0 + ms)),
    software: fc.constantFrom('mailstack', 'other', ''),
  },
  { requiredKeys: ['clientAddress', 'by', 'protocol', 'date'] },
);

describe('ReceivedFieldCache', () => {
  it('answers every field exactly as formatReceived does, through hits and overflows', () =>
    fc.assert(
      fc.property(fc.array(arbInfo, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 8 }), (infos, limit) => {
        const cache = new ReceivedFieldCache(limit);
        for (const info of infos) expect(cache.format(info)).toBe(formatReceived(info));
      }),
      { numRuns: 300 },
    ));

  it('gives a new date once the second changes', () => {
    const cache = new ReceivedFieldCache();
    const info = { clientAddress: '192.0.2.1', by: 'mail.example.test', protocol: 'ESMTP' as const, recipients: ['u@example.test'] };
    const first = cache.format({ ...info, date: new Date(T0 + 999) });
    expect(cache.format({ ...info, date: new Date(T0 + 1) })).toBe(first);
    const next = cache.format({ ...info, date: new Date(T0 + 1000) });
    expect(next).not.toBe(first);
    expect(next).toContain('15:00:01 +0000');
  });
});
