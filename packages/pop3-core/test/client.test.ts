import { describe, expect, it } from 'vitest';
import { LocalProtocolError, Pop3ClientSession, type Pop3ClientEvent, type SaslClient } from '@mailstack/pop3-core';
import { bytes, latin1 } from './helpers.js';

function drain(client: Pop3ClientSession): Pop3ClientEvent[] {
  const out: Pop3ClientEvent[] = [];
  for (let ev = client.nextEvent(); ev.type !== 'need-data' && ev.type !== 'closed'; ev = client.nextEvent()) out.push(ev);
  return out;
}

function greeted(greeting = '+OK ready <1.2@host>\r\n'): Pop3ClientSession {
  const client = new Pop3ClientSession();
  client.receive(bytes(greeting));
  drain(client);
  return client;
}

function withCapabilities(caps: string[]): Pop3ClientSession {
  const client = greeted();
  client.send({ verb: 'CAPA' });
  client.receive(bytes(`+OK\r\n${caps.map((c) => `${c}\r\n`).join('')}.\r\n`));
  drain(client);
  return client;
}

const plain = (ir: Uint8Array | undefined): SaslClient => ({ start: () => ir, step: () => new Uint8Array([1, 2, 3]) });

describe('Pop3ClientSession', () => {
  it('reads the greeting and its APOP timestamp', () => {
    const client = new Pop3ClientSession();
    expect(() => client.send({ verb: 'CAPA' })).toThrow(LocalProtocolError);
    client.receive(bytes('+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n'));
    expect(client.nextEvent()).toEqual({
      type: 'greeting',
      response: { ok: true, text: 'POP3 server ready <1896.697170952@dbc.mtview.ca.us>' },
      apopTimestamp: '<1896.697170952@dbc.mtview.ca.us>',
    });
    expect(client.state).toEqual({ phase: 'authorization', tls: false });
  });

  it('closes after an -ERR greeting', () => {
    const client = new Pop3ClientSession();
    client.receive(bytes('-ERR [SYS/TEMP] too busy\r\n'));
    expect(client.nextEvent()).toMatchObject({ type: 'greeting', response: { ok: false, code: 'SYS/TEMP' } });
    expect(client.nextEvent()).toEqual({ type: 'closed' });
  });

  it('sends one command at a time unless PIPELINING is advertised (RFC 2449 §6.6)', () => {
    const client = greeted();
    client.send({ verb: 'USER', name: 'a' });
    expect(() => client.send({ verb: 'PASS', password: 'b' })).toThrow(LocalProtocolError);
    const piped = withCapabilities(['PIPELINING', 'SASL PLAIN']);
    piped.send({ verb: 'USER', name: 'a' });
    piped.send({ verb: 'PASS', password: 'b' });
    piped.send({ verb: 'STAT' });
    expect(piped.outstanding).toBe(3);
    piped.receive(bytes('+OK\r\n+OK in\r\n+OK 2 30\r\n'));
    expect(drain(piped).map((e) => e.type)).toEqual(['reply', 'reply', 'stat']);
    expect(piped.state.phase).toBe('transaction');
    expect(() => piped.send({ verb: 'STLS' })).not.toThrow();
    expect(() => piped.send({ verb: 'NOOP' })).toThrow(LocalProtocolError); // nothing after STLS
  });

  it('never pipelines AUTH', () => {
    const client = withCapabilities(['PIPELINING', 'SASL PLAIN']);
    client.send({ verb: 'NOOP' });
    expect(() => client.send({ verb: 'AUTH', mechanism: 'PLAIN', sasl: plain(undefined) })).toThrow(LocalProtocolError);
  });

  it('puts the initial response on the AUTH line only when SASL was advertised and it fits (RFC 5034 §4)', () => {
    const ir = bytes('\0alice\0good');
    expect(latin1(withCapabilities(['SASL PLAIN']).send({ verb: 'AUTH', mechanism: 'PLAIN', sasl: plain(ir) }))).toBe('AUTH PLAIN AGFsaWNlAGdvb2Q=\r\n');
    expect(latin1(withCapabilities(['SASL PLAIN']).send({ verb: 'AUTH', mechanism: 'PLAIN', sasl: plain(new Uint8Array(0)) }))).toBe('AUTH PLAIN =\r\n');

    const unadvertised = greeted();
    expect(latin1(unadvertised.send({ verb: 'AUTH', mechanism: 'PLAIN', sasl: plain(ir) }))).toBe('AUTH PLAIN\r\n');
    unadvertised.receive(bytes('+ \r\n'));
    const challenge = unadvertised.nextEvent();
    expect(challenge).toEqual({ type: 'challenge', data: new Uint8Array(0), next: { verb: 'sasl-response', data: ir } });

    const long = new Uint8Array(300).fill(65);
    const client = withCapabilities(['SASL PLAIN']);
    expect(latin1(client.send({ verb: 'AUTH', mechanism: 'PLAIN', sasl: plain(long) }))).toBe('AUTH PLAIN\r\n');
    client.receive(bytes('+ \r\n'));
    const ev = client.nextEvent();
    expect(ev.type === 'challenge' && latin1(client.send(ev.next))).toBe(`${Buffer.from(long).toString('base64')}\r\n`);
    client.receive(bytes('+OK welcome\r\n'));
    expect(client.nextEvent()).toMatchObject({ type: 'reply', command: { verb: 'AUTH' }, response: { ok: true } });
    expect(client.state.phase).toBe('transaction');
  });

  it('cancels with "*" when a challenge is not base64, or the mechanism refuses it', () => {
    const client = greeted();
    client.send({ verb: 'AUTH', mechanism: 'CRAM-MD5', sasl: plain(undefined) });
    client.receive(bytes('+ not*base64\r\n'));
    const ev = client.nextEvent();
    expect(ev).toMatchObject({ type: 'challenge', next: { verb: 'sasl-cancel' } });
    expect(ev.type === 'challenge' && latin1(client.send(ev.next))).toBe('*\r\n');
    expect(() => client.send({ verb: 'sasl-cancel' })).toThrow(LocalProtocolError);

    const refusing = greeted();
    refusing.send({ verb: 'AUTH', mechanism: 'X', sasl: { start: () => undefined, step: () => { throw new Error('bad server signature'); } } });
    refusing.receive(bytes('+ AAAA\r\n'));
    expect(refusing.nextEvent()).toMatchObject({ type: 'challenge', next: { verb: 'sasl-cancel' }, failure: { message: 'bad server signature' } });
  });

  it('drops what arrives after the +OK to STLS and forgets the capabilities (RFC 2595 §4)', () => {
    const client = withCapabilities(['STLS', 'USER']);
    client.send({ verb: 'STLS' });
    client.receive(bytes('+OK Begin TLS\r\n+OK injected\r\n'));
    expect(drain(client)).toMatchObject([{ type: 'reply', command: { verb: 'STLS' }, response: { ok: true } }]);
    expect(client.state).toEqual({ phase: 'authorization', tls: true });
    expect(client.capabilities).toBeUndefined();
    client.send({ verb: 'USER', name: 'a' });
    client.receive(bytes('+OK real\r\n'));
    expect(client.nextEvent()).toMatchObject({ type: 'reply', response: { text: 'real' } });
  });

  it('streams RETR content unstuffed, across reads', () => {
    const client = greeted();
    client.send({ verb: 'RETR', msg: 1 });
    client.receive(bytes('+OK 12 octets\r\nab\r\n.'));
    const first = drain(client);
    client.receive(bytes('.c\r\n'));
    const second = drain(client);
    client.receive(bytes('.\r\n'));
    const third = drain(client);
    const chunks = [...first, ...second, ...third].flatMap((e) => (e.type === 'message-chunk' ? [latin1(e.bytes)] : []));
    expect(chunks.join('')).toBe('ab\r\n.c\r\n');
    expect(third[third.length - 1]).toEqual({ type: 'message-end', sizeBytes: 8 });
  });

  it('parses single and multi-line listings', () => {
    const client = withCapabilities(['PIPELINING']);
    client.send({ verb: 'LIST' });
    client.send({ verb: 'UIDL', msg: 2 });
    client.send({ verb: 'LIST', msg: 9 });
    client.receive(bytes('+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n+OK 2 QhdPYR:00WBw1Ph7x7\r\n-ERR no such message\r\n'));
    expect(drain(client)).toEqual([
      { type: 'scan-listing', entries: [{ msg: 1, sizeBytes: 120 }, { msg: 2, sizeBytes: 200 }] },
      { type: 'uid-listing', entries: [{ msg: 2, uidl: 'QhdPYR:00WBw1Ph7x7' }] },
      { type: 'reply', command: { verb: 'LIST', msg: 9 }, response: { ok: false, text: 'no such message' } },
    ]);
  });

  it('closes on a server that breaks the protocol', () => {
    const cases: [string, string][] = [
      ['* OK IMAP4 ready\r\n', 'bad-response'],
      ['+OK x\r\n', 'unsolicited'],
      [`+OK ${'x'.repeat(5000)}\r\n`, 'line-too-long'],
    ];
    for (const [input, code] of cases) {
      const client = greeted();
      if (code !== 'unsolicited') client.send({ verb: 'NOOP' });
      client.receive(bytes(input));
      expect(client.nextEvent()).toMatchObject({ type: 'rejected', code });
      expect(client.nextEvent()).toEqual({ type: 'closed' });
    }
    const list = greeted();
    list.send({ verb: 'LIST' });
    list.receive(bytes('+OK\r\n1 big\r\n.\r\n'));
    expect(list.nextEvent()).toMatchObject({ type: 'rejected', code: 'bad-response' });
  });

  it('reports a connection closed in the middle of a message', () => {
    const client = greeted();
    client.send({ verb: 'RETR', msg: 1 });
    client.receive(bytes('+OK\r\npartial'));
    client.receiveEof();
    const events = drain(client);
    expect(events.map((e) => e.type)).toEqual(['message-start', 'message-chunk', 'rejected']);
    expect(events[2]).toMatchObject({ code: 'unexpected-eof' });
  });

  it('closes after the answer to QUIT and refuses commands after QUIT', () => {
    const client = withCapabilities(['PIPELINING']);
    client.send({ verb: 'QUIT' });
    expect(() => client.send({ verb: 'NOOP' })).toThrow(LocalProtocolError);
    client.receive(bytes('+OK bye\r\n'));
    expect(client.nextEvent()).toMatchObject({ type: 'reply', command: { verb: 'QUIT' } });
    expect(client.nextEvent()).toEqual({ type: 'closed' });
  });
});
