import { describe, expect, it } from 'vitest';
import {
  LocalProtocolError,
  SmtpClientSession,
  SmtpClientTransaction,
  SmtpServerSession,
  authChallenge,
  encodeReply,
  expectsReply,
  heloFallback,
  parseCapabilities,
  type Reply,
  type SmtpClientEvent,
  type SmtpServerEvent,
  type TransactionEnvelope,
} from '@mailstack/smtp-core';
import { loadTranscripts, type Transcript } from './helpers/transcript.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const mbox = (s: string): { localPart: string; domain: string } => {
  const at = s.lastIndexOf('@');
  return { localPart: s.slice(0, at), domain: s.slice(at + 1) };
};
/** Read the phase through a call: it changes under handle()/endBody(), which TypeScript cannot see. */
const phaseOf = (tx: SmtpClientTransaction): SmtpClientTransaction['phase'] => tx.phase;
const join = (parts: readonly Uint8Array[]): string => parts.map((p) => dec.decode(p)).join('');

interface Plan {
  readonly ehlo: string;
  readonly envelope: TransactionEnvelope;
  readonly body: readonly string[];
}

/**
 * Replay a transcript's S: side to the client core and check that the client writes exactly the
 * C: side: greeting, EHLO, one transaction, QUIT.
 */
function replayClient(t: Transcript, plan: Plan): { written: string; expected: string } {
  const replies = t.steps.flatMap((s) => (s.kind === 'server' ? s.replies.map((r) => r.raw) : []));
  const expected = join(t.steps.flatMap((s) => (s.kind === 'client' ? [s.bytes] : [])));
  const client = new SmtpClientSession();
  const out: Uint8Array[] = [];
  let tx: SmtpClientTransaction | undefined;
  for (;;) {
    const ev = client.nextEvent();
    if (ev.type === 'closed') break;
    if (ev.type === 'need-data') {
      const next = replies.shift();
      if (next === undefined) throw new Error('client waits but the transcript has no reply left');
      client.receive(next);
      continue;
    }
    if (ev.type !== 'reply') throw new Error(JSON.stringify(ev));
    if (ev.to.kind === 'greeting') out.push(client.send({ verb: 'EHLO', domain: plan.ehlo }));
    else if (ev.to.kind === 'command' && ev.to.command.verb === 'EHLO') {
      tx = new SmtpClientTransaction(client, plan.envelope);
      out.push(tx.begin());
    } else if (tx !== undefined && tx.phase !== 'done') {
      out.push(tx.handle(ev));
      if (tx.phase === 'body') {
        for (const piece of plan.body) out.push(tx.writeBody(enc.encode(piece)));
        out.push(tx.endBody());
      }
      if (phaseOf(tx) === 'done') out.push(client.send({ verb: 'QUIT' }));
    }
  }
  expect(replies).toEqual([]);
  return { written: join(out), expected };
}

const byName = new Map(loadTranscripts().map((t) => [t.name, t]));
const transcript = (name: string): Transcript => {
  const t = byName.get(name);
  if (t === undefined) throw new Error(`no transcript ${name}`);
  return t;
};

