import { describe, expect, it } from 'vitest';
import { LocalProtocolError, SmtpServerSession } from '@mailstack/smtp-core';
import { codes, dec, enc, greeted, run } from './helpers/drive.js';

const MAIL = 'MAIL FROM:<a@client.test>\r\n';
const RCPT = 'RCPT TO:<b@mx.test>\r\n';

describe('connection start', () => {
  it('an early talker gets 554 at once and the connection closes', () => {
    const r = run();
    r.feed('EHLO spammer\r\n'); // before any nextEvent(): the greeting was never sent
    expect(r.events[0]).toMatchObject({ type: 'rejected', code: 'early-talker' });
    expect(r.wire).toEqual(['554 mx.test Protocol error: talked before the greeting\r\n']);
    expect(r.session.state.phase).toBe('closed');
  });

  it('bytes that arrive while the app decides on the greeting also make an early talker', () => {
    const s = new SmtpServerSession({ hostname: 'mx.test' });
    expect(s.nextEvent()).toEqual({ type: 'greeting' });
    s.receive(enc.encode('EHLO quick\r\n')); // e.g. during an asynchronous DNSBL lookup
    expect(dec.decode(s.send({ code: 220, text: 'mx.test ESMTP' }))).toBe('220 mx.test ESMTP\r\n');
    const ev = s.nextEvent();
    expect(ev).toMatchObject({ type: 'rejected', code: 'early-talker' });
    if (ev.type === 'rejected') expect(dec.decode(s.send(ev.reply))).toBe('554 5.5.1 mx.test Protocol error: talked before the greeting\r\n');
    expect(s.nextEvent()).toEqual({ type: 'closed' });
  });

  it('a refused connection (554 greeting) answers 503 to everything but QUIT (RFC 5321 §3.1)', () => {
    const r = run({}, (ev) => (ev.type === 'greeting' ? { code: 554, text: 'mx.test no service' } : ev.type === 'rejected' ? ev.reply : { code: 221, text: 'Bye' }));
    r.feed(new Uint8Array(0));
    r.feed(`EHLO x\r\n${MAIL}QUIT\r\n`);
    expect(codes(r.wire)).toEqual(['554', '503 5.5.1', '503 5.5.1', '221 2.0.0']);
    expect(r.session.state.phase).toBe('closed');
  });
});

