import { describe, expect, it } from 'vitest';
import { SmtpServerSession, expectsReply, replyLines, type Reply, type SmtpServerEvent } from '@mailstack/smtp-core';
import { loadTranscripts, summarize, type Transcript } from './helpers/transcript.js';

const transcripts = loadTranscripts();

/** Run the server core through a transcript; `split` feeds client bytes in pieces of that size. */
function runServer(t: Transcript, split?: number): { events: SmtpServerEvent[]; wire: Uint8Array[]; expected: Uint8Array[] } {
  const session = new SmtpServerSession(t.options);
  const replies = t.steps.flatMap((s) => (s.kind === 'server' ? s.replies : []));
  const events: SmtpServerEvent[] = [];
  const wire: Uint8Array[] = [];
  const expected: Uint8Array[] = [];
  const pump = (): void => {
    for (;;) {
      const ev = session.nextEvent();
      if (ev.type === 'need-data') return;
      events.push(ev);
      if (ev.type === 'closed') return;
      if (!expectsReply(ev)) continue;
      const next = replies.shift();
      if (next === undefined) throw new Error(`${t.name}: no S: reply left for ${JSON.stringify(ev)}`);
      expected.push(next.raw);
      // The application writes the first EHLO line; the session adds the capabilities.
      let reply: Reply = next.reply;
      if (ev.type === 'command' && ev.command.verb === 'EHLO' && reply.code === 250) reply = { code: 250, text: replyLines(reply)[0] ?? '' };
      // A suggested reply is sent as suggested: the transcript checks that suggestion byte for byte.
      if (ev.type === 'rejected' || ev.type === 'timed-out' || (ev.type === 'auth-response' && ev.cancelled)) reply = ev.reply;
      wire.push(session.send(reply));
    }
  };
  pump();
  for (const step of t.steps) {
    if (step.kind === 'client') {
      const size = split ?? step.bytes.length;
      for (let i = 0; i < step.bytes.length; i += size) {
        session.receive(step.bytes.slice(i, i + size));
        pump();
      }
    } else if (step.kind === 'tls') {
      session.tlsStarted(step.patch);
    }
  }
  session.receiveEof();
  if (events.at(-1)?.type !== 'closed') pump();
  expect(replies).toEqual([]);
  return { events, wire, expected };
}

describe('server transcripts', () => {
  for (const t of transcripts) {
    it(`${t.name}: events and byte-exact replies`, () => {
      const { events, wire, expected } = runServer(t);
      expect(wire.map((b) => new TextDecoder().decode(b))).toEqual(expected.map((b) => new TextDecoder().decode(b)));
      expect(summarize(events)).toEqual(t.events);
    });
    it(`${t.name}: same events when fed one byte at a time`, () => {
      expect(summarize(runServer(t, 1).events)).toEqual(t.events);
    });
  }
});
