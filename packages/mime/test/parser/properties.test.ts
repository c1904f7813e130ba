// Properties of the streaming parser (STYLE.md §8): chunking does not matter, garbage never throws,
// offsets always slice the input consistently.
import { MimeStreamParser } from '@mailstack/mime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes, eventsOf, splitAt } from './helpers.js';

// Messages built from MIME-ish lines so that boundaries, headers and encodings actually occur.
const line = fc.oneof(
  fc.constantFrom(
    'Content-Type: multipart/mixed; boundary=a', 'Content-Type: multipart/alternative; boundary="a-b"',
    'Content-Type: message/rfc822', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64',
    'Content-Transfer-Encoding: quoted-printable', '--a', '--a--', '--a-b', '--a-b--', '--a ', '', '', 'Subject: x',
    ' folded', 'aGVsbG8gd29ybGQ=', 'caf=C3=A9 soft=', '=ZZ', 'From nobody', '-- ', 'x: y',
  ),
  fc.string({ maxLength: 12 }),
);
const eol = fc.constantFrom('\r\n', '\n', '\r\n', '\r');
const message = fc.array(fc.tuple(line, eol), { maxLength: 40 }).map((ls) => bytes(ls.map(([l, e]) => l + e).join('')));
const mimeAlphabet = fc.array(fc.constantFrom(...'-\r\n=: ab;"'.split('')), { maxLength: 300 }).map((cs) => bytes(cs.join('')));

describe('MimeStreamParser properties', () => {
  it('events do not depend on how the bytes were split', () => {
    fc.assert(
      fc.property(message, fc.array(fc.nat({ max: 2000 }), { maxLength: 10 }), (msg, cuts) => {
        expect(eventsOf(splitAt(msg, cuts))).toEqual(eventsOf([msg]));
      }),
      { numRuns: 200 },
    );
  });

  it('chunks received before any event is pulled give the same events (queued chunks, early EOF)', () => {
    fc.assert(
      fc.property(message, fc.array(fc.nat({ max: 2000 }), { maxLength: 10 }), (msg, cuts) => {
        expect(eventsOf(splitAt(msg, cuts), {}, false)).toEqual(eventsOf([msg]));
      }),
      { numRuns: 200 },
    );
  });

  it('one byte at a time gives the same events', () => {
    fc.assert(
      fc.property(message, (msg) => {
        const singles = Array.from(msg, (b) => Uint8Array.of(b));
        expect(eventsOf(singles)).toEqual(eventsOf([msg]));
      }),
      { numRuns: 50 },
    );
  });

  it('garbage becomes events and defects, never exceptions, and always ends', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 500 }), mimeAlphabet, message), (msg) => {
        const events = eventsOf([msg], { maxHeaderBytes: 64, maxLineBytes: 32, maxParts: 5, maxDepth: 3 });
        expect(events.at(-1)).toMatchObject({ type: 'part-end', path: '', kind: 'message' });
      }),
      { numRuns: 300 },
    );
  });

  it('offsets are ordered, inside the input, and parts nest inside their parents', () => {
    fc.assert(
      fc.property(message, (msg) => {
        const stack: { bodyStart: number }[] = [];
        for (const e of eventsOf([msg])) {
          if (e.type === 'part-start') stack.push(e.offsets);
          if (e.type === 'part-end') {
            const { headerStart, bodyStart, bodyEnd } = e.offsets;
            expect(headerStart).toBeLessThanOrEqual(bodyStart);
            expect(bodyStart).toBeLessThanOrEqual(bodyEnd);
            expect(bodyEnd).toBeLessThanOrEqual(msg.length);
            stack.pop();
            const parent = stack.at(-1);
            if (parent) expect(headerStart).toBeGreaterThanOrEqual(parent.bodyStart);
            expect(e.lines).toBe(msg.subarray(bodyStart, bodyEnd).filter((b) => b === 10).length);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('receive() after receiveEof() is a caller bug', () => {
    const p = new MimeStreamParser();
    p.receiveEof();
    expect(() => p.receive(bytes('x'))).toThrow(/receiveEof/);
  });
});