describe('commands', () => {
  it('unknown command 500 5.5.2; NUL and control bytes 501 5.5.2 and the session goes on', () => {
    const r = greeted();
    r.feed('FOO bar\r\nNOOP \0x\r\nNO\x01OP\r\nNOOP\r\n');
    expect(codes(r.wire)).toEqual(['500 5.5.2', '501 5.5.2', '501 5.5.2', '250 2.0.0']);
  });

  it('overlong line: 500 5.5.2 Line too long, framing kept, bounded buffering', () => {
    const r = greeted({ maxLineBytes: 512 });
    r.feed(`NOOP ${'x'.repeat(600)}\r\n`);
    // A line with no end at all, 1 MB in pieces: skipped, not stored.
    for (let i = 0; i < 64; i++) r.feed('y'.repeat(16384));
    r.feed('\r\nNOOP\r\n');
    expect(codes(r.wire)).toEqual(['500 5.5.2', '500 5.5.2', '250 2.0.0']);
    expect(r.wire[0]).toContain('Line too long');
  });

  it('AUTH lines may be longer than other commands (RFC 4954 §4: 12288)', () => {
    const r = greeted({ maxLineBytes: 512, extensions: { auth: ['PLAIN'] } });
    r.feed(`AUTH PLAIN ${btoa('x'.repeat(3000))}\r\n`);
    expect(r.events[0]).toMatchObject({ type: 'command', command: { verb: 'AUTH', mechanism: 'PLAIN' } });
  });

  it('commands out of order: 503 5.5.1', () => {
    const r = run();
    r.feed(new Uint8Array(0));
    r.feed(`${MAIL}${RCPT}DATA\r\nEHLO c\r\n${RCPT}DATA\r\n${MAIL}${MAIL}DATA\r\n`);
    expect(codes(r.wire)).toEqual([
      '220', '503 5.5.1', '503 5.5.1', '503 5.5.1', // MAIL/RCPT/DATA before EHLO
      '250', '503 5.5.1', '503 5.5.1', // RCPT, DATA before MAIL
      '250 2.0.0', '503 5.5.1', // nested MAIL
      '554 5.5.1', // DATA without an accepted recipient
    ]);
    expect(r.wire[1]).toContain('HELO/EHLO');
  });

  it('EHLO inside a transaction resets it (RFC 5321 §4.1.4)', () => {
    const r = greeted();
    r.feed(`${MAIL}${RCPT}EHLO again\r\nDATA\r\n`);
    expect(codes(r.wire).slice(-1)).toEqual(['503 5.5.1']);
    expect(r.session.state).toMatchObject({ phase: 'idle', ctx: { helo: { verb: 'EHLO', domain: 'again' } } });
  });

  it('a flood of pipelined commands in one packet is answered in order', () => {
    const r = greeted();
    const flood = Array.from({ length: 2000 }, (_, i) => `NOOP ${i}\r\n`).join('');
    r.feed(flood);
    expect(r.events).toHaveLength(2000);
    expect(r.events.every((e, i) => e.type === 'command' && e.command.verb === 'NOOP' && e.command.argument === String(i))).toBe(true);
    expect(r.wire.every((w) => w === '250 2.0.0 Ok\r\n')).toBe(true);
  });

  it('the session waits for send() before the next pipelined command', () => {
    const s = new SmtpServerSession({ hostname: 'mx.test' });
    expect(s.nextEvent()).toEqual({ type: 'greeting' });
    s.send({ code: 220, text: 'mx.test' });
    s.receive(enc.encode(`EHLO c\r\n${MAIL}`));
    expect(s.nextEvent()).toMatchObject({ type: 'command', command: { verb: 'EHLO' } });
    expect(() => s.nextEvent()).toThrow(LocalProtocolError);
    s.send({ code: 250, text: 'mx.test' });
    expect(s.nextEvent()).toMatchObject({ type: 'command', command: { verb: 'MAIL' } });
    expect(() => s.send({ code: 354, text: 'go' })).toThrow(LocalProtocolError);
    s.send({ code: 250, text: 'ok' });
    expect(() => s.send({ code: 250, text: 'again' })).toThrow(LocalProtocolError);
    expect(s.nextEvent()).toEqual({ type: 'need-data' });
  });

  it('10,000 RCPTs: the limit answers 452 4.5.3, overshoot is not an error until twice the limit', () => {
    const r = greeted({ maxRecipients: 100 });
    r.feed(MAIL);
    r.feed(Array.from({ length: 10_000 }, (_, i) => `RCPT TO:<u${i}@mx.test>\r\n`).join(''));
    const c = codes(r.wire);
    expect(c.slice(1, 101).every((x) => x === '250 2.0.0')).toBe(true);
    expect(c.slice(101, 221).every((x) => x === '452 4.5.3')).toBe(true);
    expect(c.at(-1)).toBe('421 4.7.0');
    expect(r.session.state.phase).toBe('closed');
    // 100 accepted + 100 forgiven + 20 counted errors, then the 421: the rest was never read as commands.
    expect(c).toHaveLength(1 + 100 + 120 + 1);
  });

  it('too many errors: 421 4.7.0 and close (Postfix smtpd_hard_error_limit)', () => {
    const r = greeted({ maxErrors: 5 });
    r.feed('BAD\r\n'.repeat(10));
    expect(codes(r.wire)).toEqual(['500 5.5.2', '500 5.5.2', '500 5.5.2', '500 5.5.2', '500 5.5.2', '421 4.7.0']);
    expect(r.session.nextEvent()).toEqual({ type: 'closed' });
  });

  it('VRFY is passed on (252 by the app), EXPN is 502, HELP is passed on', () => {
    const r = greeted();
    r.feed('VRFY root\r\nEXPN staff\r\nHELP\r\n');
    expect(codes(r.wire)).toEqual(['252 2.0.0', '502 5.5.1', '214 2.0.0']);
  });

  it('every reply carries an enhanced status code except greeting and EHLO (RFC 2034 §4)', () => {
    const r = run();
    r.feed(new Uint8Array(0));
    r.feed(`EHLO c\r\n${MAIL}${RCPT}DATA\r\nhi\r\n.\r\nRSET\r\nNOOP\r\nQUIT\r\n`);
    const lines = r.wire.flatMap((w) => w.split('\r\n').filter((l) => l !== ''));
    const plain = lines.filter((l) => !/^\d{3}[ -][245]\.\d{1,3}\.\d{1,3} /.test(l));
    expect(plain).toEqual([
      '220 mx.test ESMTP', '250-mx.test', '250-PIPELINING', '250-8BITMIME', '250-SIZE 10240000', '250-DSN',
      '250-ENHANCEDSTATUSCODES', '250-SMTPUTF8', '250-BINARYMIME', '250 CHUNKING', '354 End data with <CR><LF>.<CR><LF>',
    ]);
  });

  it('idle timeout: 421 4.4.2 after idleTimeoutMs without input, then closed', () => {
    const r = greeted({ idleTimeoutMs: 1000 });
    r.session.tick(0);
    r.session.tick(999);
    r.feed(new Uint8Array(0));
    expect(r.wire).toEqual([]);
    r.session.tick(1000);
    r.feed(new Uint8Array(0));
    expect(r.wire).toEqual(['421 4.4.2 mx.test Error: timeout exceeded\r\n']);
    expect(r.session.state.phase).toBe('closed');
  });

  it('input resets the idle clock', () => {
    const r = greeted({ idleTimeoutMs: 1000 });
    r.session.tick(0);
    r.feed('NOOP\r\n');
    r.session.tick(900);
    r.session.tick(1800);
    r.feed(new Uint8Array(0));
    expect(codes(r.wire)).toEqual(['250 2.0.0']);
  });
});

