import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeCommand,
  encodeCommand,
  formatCommand,
  LocalProtocolError,
  MAX_COMMAND_BYTES,
  parseCommand,
  type Pop3Command,
} from '@mailstack/pop3-core';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('parseCommand', () => {
  it('reads keywords case-insensitively (RFC 1939 §3)', () => {
    expect(parseCommand('stat')).toEqual({ ok: true, value: { verb: 'STAT' } });
    expect(parseCommand('Retr 12')).toEqual({ ok: true, value: { verb: 'RETR', msg: 12 } });
    expect(parseCommand('top 1 0')).toEqual({ ok: true, value: { verb: 'TOP', msg: 1, lines: 0 } });
    expect(parseCommand('LIST')).toEqual({ ok: true, value: { verb: 'LIST' } });
    expect(parseCommand('UIDL 3')).toEqual({ ok: true, value: { verb: 'UIDL', msg: 3 } });
  });

  it('keeps the rest of the line as the PASS argument (spaces allowed)', () => {
    expect(parseCommand('PASS secret with spaces')).toEqual({ ok: true, value: { verb: 'PASS', password: 'secret with spaces' } });
    expect(parseCommand('PASS ').ok).toBe(false);
    expect(parseCommand('PASS  leading').ok).toBe(false);
  });

  it('parses APOP and lower-cases the digest (RFC 1939 §7)', () => {
    expect(parseCommand('APOP mrose C4C9334BAC560ECC979E58001B3E22FB')).toEqual({
      ok: true,
      value: { verb: 'APOP', name: 'mrose', digest: 'c4c9334bac560ecc979e58001b3e22fb' },
    });
    expect(parseCommand('APOP mrose c4c9')).toMatchObject({ ok: false, error: { code: 'syntax' } });
  });

  it('parses AUTH with and without an initial response (RFC 5034 §4)', () => {
    expect(parseCommand('AUTH plain')).toEqual({ ok: true, value: { verb: 'AUTH', mechanism: 'PLAIN' } });
    expect(parseCommand('AUTH PLAIN =')).toEqual({ ok: true, value: { verb: 'AUTH', mechanism: 'PLAIN', initialResponse: new Uint8Array(0) } });
    const ok = parseCommand('AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=');
    expect(ok.ok && ok.value.verb === 'AUTH' && Buffer.from(ok.value.initialResponse!).toString()).toBe('test\0test\0test');
  });

  it('rejects base64 with bad characters or misplaced padding (RFC 5034 §4)', () => {
    for (const bad of ['=AAA', 'AAA=BBB', 'dGVz!', 'dGVzd']) {
      expect(parseCommand(`AUTH PLAIN ${bad}`)).toMatchObject({ ok: false, error: { code: 'bad-base64' } });
    }
  });

  it('tells unknown commands from syntax errors', () => {
    expect(parseCommand('XTND XMIT')).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
    expect(parseCommand('')).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
    expect(parseCommand('RETR')).toMatchObject({ ok: false, error: { code: 'syntax' } });
    expect(parseCommand('RETR one')).toMatchObject({ ok: false, error: { code: 'syntax' } });
    expect(parseCommand('RETR -1')).toMatchObject({ ok: false, error: { code: 'syntax' } });
    expect(parseCommand('STAT 1')).toMatchObject({ ok: false, error: { code: 'syntax' } });
    expect(parseCommand('TOP 1')).toMatchObject({ ok: false, error: { code: 'syntax' } });
    expect(parseCommand('USER a b')).toMatchObject({ ok: false, error: { code: 'syntax' } });
    expect(parseCommand('USER a\0b')).toMatchObject({ ok: false, error: { code: 'syntax' } });
    expect(parseCommand('AUTH PL@IN')).toMatchObject({ ok: false, error: { code: 'syntax' } });
  });

  it('ignores trailing spaces (lenient)', () => {
    expect(parseCommand('STAT  ')).toEqual({ ok: true, value: { verb: 'STAT' } });
    expect(parseCommand('DELE 2 ')).toEqual({ ok: true, value: { verb: 'DELE', msg: 2 } });
  });
});

describe('decodeCommand / encodeCommand', () => {
  it('frames one line and reports what it consumed', () => {
    expect(decodeCommand(text('NOOP\r\nQUIT\r\n'))).toEqual({ ok: true, value: { verb: 'NOOP' }, consumed: 6 });
    expect(decodeCommand(text('NOOP\nQUIT'))).toEqual({ ok: true, value: { verb: 'NOOP' }, consumed: 5 });
    expect(decodeCommand(text('NOO'))).toEqual({ ok: false, need: 'more' });
  });

  it('refuses lines over 255 octets (RFC 2449 §4)', () => {
    const long = text(`USER ${'a'.repeat(MAX_COMMAND_BYTES)}\r\n`);
    expect(decodeCommand(long)).toMatchObject({ ok: false, error: { code: 'line-too-long' } });
    expect(() => encodeCommand({ verb: 'USER', name: 'a'.repeat(300) })).toThrow(LocalProtocolError);
  });

  it('refuses values the grammar cannot carry', () => {
    expect(() => formatCommand({ verb: 'USER', name: 'a b' })).toThrow(LocalProtocolError);
    expect(() => formatCommand({ verb: 'PASS', password: 'x\r\nDELE 1' })).toThrow(LocalProtocolError);
    expect(() => formatCommand({ verb: 'RETR', msg: -1 })).toThrow(LocalProtocolError);
    expect(() => formatCommand({ verb: 'AUTH', mechanism: 'plain' })).toThrow(LocalProtocolError);
  });

  const token = fc.stringMatching(/^[\x21-\x7e]{1,30}$/);
  const num = fc.nat({ max: 1_000_000 });
  const arbCommand: fc.Arbitrary<Pop3Command> = fc.oneof(
    token.map((name) => ({ verb: 'USER' as const, name })),
    fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,40}$/).map((password) => ({ verb: 'PASS' as const, password })),
    fc.tuple(token, fc.stringMatching(/^[0-9a-f]{32}$/)).map(([name, digest]) => ({ verb: 'APOP' as const, name, digest })),
    fc.tuple(fc.stringMatching(/^[A-Z0-9_-]{1,20}$/), fc.option(fc.uint8Array({ maxLength: 100 }), { nil: undefined })).map(([mechanism, ir]) =>
      ir === undefined ? { verb: 'AUTH' as const, mechanism } : { verb: 'AUTH' as const, mechanism, initialResponse: ir },
    ),
    fc.constantFrom(...(['STLS', 'CAPA', 'STAT', 'NOOP', 'RSET', 'QUIT'] as const)).map((verb) => ({ verb })),
    fc.tuple(fc.constantFrom('LIST' as const, 'UIDL' as const), fc.option(num, { nil: undefined })).map(([verb, msg]) => (msg === undefined ? { verb } : { verb, msg })),
    fc.tuple(fc.constantFrom('RETR' as const, 'DELE' as const), num).map(([verb, msg]) => ({ verb, msg })),
    fc.tuple(num, num).map(([msg, lines]) => ({ verb: 'TOP' as const, msg, lines })),
  );

  it('decode(encode(x)) is x', () =>
    fc.assert(
      fc.property(arbCommand, (cmd) => {
        const bytes = encodeCommand(cmd);
        expect(decodeCommand(bytes)).toEqual({ ok: true, value: cmd, consumed: bytes.length });
      }),
      { numRuns: 300 },
    ));
});
