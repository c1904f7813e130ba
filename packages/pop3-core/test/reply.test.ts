import { describe, expect, it } from 'vitest';
import { decodeStatusLine, encodeStatusLine, LocalProtocolError, REPLY_FOR } from '@mailstack/pop3-core';

const str = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

describe('status lines', () => {
  it('encodes +OK/-ERR with an optional response code (RFC 2449 §8)', () => {
    expect(str(encodeStatusLine(true, undefined))).toBe('+OK\r\n');
    expect(str(encodeStatusLine(true, '2 320'))).toBe('+OK 2 320\r\n');
    expect(str(encodeStatusLine(false, 'Do you have another POP session running?', 'IN-USE'))).toBe(
      '-ERR [IN-USE] Do you have another POP session running?\r\n',
    );
    expect(str(encodeStatusLine(false, 'disk full', 'SYS/TEMP'))).toBe('-ERR [SYS/TEMP] disk full\r\n');
  });

  it('refuses text that would break framing or exceed 512 octets (RFC 1939 §3)', () => {
    expect(() => encodeStatusLine(true, 'a\r\n+OK b')).toThrow(LocalProtocolError);
    expect(() => encodeStatusLine(true, 'x'.repeat(510))).toThrow(LocalProtocolError);
    expect(() => encodeStatusLine(false, 'x', 'BAD]CODE')).toThrow(LocalProtocolError);
  });

  it('decodes status lines and response codes, case-insensitively', () => {
    expect(decodeStatusLine('+OK 2 320')).toEqual({ ok: true, value: { ok: true, text: '2 320' } });
    expect(decodeStatusLine('+OK')).toEqual({ ok: true, value: { ok: true, text: '' } });
    expect(decodeStatusLine('-ERR [sys/temp] try later')).toEqual({ ok: true, value: { ok: false, code: 'SYS/TEMP', text: 'try later' } });
    expect(decodeStatusLine('-err [AUTH]')).toEqual({ ok: true, value: { ok: false, code: 'AUTH', text: '' } });
    expect(decodeStatusLine('-ERR [not a code')).toEqual({ ok: true, value: { ok: false, text: '[not a code' } });
    expect(decodeStatusLine('* OK imap')).toMatchObject({ ok: false });
    expect(decodeStatusLine('+OKAY')).toMatchObject({ ok: false });
  });

  it('gives the same answer for every credential problem (SPEC.md §7, RFC 3206 §5)', () => {
    expect(REPLY_FOR['auth-failed']).toEqual({ type: 'err', code: 'AUTH', text: 'Authentication failed' });
    expect(REPLY_FOR['in-use'].type === 'err' && REPLY_FOR['in-use'].code).toBe('IN-USE');
  });
});
