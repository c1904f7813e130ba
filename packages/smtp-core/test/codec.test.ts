import { describe, expect, it } from 'vitest';
import {
  DotStuffer,
  decodeCommand,
  decodeCommandLine,
  decodeReply,
  decodeXtext,
  encodeCommand,
  encodeReply,
  encodeXtext,
  formatPath,
  isAddressLiteral,
  isDomain,
  parsePath,
  type SmtpCommand,
} from '@mailstack/smtp-core';

const enc = new TextEncoder();
const dec = new TextDecoder();
const line = (s: string, utf8Recipients = false): ReturnType<typeof decodeCommandLine> => decodeCommandLine(s, { utf8Recipients });

describe('decodeCommand', () => {
  it('frames one CRLF line, reports need-more, accepts a bare LF', () => {
    expect(decodeCommand(enc.encode('NOOP'))).toEqual({ ok: false, need: 'more' });
    expect(decodeCommand(enc.encode('NOOP\r\nQUIT\r\n'))).toEqual({ ok: true, value: { verb: 'NOOP' }, consumed: 6 });
    expect(decodeCommand(enc.encode('quit\n'))).toEqual({ ok: true, value: { verb: 'QUIT' }, consumed: 5 });
    expect(decodeCommand(enc.encode('NOOP \0\r\n'))).toMatchObject({ ok: false, error: { code: 'syntax' } });
    expect(decodeCommand(Uint8Array.of(0x4e, 0x4f, 0x4f, 0x50, 0x20, 0xff, 0x0d, 0x0a))).toMatchObject({ ok: false, error: { code: 'syntax' } });
  });

  it('MAIL: null path, params, quoted local part, source route, address literals', () => {
    expect(line('MAIL FROM:<>')).toEqual({ ok: true, value: { verb: 'MAIL', reversePath: null, params: {} } });
    expect(line('mail from:<"john doe"@example.com> SIZE=1000 BODY=8bitmime RET=HDRS ENVID=QQ+2B314 AUTH=<>')).toEqual({
      ok: true,
      value: {
        verb: 'MAIL',
        reversePath: { localPart: 'john doe', domain: 'example.com' },
        params: { sizeBytes: 1000, body: '8BITMIME', ret: 'HDRS', envid: 'QQ+314', auth: '<>' },
      },
    });
    expect(line('MAIL FROM:<@relay1.example,@relay2.example:user@example.com>')).toMatchObject({
      ok: true,
      value: { reversePath: { localPart: 'user', domain: 'example.com' } },
    });
    // Lenient: space after the colon.
    expect(line('MAIL FROM: <a@[192.0.2.1]>')).toMatchObject({ ok: true, value: { reversePath: { localPart: 'a', domain: '[192.0.2.1]' } } });
    expect(line('MAIL FROM:<a@[IPv6:2001:db8::1]>')).toMatchObject({ ok: true });
    expect(line('MAIL FROM:<a@[IPv6:2001:db8::192.0.2.1]>')).toMatchObject({ ok: true });
    for (const bad of ['MAIL FROM:a@b.c', 'MAIL FROM:<a@b.c', 'MAIL FROM:<a@[300.1.1.1]>', 'MAIL FROM:<a@[IPv6:1::2::3]>', 'MAIL FROM:<a..b@c.d>', 'MAIL FROM:<a@b.c>x', 'MAIL TO:<a@b.c>']) {
      expect(line(bad)).toMatchObject({ ok: false });
    }
  });

  it('RCPT: Postmaster, DSN params, UTF-8 only when allowed', () => {
    expect(line('RCPT TO:<Postmaster>')).toEqual({ ok: true, value: { verb: 'RCPT', forwardPath: { localPart: 'Postmaster', domain: '' }, params: {} } });
    expect(line('RCPT TO:<b@c.d> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;b+40c.d')).toMatchObject({
      ok: true,
      value: { params: { notify: ['SUCCESS', 'DELAY'], orcpt: { addrType: 'rfc822', address: 'b@c.d' } } },
    });
    expect(line('RCPT TO:<b@c.d> NOTIFY=NEVER,SUCCESS')).toMatchObject({ ok: false, error: { code: 'bad-parameter' } });
    expect(line('RCPT TO:<b@c.d> FOO')).toMatchObject({ ok: false, error: { code: 'unknown-parameter' } });
    expect(line('RCPT TO:<δοκιμή@παράδειγμα.δοκιμή>')).toMatchObject({ ok: false, error: { code: 'non-ascii-recipient' } });
    expect(line('RCPT TO:<δοκιμή@παράδειγμα.δοκιμή>', true)).toMatchObject({ ok: true, value: { forwardPath: { localPart: 'δοκιμή' } } });
    expect(line('RCPT TO:<>')).toMatchObject({ ok: false, error: { code: 'bad-recipient-syntax' } });
  });

  it('AUTH: base64 initial response, "=" for empty, strict base64', () => {
    expect(line('AUTH PLAIN AHUAcA==')).toEqual({ ok: true, value: { verb: 'AUTH', mechanism: 'PLAIN', initialResponse: Uint8Array.of(0, 0x75, 0, 0x70) } });
    expect(line('AUTH external =')).toEqual({ ok: true, value: { verb: 'AUTH', mechanism: 'EXTERNAL', initialResponse: new Uint8Array(0) } });
    expect(line('AUTH PLAIN AHU=AcA')).toMatchObject({ ok: false, error: { code: 'auth-syntax' } });
    expect(line('AUTH PLAIN AHUAcA')).toMatchObject({ ok: false, error: { code: 'auth-syntax' } });
    expect(line('AUTH THIS-MECHANISM-NAME-IS-TOO-LONG')).toMatchObject({ ok: false, error: { code: 'syntax' } });
  });

  it('BDAT, arguments and their absence', () => {
    expect(line('BDAT 0 last')).toEqual({ ok: true, value: { verb: 'BDAT', sizeBytes: 0, last: true } });
    expect(line('BDAT -1')).toMatchObject({ ok: false, error: { verb: 'BDAT' } });
    expect(line('DATA x')).toMatchObject({ ok: false, error: { code: 'syntax' } });
    expect(line('VRFY')).toMatchObject({ ok: false, error: { code: 'syntax' } });
    expect(line('EHLO')).toMatchObject({ ok: false, error: { code: 'syntax' } });
    expect(line('HELP mail')).toEqual({ ok: true, value: { verb: 'HELP', argument: 'mail' } });
    expect(line('XYZZY')).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
  });

  it('encodeCommand uses minimal quoting and the canonical spelling', () => {
    const cmds: [SmtpCommand, string][] = [
      [{ verb: 'MAIL', reversePath: { localPart: 'john doe', domain: 'x.y' }, params: { smtputf8: true, sizeBytes: 5 } }, 'MAIL FROM:<"john doe"@x.y> SIZE=5 SMTPUTF8'],
      [{ verb: 'RCPT', forwardPath: { localPart: 'a"b', domain: 'x.y' }, params: { notify: 'NEVER' } }, 'RCPT TO:<"a\\"b"@x.y> NOTIFY=NEVER'],
      [{ verb: 'AUTH', mechanism: 'PLAIN', initialResponse: new Uint8Array(0) }, 'AUTH PLAIN ='],
      [{ verb: 'BDAT', sizeBytes: 12, last: false }, 'BDAT 12'],
    ];
    for (const [cmd, text] of cmds) expect(dec.decode(encodeCommand(cmd))).toBe(`${text}\r\n`);
  });
});