describe('MAIL and RCPT parameters', () => {
  it('SIZE over the limit at MAIL: 552 5.3.4 (RFC 1870 §6.1)', () => {
    const r = greeted({ maxMessageBytes: 1000 });
    r.feed('MAIL FROM:<a@b.c> SIZE=1001\r\nMAIL FROM:<a@b.c> SIZE=1000\r\n');
    expect(codes(r.wire)).toEqual(['552 5.3.4', '250 2.0.0']);
  });

  it('unknown or unoffered parameters: 555 5.5.4; bad values: 501 5.5.4', () => {
    const r = greeted({ extensions: { dsn: false } });
    r.feed('MAIL FROM:<a@b.c> FOO=1\r\nMAIL FROM:<a@b.c> RET=FULL\r\nMAIL FROM:<a@b.c> BODY=9BIT\r\nMAIL FROM:<a@b.c> SIZE=1 SIZE=2\r\n');
    expect(codes(r.wire)).toEqual(['555 5.5.4', '555 5.5.4', '501 5.5.4', '501 5.5.4']);
  });

  it('parameters after HELO (not EHLO) are refused with 555', () => {
    const r = run();
    r.feed(new Uint8Array(0));
    r.feed('HELO c\r\nMAIL FROM:<a@b.c> BODY=8BITMIME\r\n');
    expect(codes(r.wire)).toEqual(['220', '250', '555 5.5.4']);
  });

  it('UTF-8 addresses only with SMTPUTF8 (RFC 6531 §3.5: 550/553 5.6.7)', () => {
    const r = greeted();
    r.feed('MAIL FROM:<jörg@bücher.example>\r\nMAIL FROM:<jörg@bücher.example> SMTPUTF8\r\nRCPT TO:<用户@例子.广告>\r\n');
    expect(codes(r.wire)).toEqual(['550 5.6.7', '250 2.0.0', '250 2.0.0']);
    const r2 = greeted();
    r2.feed('MAIL FROM:<a@b.c>\r\nRCPT TO:<用户@例子.广告>\r\n');
    expect(codes(r2.wire)).toEqual(['250 2.0.0', '553 5.6.7']);
  });

  it('bad addresses: 501 5.1.7 for the sender, 501 5.1.3 for a recipient', () => {
    const r = greeted();
    r.feed('MAIL FROM:<a b@c>\r\nMAIL FROM:<>\r\nRCPT TO:<>\r\nRCPT TO:<x@-bad-.example>\r\n');
    expect(codes(r.wire)).toEqual(['501 5.1.7', '250 2.0.0', '501 5.1.3', '501 5.1.3']);
  });

  it('AUTH is refused inside a transaction and after success (RFC 4954 §4)', () => {
    const r = greeted({ extensions: { auth: ['PLAIN'] } });
    r.feed(`${MAIL}AUTH PLAIN\r\nRSET\r\nAUTH PLAIN\r\n${btoa('\0u\0p')}\r\nAUTH PLAIN\r\nAUTH LOGIN\r\n`);
    expect(codes(r.wire)).toEqual(['250 2.0.0', '503 5.5.1', '250 2.0.0', '334', '235 2.7.0', '503 5.5.1', '503 5.5.1']);
    expect(r.session.state).toMatchObject({ phase: 'idle', ctx: { authenticated: 'PLAIN' } });
  });

  it('AUTH with an unknown mechanism: 504 5.5.4; AUTH not offered: 502', () => {
    const r = greeted({ extensions: { auth: ['PLAIN'] } });
    r.feed('AUTH GSSAPI\r\n');
    const r2 = greeted();
    r2.feed('AUTH PLAIN\r\n');
    expect([...codes(r.wire), ...codes(r2.wire)]).toEqual(['504 5.5.4', '502 5.5.1']);
  });
});

