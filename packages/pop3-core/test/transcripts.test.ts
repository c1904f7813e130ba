import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  apopDigest,
  apopMatches,
  decodeBase64Strict,
  decodeStatusLine,
  parseCommand,
  Pop3ClientSession,
  Pop3ServerSession,
  topFilter,
  type Pop3ClientEvent,
  type Pop3Reply,
  type Pop3ServerEvent,
  type SaslClient,
} from '@mailstack/pop3-core';
import { bytes, latin1 } from './helpers.js';
import { loadTranscript, wire, type Transcript } from './transcript.js';

const DIR = new URL('./fixtures/transcripts/', import.meta.url);
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.txt')).sort();

// The event each command line must produce (QUIT depends on the state, see below).
const EVENT_FOR: Record<string, Pop3ServerEvent['type']> = {
  USER: 'user', PASS: 'pass', APOP: 'apop', AUTH: 'auth', STLS: 'stls', CAPA: 'capa', STAT: 'stat', LIST: 'list',
  UIDL: 'uidl', RETR: 'retr', TOP: 'top', DELE: 'dele', RSET: 'rset', NOOP: 'noop',
};
// Events the core answers itself: its suggestion must be the transcript's line, byte for byte.
const CORE_ANSWERED = new Set<Pop3ServerEvent['type']>(['stat', 'list', 'uidl', 'dele', 'rset', 'noop', 'retr', 'top', 'rejected']);

function statusReply(line: string): Pop3Reply {
  const status = decodeStatusLine(line);
  if (!status.ok) throw new Error(status.error);
  const { ok, code, text } = status.value;
  return ok ? { type: 'ok', text, ...(code && { code }) } : { type: 'err', text, ...(code && { code }) };
}

function messageOf(t: Transcript, msg: number, lines?: number): Uint8Array {
  const content = bytes(t.messages[msg - 1]!);
  return lines === undefined ? content : topFilter(lines).push(content);
}

// The application's side of the server session: decides what the transcript's server decided.
function answer(server: Pop3ServerSession, t: Transcript, event: Pop3ServerEvent, lines: string[]): string {
  const first = lines[0]!;
  const secret = t.directives.get('secret');
  const uidls = t.directives.get('uidl')?.split(' ') ?? [];
  const maildrop = { messages: t.messages.map((c, i) => ({ sizeBytes: bytes(c).length, uidl: uidls[i] ?? `u${i + 1}` })) };
  if (CORE_ANSWERED.has(event.type) && 'reply' in event) {
    let out = latin1(server.send(event.reply));
    if (event.type === 'retr' || event.type === 'top') {
      const body = messageOf(t, event.message.msg, event.type === 'top' ? event.lines : undefined);
      for (let i = 0; i < body.length; i += 7) out += latin1(server.sendMessageChunk(body.subarray(i, i + 7)));
      out += latin1(server.endMessage());
    }
    return out;
  }
  switch (event.type) {
    case 'pass': case 'apop': case 'auth': case 'auth-response': {
      if (first.startsWith('+ ')) return latin1(server.send({ type: 'challenge', data: decodeBase64Strict(first.slice(2))! }));
      if (!first.startsWith('+OK')) return latin1(server.send(statusReply(first)));
      if (event.type === 'apop') expect(apopMatches(event.timestamp, secret!, event.digest)).toBe(true);
      if (event.type === 'pass') expect(event.password).toBe(secret);
      return latin1(server.send({ type: 'login-ok', maildrop, text: first.slice(4) }));
    }
    case 'capa': {
      const status = decodeStatusLine(first);
      const text = status.ok ? status.value.text : '';
      return latin1(server.send({ type: 'lines', text, lines: lines.slice(1, -1).map((l) => (l.startsWith('..') ? l.slice(1) : l)) }));
    }
    default:
      return latin1(server.send(statusReply(first)));
  }
}

function runServer(t: Transcript): Pop3ServerEvent[] {
  const ts = t.directives.get('timestamp');
  const server = new Pop3ServerSession({ ...(ts && { apopTimestamp: ts }), tls: t.directives.get('tls') === 'yes' });
  const events: Pop3ServerEvent[] = [];
  for (const { client, server: lines } of t.exchanges) {
    const state = server.state;
    if (client !== undefined) server.receive(bytes(`${client}\r\n`));
    const event = server.nextEvent();
    events.push(event);
    if (client === undefined) expect(event.type).toBe('connected');
    else if (state.phase === 'authorization' && state.login.step === 'sasl') expect(event.type).toBe(client === '*' ? 'rejected' : 'auth-response');
    else {
      const verb = client.split(' ')[0]!;
      const expected = verb === 'QUIT' ? (state.phase === 'transaction' ? 'update' : 'quit') : EVENT_FOR[verb];
      expect(event.type === 'rejected' && lines[0]!.startsWith('-ERR') ? 'rejected' : expected).toBe(event.type);
    }
    expect(answer(server, t, event, lines)).toBe(wire(lines));
  }
  expect(server.nextEvent()).toEqual({ type: 'closed' });
  return events;
}