describe('paths, xtext', () => {
  it('domains and address literals per RFC 5321 §4.1.2-3', () => {
    expect(isDomain('a-b.example')).toBe(true);
    expect(isDomain('-a.example')).toBe(false);
    expect(isDomain('bücher.example')).toBe(false);
    expect(isDomain('bücher.example', true)).toBe(true);
    expect(isAddressLiteral('[IPv6:::1]')).toBe(true);
    expect(isAddressLiteral('[IPv6:1:2:3:4:5:6:7:8]')).toBe(true);
    expect(isAddressLiteral('[IPv6:1:2:3:4:5:6:7]')).toBe(false);
    expect(isAddressLiteral('[01.2.3.4]')).toBe(false);
    expect(isAddressLiteral('[x-tag:stuff]')).toBe(true);
  });

  it('a 300-octet path is refused (RFC 5321 §4.5.3.1.3)', () => {
    expect(parsePath(`<${'a'.repeat(290)}@b.c>`, 0, { utf8: false })).toEqual({ ok: false, error: 'syntax' });
    expect(formatPath(null)).toBe('<>');
  });

  it('xtext round trip (RFC 3461 §4)', () => {
    expect(encodeXtext('a+b=c d')).toBe('a+2Bb+3Dc+20d');
    expect(decodeXtext('a+2Bb+3Dc+20d')).toBe('a+b=c d');
    expect(decodeXtext('a+2b')).toBeUndefined();
    expect(decodeXtext('a=b')).toBeUndefined();
  });
});

describe('replies', () => {
  it('multi-line with enhanced codes, stripped from every line', () => {
    const r = decodeReply(enc.encode('550-5.1.1 first\r\n550-5.1.1 second\r\n550 5.1.1 third\r\nextra'));
    expect(r).toEqual({ ok: true, value: { code: 550, enhanced: '5.1.1', text: ['first', 'second', 'third'] }, consumed: 52 });
    expect(dec.decode(encodeReply({ code: 550, enhanced: '5.1.1', text: ['first', 'second', 'third'] }))).toBe('550-5.1.1 first\r\n550-5.1.1 second\r\n550 5.1.1 third\r\n');
  });

  it('a class mismatch is not an enhanced code; a code change inside a reply is an error', () => {
    expect(decodeReply(enc.encode('250 5.0.0 odd\r\n'))).toMatchObject({ ok: true, value: { code: 250, text: '5.0.0 odd' } });
    expect(decodeReply(enc.encode('250-a\r\n251 b\r\n'))).toMatchObject({ ok: false, error: expect.stringContaining('changed') });
    expect(decodeReply(enc.encode('250-a\r\n'))).toEqual({ ok: false, need: 'more' });
    expect(dec.decode(encodeReply({ code: 334, text: '' }))).toBe('334 \r\n');
  });
});

describe('DotStuffer', () => {
  it('stuffs leading dots, completes the last line, normalises bare LF', () => {
    const s = new DotStuffer();
    const out = [s.encodeDataChunk(enc.encode('.a\r\n')), s.encodeDataChunk(enc.encode('.')), s.encodeDataChunk(enc.encode('b\n.c')), s.end()];
    expect(out.map((b) => dec.decode(b)).join('')).toBe('..a\r\n..b\r\n..c\r\n.\r\n');
    expect(dec.decode(new DotStuffer().end())).toBe('.\r\n');
  });
});
