// The README's example, verbatim apart from collecting instead of printing.
import { expect, it } from 'vitest';
import { Pop3ClientSession, Pop3ServerSession, REPLY_FOR, type Pop3ClientEvent } from '@mailstack/pop3-core';

it('runs the README example', () => {
  const messages = ['Subject: hi\r\n\r\n.hello\r\n'];
  const server = new Pop3ServerSession({ apopTimestamp: '<4711.1700000000@pop.example.test>' });
  const client = new Pop3ClientSession();
  const toClient = (bytes: Uint8Array) => client.receive(bytes);

  // The server application: one pass over the pending events (a socket driver does the same).
  function pump(): void {
    for (let ev = server.nextEvent(); ev.type !== 'need-data' && ev.type !== 'closed'; ev = server.nextEvent()) {
      switch (ev.type) {
        case 'pass':
          toClient(server.send(ev.password === 'good'
            ? { type: 'login-ok', maildrop: { messages: [{ sizeBytes: messages[0]!.length, uidl: 'a1' }] } }
            : REPLY_FOR['auth-failed']));
          break;
        case 'retr':
          toClient(server.send(ev.reply));                                    // "+OK 23 octets"
          toClient(server.sendMessageChunk(new TextEncoder().encode(messages[ev.message.msg - 1])));
          toClient(server.endMessage());                                      // ".\r\n"
          break;
        case 'update':                                                        // QUIT: delete ev.deleted now
          toClient(server.send(ev.reply));
          break;
        case 'timed-out':
          return;
        default:
          if ('reply' in ev) toClient(server.send(ev.reply));                 // the core's own answers
          else toClient(server.send({ type: 'err', text: 'Not supported' }));
      }
    }
  }
  const seen: Pop3ClientEvent[] = [];
  const drain = (): void => {
    for (let ev = client.nextEvent(); ev.type !== 'need-data' && ev.type !== 'closed'; ev = client.nextEvent()) seen.push(ev);
  };

  pump();                                                                     // greeting
  drain();
  for (const cmd of [{ verb: 'USER', name: 'alice' }, { verb: 'PASS', password: 'good' }, { verb: 'RETR', msg: 1 }, { verb: 'QUIT' }] as const) {
    server.receive(client.send(cmd));
    pump();
    drain();
  }
  expect(seen.map((e) => e.type).filter((t) => t !== 'message-chunk')).toEqual(['greeting', 'reply', 'reply', 'message-start', 'message-end', 'reply']);
  const body = seen.flatMap((e) => (e.type === 'message-chunk' ? [new TextDecoder().decode(e.bytes)] : [])).join('');
  expect(body).toBe('Subject: hi\r\n\r\n.hello\r\n');
  expect(seen.find((e) => e.type === 'message-end')).toEqual({ type: 'message-end', sizeBytes: 23 });
  expect(client.state.phase).toBe('closed');
});
