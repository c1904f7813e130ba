import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DotStuffer,
  SmtpClientSession,
  SmtpServerSession,
  decodeCommand,
  decodeReply,
  encodeCommand,
  encodeReply,
  expectsReply,
  type Reply,
  type SmtpCommand,
  type SmtpServerEvent,
} from '@mailstack/smtp-core';
import { accept, dec, enc } from './helpers/drive.js';
import { summarize } from './helpers/transcript.js';

const RUNS = { numRuns: 200 };

/** Split `bytes` at the given cut points (any order, duplicates allowed). */
function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.slice(prev, p));
    prev = p;
  }
  return out;
}

/**
 * Greet, feed the pieces, EOF; answer every event with `accept`. Returns the event summaries and
 * replies. An accepted STARTTLS is never completed here: where the TLS handshake falls relative to
 * later bytes is up to the network, so only the plaintext side is split-independent.
 */
function serverRun(pieces: readonly Uint8Array[], options = {}): { events: string[]; wire: string } {
  const s = new SmtpServerSession({ hostname: 'mx.test', extensions: { auth: ['PLAIN'], starttls: true }, maxLineBytes: 200, ...options });
  const events: SmtpServerEvent[] = [];
  let wire = '';
  const pump = (): void => {
    if (events.at(-1)?.type === 'closed') return; // 'closed' repeats on every call; record it once
    for (let ev = s.nextEvent(); ev.type !== 'need-data'; ev = s.nextEvent()) {
      events.push(ev);
      if (ev.type === 'closed') return;
      if (expectsReply(ev)) wire += dec.decode(s.send(accept(ev)));
    }
  };
  pump();
  for (const p of pieces) {
    s.receive(p);
    pump();
  }
  s.receiveEof();
  pump();
  return { events: summarize(events), wire };
}

const COMMANDS = [
  'EHLO c.test', 'HELO c.test', 'MAIL FROM:<a@b.c>', 'MAIL FROM:<> SIZE=10 BODY=8BITMIME', 'RCPT TO:<d@e.f>', 'RCPT TO:<Postmaster>',
  'DATA', 'BDAT 5', 'BDAT 3 LAST', 'RSET', 'NOOP', 'QUIT', 'VRFY x', 'EXPN y', 'HELP', 'STARTTLS', 'AUTH PLAIN', 'AUTH PLAIN AGEAYg==',
  'AGEAYg==', '*', '.', '..x', '', 'x'.repeat(250), 'MAIL FROM:<a@b.c> BODY=BINARYMIME', 'bogus', 'NOOP \0',
];
const arbLine = fc.oneof(fc.constantFrom(...COMMANDS), fc.string({ unit: fc.constantFrom(...'MAILFROM:RCPTO<>@. \r\n'), maxLength: 40 }));
const arbEnding = fc.constantFrom('\r\n', '\r\n', '\r\n', '\n', '\r', '');
const arbStream = fc.array(fc.tuple(arbLine, arbEnding), { maxLength: 40 }).map((ls) => enc.encode(ls.map(([l, e]) => l + e).join('')));
const arbBytes = fc.oneof(arbStream, fc.uint8Array({ maxLength: 400 }));

describe('server session properties', () => {
  it('garbage and random command streams become events, never exceptions', () => {
    fc.assert(
      fc.property(arbBytes, (bytes) => {
        expect(() => serverRun([bytes])).not.toThrow();
      }),
      RUNS,
    );
  });

  it('events and replies do not depend on how the bytes were split', () => {
    fc.assert(
      fc.property(arbBytes, fc.array(fc.nat({ max: 500 }), { maxLength: 30 }), (bytes, cuts) => {
        expect(serverRun(splitAt(bytes, cuts))).toEqual(serverRun([bytes]));
      }),
      RUNS,
    );
  });
});

/** What the server must hand on for a body our client sent: bare LF made CRLF, last line completed. */
function normalised(body: string): string {
  const crlf = body.replace(/(?<!\r)\n/g, '\r\n');
  if (crlf === '' || crlf.endsWith('\r\n')) return crlf;
  return crlf.endsWith('\r') ? `${crlf}\n` : `${crlf}\r\n`;
}

