// Every export of the package, imported by its name (STYLE.md §10), with one concrete check each
// for those the other test files do not exercise.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EXTENSIONS,
  LEGAL,
  LocalProtocolError,
  MailError,
  NO_CAPABILITIES,
  REPLY_FOR,
  formatMailParams,
  formatMailbox,
  formatRcptParams,
  isDotString,
  isValidReply,
  parseMailParams,
  parseMailbox,
  parseRcptParams,
  replyLines,
} from '@mailstack/smtp-core';

describe('public surface', () => {
  it('errors: MailError subclasses keep code and name', () => {
    const e = new LocalProtocolError('wrong-state', 'bad call');
    expect(e).toBeInstanceOf(MailError);
    expect([e.code, e.name, e.message]).toEqual(['wrong-state', 'LocalProtocolError', 'bad call']);
    expect(REPLY_FOR['too-many-recipients']).toEqual({ code: 452, enhanced: '4.5.3', text: 'Too many recipients' });
    for (const r of Object.values(REPLY_FOR)) expect(isValidReply(r)).toBe(true);
  });

  it('tables: LEGAL and DEFAULT_EXTENSIONS', () => {
    expect(LEGAL.idle.has('DATA')).toBe(false);
    expect(LEGAL.envelope.has('MAIL')).toBe(false);
    expect(LEGAL.refused).toEqual(new Set(['QUIT']));
    expect(DEFAULT_EXTENSIONS).toMatchObject({ pipelining: true, starttls: false, auth: [] });
    expect(NO_CAPABILITIES).toMatchObject({ pipelining: false, sizeBytes: undefined, auth: [] });
  });

  it('replies: replyLines and isValidReply', () => {
    expect(replyLines({ code: 250, text: 'one' })).toEqual(['one']);
    expect(isValidReply({ code: 250, enhanced: '5.1.1', text: 'x' })).toBe(false);
    expect(isValidReply({ code: 250, text: 'a\r\nb' })).toBe(false);
    expect(isValidReply({ code: 600, text: 'x' })).toBe(false);
  });

  it('addresses and parameters', () => {
    expect(parseMailbox('"a b"@c.d', false)).toEqual({ ok: true, value: { localPart: 'a b', domain: 'c.d' } });
    expect(formatMailbox({ localPart: 'a.b', domain: 'c.d' })).toBe('a.b@c.d');
    expect(isDotString('a..b')).toBe(false);
    const mail = parseMailParams('SIZE=12 smtputf8');
    expect(mail).toEqual({ ok: true, value: { sizeBytes: 12, smtputf8: true } });
    expect(mail.ok && formatMailParams(mail.value)).toBe(' SIZE=12 SMTPUTF8');
    const rcpt = parseRcptParams('NOTIFY=never');
    expect(rcpt.ok && formatRcptParams(rcpt.value)).toBe(' NOTIFY=NEVER');
  });
});
