// The client core wired straight to the server core (STYLE.md §2), with the reference app.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  apopDigest,
  Pop3ClientSession,
  Pop3ServerSession,
  type Pop3ClientCommand,
  type Pop3ClientEvent,
  type Pop3ServerEvent,
} from '@mailstack/pop3-core';
import { serve } from './app.js';
import { bytes } from './helpers.js';

class Wire {
  readonly server: Pop3ServerSession;
  readonly client = new Pop3ClientSession();
  readonly serverEvents: Pop3ServerEvent[] = [];

  constructor(
    readonly contents: readonly string[],
    readonly cuts: readonly number[] = [],
  ) {
    this.server = new Pop3ServerSession({ apopTimestamp: '<4711.1700000000@pop.example.test>' });
    this.#pump();
  }

  // Runs the server app and hands its output to the client, split at `cuts` (sizes of the pieces).
  #pump(): void {
    const { events, output } = serve(this.server, this.contents);
    this.serverEvents.push(...events);
    const data = bytes(output);
    let at = 0;
    for (let i = 0; at < data.length; i++) {
      const size = Math.max(1, this.cuts.length === 0 ? data.length : this.cuts[i % this.cuts.length]!);
      this.client.receive(data.subarray(at, at + size));
      at += size;
    }
  }

  /** Sends the commands (pipelined as given), then returns the client's events until it needs data. */
  exchange(...commands: Pop3ClientCommand[]): Pop3ClientEvent[] {
    for (const c of commands) this.server.receive(this.client.send(c));
    this.#pump();
    const out: Pop3ClientEvent[] = [];
    for (let ev = this.client.nextEvent(); ev.type !== 'need-data' && ev.type !== 'closed'; ev = this.client.nextEvent()) out.push(ev);
    return out;
  }

  greet(): Pop3ClientEvent[] {
    return this.exchange();
  }
}

function bodies(events: Pop3ClientEvent[]): string[] {
  const out: string[] = [];
  let current = '';
  for (const e of events) {
    if (e.type === 'message-chunk') current += Buffer.from(e.bytes).toString('latin1');
    if (e.type === 'message-end') {
      out.push(current);
      current = '';
    }
  }
  return out;
}

const MESSAGES = ['Subject: a\r\n\r\n.hidden dot\r\n', 'Subject: b\r\n\r\nline\r\n.\r\nafter a lone dot\r\n'];

describe('client wired to server', () => {
  it('logs in with APOP, fetches everything pipelined, deletes at QUIT only', () => {
    const w = new Wire(MESSAGES);
    const [greeting] = w.greet();
    expect(greeting).toMatchObject({ type: 'greeting', apopTimestamp: '<4711.1700000000@pop.example.test>' });
    expect(w.exchange({ verb: 'CAPA' })[0]).toMatchObject({ type: 'capabilities' });
    expect(w.exchange({ verb: 'APOP', name: 'alice', digest: apopDigest(w.client.apopTimestamp!, 'good') })).toMatchObject([
      { type: 'reply', response: { ok: true } },
    ]);
    const events = w.exchange({ verb: 'UIDL' }, { verb: 'RETR', msg: 1 }, { verb: 'DELE', msg: 1 }, { verb: 'RETR', msg: 2 }, { verb: 'DELE', msg: 2 });
    expect(events[0]).toEqual({ type: 'uid-listing', entries: [{ msg: 1, uidl: 'u1' }, { msg: 2, uidl: 'u2' }] });
    expect(bodies(events)).toEqual(MESSAGES);
    expect(w.serverEvents.some((e) => e.type === 'update')).toBe(false);
    w.exchange({ verb: 'QUIT' });
    expect(w.serverEvents.find((e) => e.type === 'update')).toMatchObject({ deleted: [1, 2] });
    expect(w.client.state.phase).toBe('closed');
  });

  it('logs in with AUTH PLAIN after an empty challenge, and refuses a wrong password', () => {
    const w = new Wire(MESSAGES);
    w.greet();
    const bad = w.exchange({ verb: 'AUTH', mechanism: 'PLAIN', sasl: { start: () => bytes('\0alice\0bad'), step: () => new Uint8Array(0) } });
    expect(bad[0]).toMatchObject({ type: 'challenge', next: { verb: 'sasl-response' } });
    const refused = w.exchange((bad[0] as Pop3ClientEvent & { type: 'challenge' }).next);
    expect(refused).toMatchObject([{ type: 'reply', response: { ok: false, code: 'AUTH' } }]);
    w.exchange({ verb: 'CAPA' });
    expect(w.exchange({ verb: 'AUTH', mechanism: 'PLAIN', sasl: { start: () => bytes('\0alice\0good'), step: () => new Uint8Array(0) } })).toMatchObject([
      { type: 'reply', response: { ok: true } },
    ]);
    expect(w.exchange({ verb: 'TOP', msg: 2, lines: 1 }).flatMap((e) => (e.type === 'message-end' ? [e.sizeBytes] : []))).toEqual(['Subject: b\r\n\r\nline\r\n'.length]);
  });

  it('leaves the maildrop alone when the connection drops', () => {
    const w = new Wire(MESSAGES);
    w.greet();
    w.exchange({ verb: 'USER', name: 'alice' });
    w.exchange({ verb: 'PASS', password: 'good' });
    w.exchange({ verb: 'DELE', msg: 1 });
    w.server.receiveEof();
    expect(serve(w.server, MESSAGES).events).toEqual([{ type: 'closed' }]);
    expect(w.serverEvents.some((e) => e.type === 'update')).toBe(false);
  });

  // Messages made of CRLF lines biased toward dots; they round-trip exactly through both cores.
  const line = fc.oneof(fc.constantFrom('', '.', '..', '. ', '.\r', 'x.'), fc.string({ maxLength: 20 }).filter((s) => !/[\r\n]/.test(s)));
  const message = fc.array(line, { maxLength: 12 }).map((lines) => lines.map((l) => `${l}\r\n`).join(''));

  it('RETR gives every message back byte for byte, however the stream is cut', () =>
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 6 }), (contents, cuts) => {
        const w = new Wire(contents, cuts);
        w.greet();
        w.exchange({ verb: 'CAPA' });
        w.exchange({ verb: 'USER', name: 'alice' }, { verb: 'PASS', password: 'good' });
        const events = w.exchange(...contents.map((_, i) => ({ verb: 'RETR' as const, msg: i + 1 })));
        expect(bodies(events)).toEqual(contents);
      }),
      { numRuns: 150 },
    ));
});