function throughDataPath(body: Uint8Array, clientCuts: readonly number[], serverCuts: readonly number[]): string {
  const stuffer = new DotStuffer();
  const wireParts = splitAt(body, clientCuts).map((p) => stuffer.encodeDataChunk(p));
  wireParts.push(stuffer.end(), enc.encode('NOOP\r\n'));
  const wire = new Uint8Array(wireParts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of wireParts) {
    wire.set(p, at);
    at += p.length;
  }
  const s = new SmtpServerSession({ hostname: 'mx.test', maxMessageBytes: Infinity });
  s.nextEvent();
  s.send({ code: 220, text: 'x' });
  s.receive(enc.encode('EHLO c\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\n'));
  for (const code of [250, 250, 250, 354]) {
    s.nextEvent();
    s.send({ code, text: 'ok' });
  }
  const received: Uint8Array[] = [];
  let ended = false;
  for (const piece of splitAt(wire, serverCuts)) {
    s.receive(piece);
    for (let ev = s.nextEvent(); ev.type !== 'need-data'; ev = s.nextEvent()) {
      if (ev.type === 'data-chunk') received.push(ev.bytes.slice());
      else if (ev.type === 'data-end') {
        ended = true;
        s.send({ code: 250, text: 'ok' });
      } else if (ev.type === 'command') {
        expect(ended && ev.command.verb === 'NOOP').toBe(true);
        s.send({ code: 250, text: 'ok' });
      } else throw new Error(`unexpected ${ev.type}`);
    }
  }
  expect(ended).toBe(true);
  return Buffer.concat(received).toString('utf8');
}

const arbBodyText = fc.string({ unit: fc.constantFrom('.', '.', '\r', '\n', '\r\n', 'a', ' ', 'é'), maxLength: 200 });

describe('dot-stuffing round trip (client encode → server decode)', () => {
  it('CRLF bodies come out byte for byte, for any chunking on either side', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('.', '.', '\r', 'a', 'b', ' '), maxLength: 20 }), { maxLength: 20 }),
        fc.array(fc.nat({ max: 600 }), { maxLength: 10 }),
        fc.array(fc.nat({ max: 600 }), { maxLength: 10 }),
        (lines, c1, c2) => {
          const body = lines.map((l) => `${l}\r\n`).join('').replace(/\r\r\n/g, '\r.\r\n');
          expect(throughDataPath(enc.encode(body), c1, c2)).toBe(body);
        },
      ),
      RUNS,
    );
  });

  it('any body comes out normalised (bare LF as CRLF, last line completed)', () => {
    fc.assert(
      fc.property(arbBodyText, fc.array(fc.nat({ max: 600 }), { maxLength: 10 }), fc.array(fc.nat({ max: 600 }), { maxLength: 10 }), (text, c1, c2) => {
        expect(throughDataPath(enc.encode(text), c1, c2)).toBe(normalised(text));
      }),
      RUNS,
    );
  });
});

