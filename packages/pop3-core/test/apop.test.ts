import { describe, expect, it } from 'vitest';
import { apopDigest, apopMatches, formatApopTimestamp, LocalProtocolError, parseApopTimestamp } from '@mailstack/pop3-core';

describe('APOP (RFC 1939 §7)', () => {
  const ts = '<1896.697170952@dbc.mtview.ca.us>';

  it('computes the RFC example digest', () => {
    expect(apopDigest(ts, 'tanstaaf')).toBe('c4c9334bac560ecc979e58001b3e22fb');
  });

  it('checks digests, case-insensitively, and refuses wrong ones', () => {
    expect(apopMatches(ts, 'tanstaaf', 'C4C9334BAC560ECC979E58001B3E22FB')).toBe(true);
    expect(apopMatches(ts, 'tanstaaF', 'c4c9334bac560ecc979e58001b3e22fb')).toBe(false);
    expect(apopMatches(ts, 'tanstaaf', 'c4c9')).toBe(false);
  });

  it('finds the timestamp in a greeting', () => {
    expect(parseApopTimestamp(`POP3 server ready ${ts}`)).toBe(ts);
    expect(parseApopTimestamp('POP3 server ready')).toBeUndefined();
    expect(parseApopTimestamp('ready <no-at-sign>')).toBeUndefined();
  });

  it('builds timestamps from the caller\'s pid and clock', () => {
    expect(formatApopTimestamp(1896, 697170952, 'dbc.mtview.ca.us')).toBe(ts);
    expect(() => formatApopTimestamp(1, 2, 'bad host')).toThrow(LocalProtocolError);
  });
});