describe('DATA', () => {
  const open = (options = {}): ReturnType<typeof greeted> => {
    const r = greeted(options);
    r.feed(`${MAIL}${RCPT}DATA\r\n`);
    r.wire.length = 0;
    r.events.length = 0;
    return r;
  };

  it('dot-unstuffs and ends only at CRLF.CRLF, with chunk boundaries anywhere', () => {
    const wire = 'a\r\n..b\r\n.\r\r\n...\r\nx.\r\n.\r\nNOOP\r\n';
    for (let cut = 0; cut <= wire.length; cut++) {
      const r = open();
      r.feed(wire.slice(0, cut));
      r.feed(wire.slice(cut));
      expect(r.body()).toBe('a\r\n.b\r\n\r\r\n..\r\nx.\r\n');
      expect(codes(r.wire)).toEqual(['250 2.0.0', '250 2.0.0']);
    }
  });

  it('data-chunk events are views into the received buffer (no copy)', () => {
    const s = new SmtpServerSession({ hostname: 'mx.test' });
    s.nextEvent();
    s.send({ code: 220, text: 'x' });
    for (const [line, reply] of [['EHLO c', 250], ['MAIL FROM:<a@b.c>', 250], ['RCPT TO:<d@e.f>', 250], ['DATA', 354]] as const) {
      s.receive(enc.encode(`${line}\r\n`));
      s.nextEvent();
      s.send({ code: reply, text: 'ok' });
    }
    const input = enc.encode('hello\r\nworld\r\n');
    s.receive(input);
    const ev = s.nextEvent();
    expect(ev.type === 'data-chunk' && ev.bytes.buffer === input.buffer).toBe(true);
  });

  it('SMTP smuggling payloads never end DATA (normalize: bare LF stored as CRLF)', () => {
    for (const payload of ['\n.\n', '\r.\r', '\n.\r\n', '\r\n.\n', '\r\n.\r']) {
      const r = open();
      r.feed(`Subject: x\r\n\r\nhi${payload}MAIL FROM:<evil@x>\r\nRCPT TO:<victim@mx.test>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n`);
      expect(r.events.filter((e) => e.type === 'command').map((e) => e.type === 'command' && e.command.verb)).toEqual(['QUIT']);
      expect(r.events.filter((e) => e.type === 'data-end')).toHaveLength(1);
      expect(r.body()).toContain('MAIL FROM:<evil@x>\r\n');
      expect(r.body()).not.toMatch(/[^\r]\n/);
    }
  });

  it('after a bare LF a leading dot is unstuffed (Lenient, as Postfix) but a lone dot does not end DATA', () => {
    const r = open();
    r.feed('a\n..b\n.\r\nc\r\n.\r\n');
    expect(r.body()).toBe('a\r\n.b\r\n\r\nc\r\n');
    expect(codes(r.wire)).toEqual(['250 2.0.0']);
  });

  it("bareNewline: 'reject' refuses such a message at the end with 550 5.5.2 and stays in sync", () => {
    const r = open({ bareNewline: 'reject' });
    r.feed('hi\n.\nMAIL FROM:<evil@x>\r\n.\r\nNOOP\r\n');
    expect(codes(r.wire)).toEqual(['550 5.5.2', '250 2.0.0']);
    expect(r.events.some((e) => e.type === 'data-end')).toBe(false);
    const r2 = greeted({ bareNewline: 'reject' });
    r2.feed('NOOP\n');
    expect(codes(r2.wire)).toEqual(['550 5.5.2']);
  });

  it('a bare LF ends a command line by default (Lenient, as Postfix ≥ 3.9 normalize)', () => {
    const r = greeted();
    r.feed('NOOP\nRSET\r\n');
    expect(codes(r.wire)).toEqual(['250 2.0.0', '250 2.0.0']);
  });

  it('message over maxMessageBytes: chunks stop, framing kept, 552 5.3.4 at the end', () => {
    const r = open({ maxMessageBytes: 100 });
    r.feed(`${'x'.repeat(70)}\r\n`);
    r.feed(`${'y'.repeat(70)}\r\n.\r\nNOOP\r\n`);
    expect(codes(r.wire)).toEqual(['552 5.3.4', '250 2.0.0']);
    expect(r.body()).toBe(`${'x'.repeat(70)}\r\n`);
    expect(r.events.some((e) => e.type === 'data-end')).toBe(false);
    expect(r.session.state.phase).toBe('idle');
  });

  it('lines over 1000 octets are accepted (Lenient; RFC 5321 §4.5.3.1.6 limit not enforced, body is streamed)', () => {
    const r = open();
    r.feed(`${'z'.repeat(5000)}\r\n.\r\n`);
    expect(codes(r.wire)).toEqual(['250 2.0.0']);
    expect(r.body()).toHaveLength(5002);
  });

  it('EOF mid-DATA: aborted, never data-end', () => {
    const r = open();
    r.feed('partial body\r\n');
    r.eof();
    expect(r.events.map((e) => e.type)).toEqual(['data-chunk', 'aborted', 'closed']);
    expect(r.session.nextEvent()).toEqual({ type: 'closed' });
  });

  it('EOF after a pipelined QUIT still answers it', () => {
    const r = greeted();
    r.feed('NOOP\r\nQUIT\r\n');
    r.eof();
    expect(codes(r.wire)).toEqual(['250 2.0.0', '221 2.0.0']);
    expect(r.events.at(-1)).toEqual({ type: 'closed' });
  });
});