describe('client core replays the C: side of the RFC transcripts byte for byte', () => {
  it('RFC 5321 D.1 (no pipelining, dot-stuffing, one recipient refused)', () => {
    const r = replayClient(transcript('rfc5321-d1.txt'), {
      ehlo: 'bar.com',
      envelope: { reversePath: mbox('Smith@bar.com'), recipients: ['Jones@foo.com', 'Green@foo.com', 'Brown@foo.com'].map((a) => ({ forwardPath: mbox(a) })) },
      // The body line "..etc" goes out as "...etc" (RFC 5321 §4.5.2); split mid-line on purpose.
      body: ['Blah blah blah...\r\n.', '.etc. etc. etc.\r\n'],
    });
    expect(r.written).toBe(r.expected);
  });
  it('RFC 5321 D.3 step 1', () => {
    const r = replayClient(transcript('rfc5321-d3-step1.txt'), {
      ehlo: 'bar.com',
      envelope: { reversePath: mbox('JQP@bar.com'), recipients: [{ forwardPath: mbox('Jones@XYZ.COM') }] },
      // No CRLF at the end: the client adds it before the terminator.
      body: ['Date: Thu, 21 May 1998 05:33:29 -0700\r\nFrom: John Q. Public <JQP@bar.com>\r\nSubject: The Next Meeting of the Board\r\nTo: Jones@xyz.com\r\n\r\nBill:\r\nThe next meeting of the board of directors will be\r\non Tuesday.\r\nJohn.'],
    });
    expect(r.written).toBe(r.expected);
  });
  it('RFC 2920 §3.2 (MAIL, RCPTs and DATA pipelined as one group)', () => {
    const r = replayClient(transcript('rfc2920-pipelining.txt'), {
      ehlo: 'dbc.mtview.ca.us',
      envelope: {
        reversePath: mbox('mrose@dbc.mtview.ca.us'),
        recipients: ['ned@innosoft.com', 'dan@innosoft.com', 'kvc@innosoft.com'].map((a) => ({ forwardPath: mbox(a) })),
      },
      body: ['Subject: pipelined\r\n\r\nhello\r\n'],
    });
    expect(r.written).toBe(r.expected);
  });
  it('RFC 3030 §4.2 (BINARYMIME in BDAT chunks)', () => {
    const r = replayClient(transcript('rfc3030-binarymime.txt'), {
      ehlo: 'ymir.claremont.edu',
      envelope: {
        reversePath: mbox('ned@ymir.claremont.edu'),
        params: { body: 'BINARYMIME' },
        recipients: ['gvaudre@cnri.reston.va.us', 'jstewart@cnri.reston.va.us'].map((a) => ({ forwardPath: mbox(a) })),
      },
      body: ['Subject: binary\r\n', '12345678\r\n'],
    });
    expect(r.written).toBe(r.expected);
  });
});

/** A small policy: refuse recipients whose local part starts with "no", accept the rest. */
function policy(ev: SmtpServerEvent, host: string): Reply {
  switch (ev.type) {
    case 'greeting':
      return { code: 220, text: `${host} ESMTP` };
    case 'command':
      if (ev.command.verb === 'EHLO') return { code: 250, text: host };
      if (ev.command.verb === 'RCPT' && ev.command.forwardPath.localPart.startsWith('no')) return { code: 550, enhanced: '5.1.1', text: 'No such user' };
      if (ev.command.verb === 'DATA') return { code: 354, text: 'End data with <CR><LF>.<CR><LF>' };
      if (ev.command.verb === 'QUIT') return { code: 221, text: 'Bye' };
      return { code: 250, text: 'Ok' };
    case 'data-end':
      return { code: 250, text: `Ok: ${ev.sizeBytes} octets` };
    case 'rejected':
    case 'timed-out':
      return ev.reply;
    default:
      throw new Error(`no reply for ${ev.type}`);
  }
}

/** Wire a client core straight to a server core in memory and run one transaction. */
function wired(
  extensions: Record<string, boolean>,
  envelope: TransactionEnvelope,
  body: readonly Uint8Array[],
): { received: Uint8Array; result: SmtpClientTransaction['result']; serverEvents: string[] } {
  const server = new SmtpServerSession({ hostname: 'mx.test', extensions });
  const client = new SmtpClientSession();
  const received: Uint8Array[] = [];
  const serverEvents: string[] = [];
  const toServer = (bytes: Uint8Array): void => {
    if (bytes.length > 0) server.receive(bytes);
  };
  const pumpServer = (): void => {
    for (let ev = server.nextEvent(); ev.type !== 'need-data' && ev.type !== 'closed'; ev = server.nextEvent()) {
      serverEvents.push(ev.type === 'command' ? ev.command.verb : ev.type);
      if (ev.type === 'data-chunk') received.push(ev.bytes.slice());
      if (expectsReply(ev)) client.receive(server.send(policy(ev, 'mx.test')));
    }
  };
  let tx: SmtpClientTransaction | undefined;
  pumpServer();
  for (let guard = 0; guard < 1000; guard++) {
    const ev: SmtpClientEvent = client.nextEvent();
    if (ev.type === 'closed') break;
    if (ev.type === 'need-data') {
      pumpServer();
      continue;
    }
    if (ev.type !== 'reply') throw new Error(JSON.stringify(ev));
    if (ev.to.kind === 'greeting') toServer(client.send({ verb: 'EHLO', domain: 'client.test' }));
    else if (ev.to.kind === 'command' && ev.to.command.verb === 'EHLO') {
      tx = new SmtpClientTransaction(client, envelope);
      toServer(tx.begin());
    } else if (tx !== undefined && tx.phase !== 'done') {
      toServer(tx.handle(ev));
      if (tx.phase === 'body') {
        for (const piece of body) toServer(tx.writeBody(piece));
        toServer(tx.endBody());
      }
      if (phaseOf(tx) === 'done') toServer(client.send({ verb: 'QUIT' }));
    }
  }
  if (tx === undefined) throw new Error('no transaction');
  const all = new Uint8Array(received.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of received) {
    all.set(b, at);
    at += b.length;
  }
  return { received: all, result: tx.result, serverEvents };
}

