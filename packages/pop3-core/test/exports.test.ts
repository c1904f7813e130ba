// The small helpers, imported by package name.
import { describe, expect, it } from 'vitest';
import {
  assertMaildrop,
  decodeBase64Strict,
  encodeBase64,
  encodeReply,
  LocalProtocolError,
  MailError,
  parseCapabilities,
  redact,
} from '@mailstack/pop3-core';

const str = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

describe('helpers', () => {
  it('MailError carries a code and names its subclass', () => {
    const err = new LocalProtocolError('wrong-state', 'x', { cause: new Error('inner') });
    expect(err).toBeInstanceOf(MailError);
    expect([err.name, err.code, (err.cause as Error).message]).toEqual(['LocalProtocolError', 'wrong-state', 'inner']);
  });

  it('redact hides all but the kept prefix', () => {
    expect(redact(new TextEncoder().encode('AGFsaWNlAGdvb2Q='), 4)).toBe('AGFs[12 bytes redacted]');
    expect(redact(new Uint8Array([0, 1, 2]), 3)).toBe('???[0 bytes redacted]');
  });

  it('encodeReply writes each reply form', () => {
    expect(str(encodeReply({ type: 'challenge', data: new Uint8Array(0) }))).toBe('+ \r\n');
    expect(str(encodeReply({ type: 'challenge', data: new TextEncoder().encode('Username:') }))).toBe('+ VXNlcm5hbWU6\r\n');
    expect(str(encodeReply({ type: 'lines', lines: ['.dot', 'plain'] }))).toBe('+OK\r\n..dot\r\nplain\r\n.\r\n');
    expect(str(encodeReply({ type: 'login-ok', maildrop: { messages: [] }, text: 'ready' }))).toBe('+OK ready\r\n');
    expect(() => encodeReply({ type: 'lines', lines: ['a\r\n.'] })).toThrow(LocalProtocolError);
  });

  it('base64 round-trips and is strict', () => {
    const data = new Uint8Array([0, 255, 1, 2]);
    expect(decodeBase64Strict(encodeBase64(data))).toEqual(data);
    expect(decodeBase64Strict('')).toEqual(new Uint8Array(0));
    expect(decodeBase64Strict('AP8BAg')).toBeUndefined();
  });

  it('parseCapabilities keys tags in upper case', () => {
    const caps = parseCapabilities(['sasl PLAIN LOGIN', 'TOP', 'LOGIN-DELAY 900 USER']);
    expect([...caps]).toEqual([['SASL', ['PLAIN', 'LOGIN']], ['TOP', []], ['LOGIN-DELAY', ['900', 'USER']]]);
  });

  it('assertMaildrop checks sizes and unique-ids (RFC 1939 §7)', () => {
    expect(() => assertMaildrop({ messages: [{ sizeBytes: 10, uidl: 'whqtswO00WBw418f9t5JxYwZ' }] })).not.toThrow();
    expect(() => assertMaildrop({ messages: [{ sizeBytes: -1, uidl: 'a' }] })).toThrow(LocalProtocolError);
    expect(() => assertMaildrop({ messages: [{ sizeBytes: 1, uidl: 'x'.repeat(71) }] })).toThrow(LocalProtocolError);
    expect(() => assertMaildrop({ messages: [{ sizeBytes: 1, uidl: '' }] })).toThrow(LocalProtocolError);
  });
});