const arbAtom = fc.string({ unit: fc.constantFrom(...'abcXYZ019!#$%&*+-/=?^_`{|}~'), minLength: 1, maxLength: 8 });
const arbLabel = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,6}[a-z0-9])?$/);
const arbDomain = fc.oneof(
  fc.array(arbLabel, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.')),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => `[${p.join('.')}]`),
);
const arbLocal = fc.oneof(
  fc.array(arbAtom, { minLength: 1, maxLength: 3 }).map((as) => as.join('.')),
  fc.string({ unit: fc.constantFrom(...' a"\\.@,()<>x'), minLength: 1, maxLength: 12 }),
);
const arbMailbox = fc.record({ localPart: arbLocal, domain: arbDomain });
const arbXtextValue = fc.string({ unit: fc.constantFrom(...'ab+= <>@é'), minLength: 1, maxLength: 10 });
const arbCommand: fc.Arbitrary<SmtpCommand> = fc.oneof(
  fc.record({ verb: fc.constantFrom('EHLO' as const, 'HELO' as const), domain: arbDomain }),
  fc.record({
    verb: fc.constant('MAIL' as const),
    reversePath: fc.option(arbMailbox, { nil: null }),
    params: fc.record(
      {
        sizeBytes: fc.nat(),
        body: fc.constantFrom('7BIT' as const, '8BITMIME' as const, 'BINARYMIME' as const),
        ret: fc.constantFrom('FULL' as const, 'HDRS' as const),
        envid: arbXtextValue,
        auth: arbXtextValue,
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({
    verb: fc.constant('RCPT' as const),
    forwardPath: arbMailbox,
    params: fc.record(
      {
        notify: fc.oneof(fc.constant('NEVER' as const), fc.subarray(['SUCCESS', 'FAILURE', 'DELAY'] as const, { minLength: 1 })),
        orcpt: fc.record({ addrType: fc.constantFrom('rfc822', 'utf-8'), address: arbXtextValue }),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({ verb: fc.constantFrom('DATA' as const, 'RSET' as const, 'QUIT' as const, 'STARTTLS' as const) }),
  fc.record({ verb: fc.constantFrom('VRFY' as const, 'EXPN' as const), argument: fc.stringMatching(/^[a-z][a-z .@]{0,10}[a-z]$/) }),
  fc.record({ verb: fc.constant('BDAT' as const), sizeBytes: fc.nat(), last: fc.boolean() }),
  fc.record({ verb: fc.constant('AUTH' as const), mechanism: fc.constantFrom('PLAIN', 'CRAM-MD5', 'SCRAM-SHA-256'), initialResponse: fc.uint8Array({ maxLength: 40 }) }, { requiredKeys: ['verb', 'mechanism'] }),
);

const replyish = fc
  .array(fc.oneof(fc.constantFrom('220 ', '250-', '250 ', '421 ', '334 ', '354 ', '5.1.1 ', 'PIPELINING', 'SIZE 9'), fc.constantFrom('\r\n', '\n', 'x', ' ')), { maxLength: 60 })
  .map((parts) => enc.encode(parts.join('')));

describe('client session properties', () => {
  it('any server bytes become events, never exceptions, with commands outstanding', () => {
    fc.assert(
      fc.property(fc.oneof(replyish, fc.uint8Array({ maxLength: 300 })), fc.array(fc.nat({ max: 300 }), { maxLength: 10 }), (bytes, cuts) => {
        const client = new SmtpClientSession();
        let sent = false;
        for (const piece of splitAt(bytes, cuts)) {
          client.receive(piece);
          for (let ev = client.nextEvent(); ev.type !== 'need-data' && ev.type !== 'closed'; ev = client.nextEvent()) {
            if (!sent && ev.type === 'reply' && ev.to.kind === 'greeting' && ev.reply.code === 220) {
              client.send({ verb: 'EHLO', domain: 'c' });
              client.send({ verb: 'NOOP' });
              sent = true;
            }
          }
        }
        client.receiveEof();
        expect(client.nextEvent().type).toBe('closed');
      }),
      RUNS,
    );
  });
});

describe('codec properties', () => {
  it('decodeCommand(encodeCommand(x)) is x', () => {
    fc.assert(
      fc.property(arbCommand, (cmd) => {
        const bytes = encodeCommand(cmd);
        expect(decodeCommand(bytes)).toEqual({ ok: true, value: cmd, consumed: bytes.length });
      }),
      RUNS,
    );
  });

  const arbReply: fc.Arbitrary<Reply> = fc
    .tuple(
      fc.integer({ min: 200, max: 599 }),
      fc.boolean(),
      fc.array(fc.stringMatching(/^[A-Za-z][ -~]{0,30}$/), { minLength: 1, maxLength: 4 }),
      fc.nat(999),
      fc.nat(999),
    )
    .map(([code, withEnhanced, lines, a, b]) => {
      const cls = Math.floor(code / 100);
      const text = lines.length === 1 ? (lines[0] ?? '') : lines;
      return withEnhanced && cls !== 3 ? { code, enhanced: `${cls}.${a}.${b}`, text } : { code, text };
    });

  it('decodeReply(encodeReply(x)) is x', () => {
    fc.assert(
      fc.property(arbReply, (reply) => {
        const bytes = encodeReply(reply);
        expect(decodeReply(bytes)).toEqual({ ok: true, value: reply, consumed: bytes.length });
      }),
      RUNS,
    );
  });
});