describe('BDAT (RFC 3030)', () => {
  it('exact-count chunks, binary-safe (no dot or CRLF handling)', () => {
    const r = greeted();
    r.feed(`${MAIL}${RCPT}BDAT 6\r\n.\r\n\n.\rBDAT 3 LAST\r\nxyzNOOP\r\n`);
    expect(r.body()).toBe('.\r\n\n.\rxyz');
    expect(r.events.filter((e) => e.type === 'data-end')).toEqual([
      { type: 'data-end', sizeBytes: 6, last: false },
      { type: 'data-end', sizeBytes: 9, last: true },
    ]);
    expect(codes(r.wire).at(-1)).toBe('250 2.0.0');
  });

  it('DATA after BDAT is a bad sequence; BDAT without recipients is read and refused', () => {
    const r = greeted();
    r.feed(`${MAIL}${RCPT}BDAT 2\r\nabDATA\r\n`);
    expect(codes(r.wire).slice(-1)).toEqual(['503 5.5.1']);
    const r2 = greeted();
    r2.feed(`${MAIL}BDAT 5 LAST\r\nRSET\r\nNOOP\r\n`);
    // The 5 bytes "RSET\r" are the chunk, not a command; then "\n" is an empty line.
    expect(codes(r2.wire)).toEqual(['250 2.0.0', '554 5.5.1', '500 5.5.2', '250 2.0.0']);
  });

  it('BODY=BINARYMIME cannot use DATA', () => {
    const r = greeted();
    r.feed(`MAIL FROM:<a@b.c> BODY=BINARYMIME\r\n${RCPT}DATA\r\n`);
    expect(codes(r.wire)).toEqual(['250 2.0.0', '250 2.0.0', '503 5.5.1']);
  });

  it('a chunk over the size limit is read, dropped and refused with 552', () => {
    const r = greeted({ maxMessageBytes: 10 });
    r.feed(`${MAIL}${RCPT}BDAT 20 LAST\r\n${'q'.repeat(20)}NOOP\r\n`);
    expect(codes(r.wire).slice(-2)).toEqual(['552 5.3.4', '250 2.0.0']);
    expect(r.body()).toBe('');
    // A chunk that fits, then one that does not: the second is dropped whole, not cut at the limit.
    const r2 = greeted({ maxMessageBytes: 10 });
    r2.feed(`${MAIL}${RCPT}BDAT 6\r\n123456BDAT 6 LAST\r\nabcdef`);
    expect(r2.body()).toBe('123456');
    expect(codes(r2.wire).slice(-2)).toEqual(['250 2.0.0', '552 5.3.4']);
  });

  it('an unreadable BDAT size cannot be framed: 501 and close', () => {
    const r = greeted();
    r.feed(`${MAIL}${RCPT}BDAT lots\r\nNOOP\r\n`);
    expect(codes(r.wire).slice(-1)).toEqual(['501 5.5.2']);
    expect(r.session.state.phase).toBe('closed');
  });

  it('without CHUNKING, BDAT is read and refused with 502', () => {
    const r = greeted({ extensions: { chunking: false } });
    r.feed(`${MAIL}${RCPT}BDAT 4 LAST\r\nQUITNOOP\r\n`);
    expect(codes(r.wire).slice(-2)).toEqual(['502 5.5.1', '250 2.0.0']);
  });
});