// The client mirror: the transcript's client lines must come out of Pop3ClientSession.send().
function saslFrom(t: Transcript, index: number, initialResponse: Uint8Array | undefined): SaslClient {
  let next = index + 1;
  return {
    start: () => initialResponse,
    step: () => {
      const line = t.exchanges[next++]!.client!;
      if (line === '*') throw new Error('the transcript cancels here');
      return decodeBase64Strict(line)!;
    },
  };
}

function drain(client: Pop3ClientSession): Pop3ClientEvent[] {
  const out: Pop3ClientEvent[] = [];
  for (let ev = client.nextEvent(); ev.type !== 'need-data' && ev.type !== 'closed'; ev = client.nextEvent()) out.push(ev);
  return out;
}

function runClient(t: Transcript): void {
  const client = new Pop3ClientSession({ tls: t.directives.get('tls') === 'yes' });
  let challenge: (Pop3ClientEvent & { type: 'challenge' }) | undefined;
  t.exchanges.forEach(({ client: line, server: lines }, index) => {
    if (line !== undefined) {
      let sent: Uint8Array;
      if (challenge) sent = client.send(challenge.next);
      else {
        const parsed = parseCommand(line);
        if (!parsed.ok) throw new Error(parsed.error.detail);
        const cmd = parsed.value;
        if (cmd.verb === 'APOP') expect(apopDigest(client.apopTimestamp!, t.directives.get('secret')!)).toBe(cmd.digest);
        sent = client.send(cmd.verb === 'AUTH' ? { verb: 'AUTH', mechanism: cmd.mechanism, sasl: saslFrom(t, index, cmd.initialResponse) } : cmd);
      }
      expect(latin1(sent)).toBe(`${line}\r\n`);
    }
    client.receive(bytes(wire(lines)));
    const events = drain(client);
    challenge = undefined;
    const last = events[events.length - 1];
    if (lines.length === 0) return expect(events).toEqual([]);
    if (last?.type === 'challenge') {
      challenge = last;
      return expect(challenge.data).toEqual(decodeBase64Strict(lines[0]!.slice(2)));
    }
    const first = decodeStatusLine(lines[0]!);
    expect(first.ok).toBe(true);
    if (line === undefined) return expect(events).toMatchObject([{ type: 'greeting', response: { ok: true } }]);
    const verb = line.split(' ')[0]!.toUpperCase();
    if (first.ok && !first.value.ok) return expect(events).toMatchObject([{ type: 'reply', response: first.value }]);
    if (verb === 'RETR' || verb === 'TOP') {
      const [, msg, n] = line.split(' ').map(Number);
      expect(events[0]?.type).toBe('message-start');
      const content = Buffer.concat(events.flatMap((e) => (e.type === 'message-chunk' ? [e.bytes] : [])));
      expect(latin1(content)).toBe(latin1(messageOf(t, msg!, verb === 'TOP' ? n : undefined)));
      return expect(last).toEqual({ type: 'message-end', sizeBytes: content.length });
    }
    const multi = verb === 'CAPA' || ((verb === 'LIST' || verb === 'UIDL') && !line.includes(' '));
    const type = verb === 'CAPA' ? 'capabilities' : verb === 'LIST' ? 'scan-listing' : verb === 'UIDL' ? 'uid-listing' : verb === 'STAT' ? 'stat' : 'reply';
    expect(events.map((e) => e.type)).toEqual([type]);
    if (last?.type === 'capabilities') expect([...last.capabilities.keys()]).toEqual(lines.slice(1, -1).map((l) => l.split(' ')[0]));
    if (last?.type === 'scan-listing' || last?.type === 'uid-listing') expect(last.entries).toHaveLength(multi ? lines.length - 2 : 1);
  });
  expect(client.state.phase).toBe('closed');
}

describe.each(FILES)('transcript %s', (file) => {
  const t = loadTranscript(new URL(file, DIR).pathname);

  it('the server core reproduces every server line', () => {
    const events = runServer(t);
    const update = events.find((e) => e.type === 'update');
    const deleted = t.directives.get('deleted');
    if (deleted !== undefined) expect(update?.type === 'update' && update.deleted).toEqual(deleted === '' ? [] : deleted.split(' ').map(Number));
  });

  it('the client core reproduces every client line and reads every answer', () => {
    runClient(t);
  });
});
