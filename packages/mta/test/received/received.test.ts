import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatReceived, receivedProtocol, type ReceivedInfo } from '@mailstack/mta';

const date = new Date(Date.UTC(2026, 10, 26, 15, 0, 0));
const base: ReceivedInfo = {
  helo: 'client.example',
  clientAddress: '192.0.2.1',
  clientHostname: 'client.example',
  by: 'mail.example.test',
  protocol: 'ESMTPS',
  id: '01JDQ4ZK3M7Y',
  recipients: ['user@example.test'],
  tls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', bits: 256 },
  date,
};
const unfold = (field: string): string => field.replace(/\r\n(?=[ \t])/g, '');

// RFC 5321 §4.4 Stamp, with the comments we write, after unfolding.
const STAMP =
  /^Received: from (\S+) \((\S+) (\[[^\]\s]+\])\)((?: \((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\))*) by (\S+) \(mailstack\) with ([A-Z0-9]+)(?: id (\S+))?(?: for <([^>]+)>)?; (.+)\r\n$/;

describe('formatReceived (RFC 5321 §4.4)', () => {
  it('writes every clause, folded at 78 characters with CRLF', () => {
    const field = formatReceived(base);
    expect(field).toBe(
      'Received: from client.example (client.example [192.0.2.1]) (using TLSv1.3 with\r\n' +
        ' cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) by mail.example.test\r\n' +
        ' (mailstack) with ESMTPS id 01JDQ4ZK3M7Y for <user@example.test>; Thu, 26 Nov\r\n' +
        ' 2026 15:00:00 +0000\r\n',
    );
    for (const line of field.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    const m = STAMP.exec(unfold(field));
    expect(m?.slice(1, 3)).toEqual(['client.example', 'client.example']);
    expect(m?.[6]).toBe('ESMTPS');
    expect(m?.[9]).toBe('Thu, 26 Nov 2026 15:00:00 +0000');
  });

  it('omits FOR with several recipients (Bcc privacy), and TLS and id when absent', () => {
    const field = unfold(formatReceived({ ...base, recipients: ['a@x.example', 'b@x.example'], tls: undefined, id: undefined, protocol: 'ESMTP' }));
    expect(field).toBe(
      'Received: from client.example (client.example [192.0.2.1]) by mail.example.test (mailstack) with ESMTP; Thu, 26 Nov 2026 15:00:00 +0000\r\n',
    );
  });

  it('writes IPv6 literals with the IPv6: tag and IPv4-mapped clients as IPv4', () => {
    expect(unfold(formatReceived({ ...base, clientAddress: '2001:DB8::1' }))).toContain('(client.example [IPv6:2001:db8::1])');
    expect(unfold(formatReceived({ ...base, clientAddress: '::ffff:127.0.0.1', clientHostname: undefined }))).toContain('(unknown [127.0.0.1])');
  });

  it('keeps a bogus HELO out of the grammar: "unknown" plus an escaped comment', () => {
    const field = unfold(formatReceived({ ...base, helo: 'evil) by\r\nX-Injected: (yes\\', tls: undefined }));
    expect(field).toContain('from unknown (client.example [192.0.2.1]) (HELO evil\\) by??X-Injected: \\(yes\\\\) by mail.example.test');
    expect(field.split('\r\n')).toHaveLength(2);
    expect(STAMP.exec(field)?.[1]).toBe('unknown');
    expect(unfold(formatReceived({ ...base, helo: '[192.0.2.1]' }))).toContain('from [192.0.2.1] (client.example');
    expect(unfold(formatReceived({ ...base, helo: undefined }))).toContain('from unknown (client.example');
  });

  it('any HELO and host name give one well-formed field', () => {
    const text = fc.string({ maxLength: 300, unit: fc.constantFrom(...'ab.()\\\r\n \t[]:-é\u0000') });
    fc.assert(
      fc.property(text, text, (helo, host) => {
        const field = formatReceived({ ...base, helo, clientHostname: host });
        expect(field.endsWith('\r\n')).toBe(true);
        expect(/\r(?!\n)|(?<!\r)\n|\r\n(?![ \t]|$)/.test(field)).toBe(false);
        expect(STAMP.test(unfold(field))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('receivedProtocol (RFC 3848, RFC 6531)', () => {
  it.each([
    [{ extended: false, tls: false, authenticated: false }, 'SMTP'],
    [{ extended: true, tls: false, authenticated: false }, 'ESMTP'],
    [{ extended: true, tls: true, authenticated: false }, 'ESMTPS'],
    [{ extended: true, tls: false, authenticated: true }, 'ESMTPA'],
    [{ extended: true, tls: true, authenticated: true }, 'ESMTPSA'],
    [{ extended: true, lmtp: true, tls: false, authenticated: false }, 'LMTP'],
    [{ extended: true, lmtp: true, tls: true, authenticated: true }, 'LMTPSA'],
    [{ extended: true, tls: true, authenticated: true, utf8: true }, 'UTF8SMTPSA'],
    [{ extended: true, lmtp: true, tls: false, authenticated: false, utf8: true }, 'UTF8LMTP'],
  ] as const)('%j → %s', (facts, name) => {
    expect(receivedProtocol(facts)).toBe(name);
  });
});