describe('client core wired to server core', () => {
  const envelope: TransactionEnvelope = {
    reversePath: mbox('alice@client.test'),
    params: { envid: 'QQ314159', ret: 'HDRS' },
    recipients: [
      { forwardPath: mbox('bob@mx.test'), params: { notify: ['SUCCESS', 'FAILURE'], orcpt: { addrType: 'rfc822', address: 'bob@mx.test' } } },
      { forwardPath: mbox('nobody@mx.test') },
      { forwardPath: mbox('carol@mx.test') },
    ],
  };
  const body = [enc.encode('Subject: hi\r\n\r\n.leading dot\r\n'), enc.encode('..two\r\nlast line without CRLF')];
  const expectedBody = 'Subject: hi\r\n\r\n.leading dot\r\n..two\r\nlast line without CRLF\r\n';

  for (const [name, extensions, bodyEvents] of [
    ['pipelined DATA', {}, ['MAIL', 'RCPT', 'RCPT', 'RCPT', 'DATA']],
    ['BDAT chunks', { chunking: true }, ['MAIL', 'RCPT', 'RCPT', 'RCPT', 'data-chunk']],
    ['no pipelining', { pipelining: false }, ['MAIL', 'RCPT', 'RCPT', 'RCPT', 'DATA']],
  ] as const) {
    it(`${name}: per-recipient results and the exact body`, () => {
      const ext = name === 'BDAT chunks' ? extensions : { ...extensions, chunking: false };
      const r = wired(ext, envelope, body);
      expect(r.result.recipients.map((x) => [x.forwardPath.localPart, x.accepted, x.reply?.code])).toEqual([
        ['bob', true, 250],
        ['nobody', false, 550],
        ['carol', true, 250],
      ]);
      expect(r.result.delivered).toBe(true);
      expect(r.result.mail?.code).toBe(250);
      expect(r.result.data?.code).toBe(250);
      // BDAT carries the body exactly; DATA completes the last line before the terminator.
      expect(dec.decode(r.received)).toBe(name === 'BDAT chunks' ? expectedBody.slice(0, -2) : expectedBody);
      expect(r.serverEvents.slice(2, 7)).toEqual(bodyEvents);
    });
  }

  it('all recipients refused with pipelining: the 354 gets an empty body, nothing delivered', () => {
    const r = wired({ chunking: false }, { reversePath: null, recipients: [{ forwardPath: mbox('nope@mx.test') }] }, [enc.encode('x')]);
    expect(r.result.delivered).toBe(false);
    // Our server refuses DATA itself (554 5.5.1), so no body is ever read.
    expect(r.result.data).toMatchObject({ code: 554, enhanced: '5.5.1' });
    expect(r.received.length).toBe(0);
  });
});