describe('STARTTLS (RFC 3207)', () => {
  it('drops bytes pipelined after STARTTLS and requires a new EHLO', () => {
    const r = greeted({ extensions: { starttls: true } });
    r.feed(`STARTTLS\r\n${MAIL}`);
    expect(r.session.state.phase).toBe('starttls');
    r.feed('RCPT TO:<x@y.z>\r\n'); // plaintext before the handshake finished: dropped too
    r.session.tlsStarted({ auth: ['PLAIN'] });
    r.feed(`${MAIL}EHLO c\r\n`);
    expect(codes(r.wire)).toEqual(['220 2.0.0', '503 5.5.1', '250']);
    expect(r.wire.at(-1)).toContain('AUTH PLAIN');
    expect(r.wire.at(-1)).not.toContain('STARTTLS');
    expect(r.session.state).toMatchObject({ phase: 'idle', ctx: { tls: true } });
  });

  it('tlsStarted() without an accepted STARTTLS is a bug', () => {
    expect(() => greeted().session.tlsStarted()).toThrow(LocalProtocolError);
  });

  it('STARTTLS not offered: 502; decoded replies stay byte-exact', () => {
    const r = greeted();
    r.feed('STARTTLS\r\n');
    expect(r.wire).toEqual(['502 5.5.1 Command not implemented\r\n']);
    expect(dec.decode(enc.encode(r.wire[0]))).toBe(r.wire[0]);
  });
});
