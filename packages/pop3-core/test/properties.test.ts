import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Pop3ClientSession, Pop3ServerSession, type Pop3ClientCommand, type Pop3ServerEvent } from '@mailstack/pop3-core';
import { serve } from './app.js';
import { bytes } from './helpers.js';

const CONTENTS = ['Subject: a\r\n\r\n.x\r\n', 'Subject: b\r\n\r\nbody\r\n'];

// Command lines biased toward the protocol: real verbs, good and bad arguments, odd line ends.
const VERBS = ['USER alice', 'PASS good', 'PASS bad', 'APOP alice 0123456789abcdef0123456789abcdef', 'AUTH PLAIN', 'AUTH PLAIN AGFsaWNlAGdvb2Q=',
  'AGFsaWNlAGdvb2Q=', '*', '=AAA', 'STLS', 'CAPA', 'STAT', 'LIST', 'LIST 1', 'LIST 9', 'RETR 1', 'RETR 2', 'RETR 0', 'TOP 1 0', 'TOP 2 5',
  'DELE 1', 'DELE 2', 'RSET', 'NOOP', 'UIDL', 'UIDL 2', 'QUIT', 'XYZZY', '', 'RETR', 'retr 1', 'x'.repeat(300)];
const pop3ishFrom = (verbs: string[]): fc.Arbitrary<Uint8Array> =>
  fc
    .array(
      fc.oneof(fc.constantFrom(...verbs), fc.string({ maxLength: 12 })).chain((cmd) => fc.constantFrom('\r\n', '\n', '\r', '').map((end) => `${cmd}${end}`)),
      { maxLength: 25 },
    )
    .map((lines) => bytes(lines.join('')));
const pop3ish = pop3ishFrom(VERBS);
// STLS is left out where chunking must not matter: what was pipelined after STLS is dropped, what
// arrives after the +OK is not (RFC 2595 §4), so there the split legitimately changes the outcome.
const pop3ishWithoutStls = pop3ishFrom(VERBS.filter((v) => v !== 'STLS'));

function split(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  return [...points, data.length].map((p, i) => data.subarray(i === 0 ? 0 : points[i - 1]!, p));
}

// Feeds the pieces one by one, answering like the reference app; returns events (minus need-data) and output.
function run(pieces: Uint8Array[]): { events: Pop3ServerEvent[]; output: string } {
  const server = new Pop3ServerSession({ apopTimestamp: '<1.2@h>', maxErrors: 5 });
  const events: Pop3ServerEvent[] = [];
  let output = '';
  const step = (): void => {
    const r = serve(server, CONTENTS);
    // 'closed' repeats on every later call: record it once
    const closedBefore = events.some((e) => e.type === 'closed');
    events.push(...r.events.filter((e) => e.type !== 'need-data' && !(closedBefore && e.type === 'closed')));
    output += r.output;
  };
  step();
  for (const p of pieces) {
    server.receive(p);
    step();
  }
  server.receiveEof();
  step();
  return { events, output };
}

describe('server properties', () => {
  it('garbage becomes events, never exceptions', () =>
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }), pop3ish), (data) => {
        const { events } = run([data]);
        expect(events[events.length - 1]).toEqual({ type: 'closed' });
      }),
      { numRuns: 300 },
    ));

  it('events and output do not depend on how the bytes were split', () =>
    fc.assert(
      fc.property(pop3ishWithoutStls, fc.array(fc.nat({ max: 2000 }), { maxLength: 10 }), (data, cuts) => {
        expect(run(split(data, cuts))).toEqual(run([data]));
      }),
      { numRuns: 200 },
    ));

  it('only a QUIT in TRANSACTION produces an update, and only with marked messages', () =>
    fc.assert(
      fc.property(pop3ish, (data) => {
        const { events } = run([data]);
        const updates = events.filter((e) => e.type === 'update');
        expect(updates.length).toBeLessThanOrEqual(1);
        for (const u of updates) {
          if (u.type !== 'update') continue;
          const deles = events.filter((e) => e.type === 'dele').map((e) => (e.type === 'dele' ? e.msg : 0));
          for (const n of u.deleted) expect(deles).toContain(n);
        }
      }),
      { numRuns: 200 },
    ));
});

// Server output biased toward what a client parses: status lines, listings, dots, challenges.
const serverish = fc
  .array(fc.constantFrom('+OK', '-ERR', '+OK 2 320', '1 120', '.', '..x', '+ ', '+ AAAA', '+ @@', '[SYS/TEMP]', '<1.2@h>', ' ', 'x', '\r\n', '\n'), { maxLength: 40 })
  .map((parts) => bytes(parts.join('')));

describe('client properties', () => {
  const commands: Pop3ClientCommand[][] = [
    [{ verb: 'CAPA' }],
    [{ verb: 'LIST' }],
    [{ verb: 'UIDL', msg: 1 }],
    [{ verb: 'STAT' }],
    [{ verb: 'RETR', msg: 1 }],
    [{ verb: 'AUTH', mechanism: 'PLAIN', sasl: { start: () => undefined, step: () => new Uint8Array(1) } }],
  ];
  it('garbage from the server becomes events, never exceptions', () =>
    fc.assert(
      fc.property(fc.constantFrom(...commands), fc.oneof(fc.uint8Array({ maxLength: 400 }), serverish), (sends, data) => {
        const client = new Pop3ClientSession();
        client.receive(bytes('+OK ready\r\n'));
        client.nextEvent();
        for (const c of sends) client.send(c);
        client.receive(data);
        client.receiveEof();
        let last = client.nextEvent();
        for (let i = 0; i < 10_000 && last.type !== 'closed'; i++) {
          if (last.type === 'challenge') client.send(last.next);
          last = client.nextEvent();
        }
        expect(last).toEqual({ type: 'closed' });
      }),
      { numRuns: 300 },
    ));
});