describe('client session', () => {
  const feed = (client: SmtpClientSession, text: string): SmtpClientEvent[] => {
    client.receive(enc.encode(text));
    const out: SmtpClientEvent[] = [];
    for (let ev = client.nextEvent(); ev.type !== 'need-data'; ev = client.nextEvent()) {
      out.push(ev);
      if (ev.type === 'closed' || ev.type === 'protocol-error' || ev.type === 'timed-out') break;
    }
    return out;
  };

  it('parses EHLO capabilities, multi-line', () => {
    const client = new SmtpClientSession();
    feed(client, '220 mx ESMTP\r\n');
    client.send({ verb: 'EHLO', domain: 'me' });
    const [ev] = feed(client, '250-mx\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-DSN\r\n250-CHUNKING\r\n250-BINARYMIME\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250 AUTH PLAIN login\r\n');
    expect(ev).toMatchObject({ type: 'reply', reply: { code: 250 }, to: { kind: 'command', command: { verb: 'EHLO' } } });
    expect(client.capabilities).toMatchObject({
      pipelining: true, sizeBytes: 1000, eightBitMime: true, smtputf8: true, dsn: true, chunking: true,
      binaryMime: true, starttls: true, enhancedStatusCodes: true, auth: ['PLAIN', 'LOGIN'],
    });
    expect(parseCapabilities({ code: 250, text: ['x', 'SIZE'] }).sizeBytes).toBe(Infinity);
  });

  it('falls back to HELO on a 5xx to EHLO', () => {
    const client = new SmtpClientSession();
    feed(client, '220 old\r\n');
    client.send({ verb: 'EHLO', domain: 'me.test' });
    const [ev] = feed(client, '502 5.5.1 Command not implemented\r\n');
    if (ev === undefined) throw new Error('no event');
    expect(heloFallback(ev)).toEqual({ verb: 'HELO', domain: 'me.test' });
    expect(dec.decode(client.send({ verb: 'HELO', domain: 'me.test' }))).toBe('HELO me.test\r\n');
    const [helo] = feed(client, '250 old\r\n');
    expect(helo && heloFallback(helo)).toBeUndefined();
    expect(client.capabilities.pipelining).toBe(false);
  });

  it('binds pipelined replies in order and reports a 421 at any time, then closes', () => {
    const client = new SmtpClientSession();
    feed(client, '220 mx\r\n');
    client.send({ verb: 'MAIL', reversePath: null, params: {} });
    client.send({ verb: 'RCPT', forwardPath: mbox('a@b.c'), params: {} });
    client.send({ verb: 'DATA' });
    const evs = feed(client, '250 ok\r\n421 4.3.2 shutting down\r\n');
    expect(evs.map((e) => (e.type === 'reply' ? `${e.reply.code} ${e.to.kind === 'command' ? e.to.command.verb : e.to.kind}` : e.type))).toEqual([
      '250 MAIL',
      '421 RCPT',
      'closed',
    ]);
    expect(evs.at(-1)).toEqual({ type: 'closed', unanswered: 1 });
  });

  it('an unsolicited reply is reported as such', () => {
    const client = new SmtpClientSession();
    const evs = feed(client, '220 mx\r\n421 4.4.2 mx Error: timeout exceeded\r\n');
    expect(evs[1]).toMatchObject({ type: 'reply', to: { kind: 'unsolicited' }, reply: { code: 421, enhanced: '4.4.2' } });
    expect(evs[2]).toEqual({ type: 'closed', unanswered: 0 });
  });

  it('a malformed reply is a protocol error and closes', () => {
    const client = new SmtpClientSession();
    expect(feed(client, 'HTTP/1.1 400 Bad Request\r\n')[0]).toMatchObject({ type: 'protocol-error' });
    expect(client.nextEvent()).toMatchObject({ type: 'closed' });
  });

  it('STARTTLS: bytes after the 220 are dropped, capabilities forgotten, nothing may follow STARTTLS', () => {
    const client = new SmtpClientSession();
    feed(client, '220 mx\r\n');
    client.send({ verb: 'EHLO', domain: 'me' });
    feed(client, '250-mx\r\n250 STARTTLS\r\n');
    expect(client.capabilities.starttls).toBe(true);
    client.send({ verb: 'STARTTLS' });
    expect(() => client.send({ verb: 'NOOP' })).toThrow(LocalProtocolError);
    const evs = feed(client, '220 2.0.0 go ahead\r\n250 injected\r\n');
    expect(evs).toHaveLength(1);
    client.tlsStarted();
    expect(client.tls).toBe(true);
    expect(client.capabilities.starttls).toBe(false);
    expect(client.nextEvent()).toEqual({ type: 'need-data' });
  });

  it('times out per RFC 5321 §4.5.3.2 (2 minutes for the 354)', () => {
    const client = new SmtpClientSession();
    feed(client, '220 mx\r\n');
    client.send({ verb: 'DATA' });
    client.tick(0);
    client.tick(119_000);
    expect(client.nextEvent()).toEqual({ type: 'need-data' });
    client.tick(120_000);
    expect(client.nextEvent()).toMatchObject({ type: 'timed-out', waitingFor: { kind: 'command', command: { verb: 'DATA' } } });
    expect(client.nextEvent()).toMatchObject({ type: 'closed' });
  });

  it('AUTH LOGIN against the server core: 334 challenges decoded, responses framed, cancel with "*"', () => {
    const server = new SmtpServerSession({ hostname: 'mx.test', extensions: { auth: ['LOGIN'] } });
    const client = new SmtpClientSession();
    const challenges: string[] = [];
    const step = (bytes: Uint8Array): SmtpClientEvent => {
      server.receive(bytes);
      for (let ev = server.nextEvent(); ev.type !== 'need-data'; ev = server.nextEvent()) {
        if (ev.type === 'command' && ev.command.verb === 'AUTH') client.receive(server.send({ code: 334, text: btoa('Username:') }));
        else if (ev.type === 'auth-response' && !ev.cancelled) {
          const got = dec.decode(ev.response);
          client.receive(server.send(got === 'tim' ? { code: 334, text: btoa('Password:') } : { code: 235, enhanced: '2.7.0', text: `ok ${got}` }));
        } else if (ev.type === 'auth-response') client.receive(server.send(ev.reply));
        else if (expectsReply(ev)) client.receive(server.send(policy(ev, 'mx.test')));
      }
      return client.nextEvent();
    };
    server.nextEvent();
    client.receive(server.send({ code: 220, text: 'mx.test' }));
    client.nextEvent();
    step(client.send({ verb: 'EHLO', domain: 'c' }));
    expect(client.capabilities.auth).toEqual(['LOGIN']);
    let ev = step(client.send({ verb: 'AUTH', mechanism: 'LOGIN' }));
    for (const answer of ['tim', 'tanstaaftanstaaf']) {
      if (ev.type !== 'reply') throw new Error(ev.type);
      challenges.push(dec.decode(authChallenge(ev.reply)));
      ev = step(client.sendAuthResponse(enc.encode(answer)));
    }
    expect(challenges).toEqual(['Username:', 'Password:']);
    expect(ev).toMatchObject({ type: 'reply', reply: { code: 235, enhanced: '2.7.0' }, to: { kind: 'auth-response' } });
    expect(server.state).toMatchObject({ ctx: { authenticated: 'LOGIN' } });
    expect(() => client.sendAuthResponse(null)).toThrow(LocalProtocolError);
  });

  it('a cancelled AUTH gets 501 5.7.0', () => {
    const client = new SmtpClientSession();
    feed(client, '220 mx\r\n');
    client.send({ verb: 'AUTH', mechanism: 'PLAIN' });
    feed(client, '334 \r\n');
    expect(dec.decode(client.sendAuthResponse(null))).toBe('*\r\n');
    expect(feed(client, '501 5.7.0 Authentication cancelled\r\n')[0]).toMatchObject({ to: { kind: 'auth-response' }, reply: { code: 501 } });
    expect(authChallenge({ code: 334, text: 'not base64!' })).toBeUndefined();
  });

  it('refuses body writes outside DATA and any command before the greeting', () => {
    const client = new SmtpClientSession();
    expect(() => client.send({ verb: 'EHLO', domain: 'eager' })).toThrow(LocalProtocolError);
    expect(() => client.sendBody(enc.encode('x'))).toThrow(LocalProtocolError);
    expect(() => client.endBody()).toThrow(LocalProtocolError);
    expect(dec.decode(encodeReply({ code: 250, text: 'ok' }))).toBe('250 ok\r\n');
  });
});
