// A small reference application over Pop3ServerSession for wired tests and properties: one user
// "alice" with password "good" (APOP secret too), SASL PLAIN, messages given as strings.
import {
  apopMatches,
  topFilter,
  type Pop3Reply,
  type Pop3ServerEvent,
  type Pop3ServerSession,
} from '@mailstack/pop3-core';
import { bytes, latin1, maildropOf } from './helpers.js';

export const CAPABILITIES = ['TOP', 'UIDL', 'USER', 'SASL PLAIN', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'STLS', 'IMPLEMENTATION mailstack'];

const FAILED: Pop3Reply = { type: 'err', code: 'AUTH', text: 'Authentication failed' };

/** Answers every pending event; returns the events seen and the bytes written, until `need-data` or the end. */
export function serve(server: Pop3ServerSession, contents: readonly string[]): { events: Pop3ServerEvent[]; output: string } {
  const events: Pop3ServerEvent[] = [];
  let output = '';
  const login: Pop3Reply = { type: 'login-ok', maildrop: maildropOf(contents), text: 'maildrop locked and ready' };
  for (let ev = server.nextEvent(); ; ev = server.nextEvent()) {
    events.push(ev);
    switch (ev.type) {
      case 'need-data': case 'closed': case 'timed-out':
        return { events, output };
      case 'pass':
        output += latin1(server.send(ev.name === 'alice' && ev.password === 'good' ? login : FAILED));
        break;
      case 'apop':
        output += latin1(server.send(ev.name === 'alice' && apopMatches(ev.timestamp, 'good', ev.digest) ? login : FAILED));
        break;
      case 'auth':
        if (ev.mechanism !== 'PLAIN') output += latin1(server.send({ type: 'err', text: 'Unsupported mechanism' }));
        else if (ev.initialResponse === undefined) output += latin1(server.send({ type: 'challenge', data: new Uint8Array(0) }));
        else output += latin1(server.send(latin1(ev.initialResponse) === '\0alice\0good' ? login : FAILED));
        break;
      case 'auth-response':
        output += latin1(server.send(latin1(ev.data) === '\0alice\0good' ? login : FAILED));
        break;
      case 'stls':
        output += latin1(server.send({ type: 'ok', text: 'Begin TLS negotiation' }));
        break;
      case 'capa':
        output += latin1(server.send({ type: 'lines', text: 'Capability list follows', lines: CAPABILITIES.filter((c) => c !== 'STLS' || !ev.tls) }));
        break;
      case 'retr': case 'top': {
        output += latin1(server.send(ev.reply));
        const content = bytes(contents[ev.message.msg - 1]!);
        output += latin1(server.sendMessageChunk(ev.type === 'top' ? topFilter(ev.lines).push(content) : content));
        output += latin1(server.endMessage());
        break;
      }
      default:
        output += latin1(server.send(ev.reply));
    }
  }
}
