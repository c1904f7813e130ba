import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MultilineDecoder, MultilineEncoder } from '@mailstack/pop3-core';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const concat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

function splitAt(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    out.push(data.subarray(from, p));
    from = p;
  }
  out.push(data.subarray(from));
  return out;
}

function encodeAll(chunks: Uint8Array[]): Uint8Array {
  const enc = new MultilineEncoder();
  return concat([...chunks.map((c) => enc.encode(c)), enc.end()]);
}

function decodeAll(chunks: Uint8Array[]): { content: Uint8Array; consumed: number; done: boolean } {
  const dec = new MultilineDecoder();
  const out: Uint8Array[] = [];
  let consumed = 0;
  for (const c of chunks) {
    const step = dec.decode(c);
    out.push(...step.chunks);
    consumed += step.consumed;
    if (step.done) return { content: concat(out), consumed, done: true };
  }
  return { content: concat(out), consumed, done: false };
}

// Content biased toward the characters that matter: dots, CR, LF.
const content = fc
  .array(fc.oneof(fc.constantFrom('.', '\r', '\n', '\r\n', '.\r\n', 'a', ' '), fc.string({ maxLength: 5 })), { maxLength: 80 })
  .map((parts) => bytes(parts.join('')));
const cuts = fc.array(fc.nat({ max: 600 }), { maxLength: 8 });

describe('MultilineEncoder', () => {
  it('stuffs line-initial dots across chunk boundaries (RFC 1939 §3)', () => {
    expect(str(encodeAll([bytes('a\r\n'), bytes('.b\r\n..\r\n')]))).toBe('a\r\n..b\r\n...\r\n.\r\n');
    expect(str(encodeAll([bytes('.')]))).toBe('..\r\n.\r\n');
  });

  it('adds a CRLF before the terminator when the content lacks one', () => {
    expect(str(encodeAll([bytes('no newline')]))).toBe('no newline\r\n.\r\n');
    expect(str(encodeAll([bytes('ends\r'), bytes('\n')]))).toBe('ends\r\n.\r\n');
    expect(str(encodeAll([]))).toBe('.\r\n');
  });

  it('returns the chunk itself when nothing needs stuffing (no copy)', () => {
    const enc = new MultilineEncoder();
    const chunk = bytes('plain\r\ntext\r\n');
    expect(enc.encode(chunk)).toBe(chunk);
  });
});

describe('MultilineDecoder', () => {
  it('unstuffs and stops at CRLF.CRLF, leaving the rest', () => {
    const wire = bytes('..b\r\nc\r\n.\r\n+OK next\r\n');
    const dec = new MultilineDecoder();
    const step = dec.decode(wire);
    expect(step.done).toBe(true);
    expect(str(concat(step.chunks))).toBe('.b\r\nc\r\n');
    expect(str(wire.subarray(step.consumed))).toBe('+OK next\r\n');
  });

  it('is not fooled by a dot that is not at a line start', () => {
    expect(str(decodeAll([bytes('a.\r\n.\r\n')]).content)).toBe('a.\r\n');
    expect(decodeAll([bytes('a\r\n.x')]).done).toBe(false);
  });

  it('keeps a CR after a stuffed dot when no LF follows', () => {
    expect(str(decodeAll([bytes('.\rx\r\n.\r\n')]).content)).toBe('\rx\r\n');
  });

  it('accepts "." LF as the end (lenient)', () => {
    expect(decodeAll([bytes('a\n.\n')])).toMatchObject({ done: true, consumed: 4 });
  });
});

describe('byte-stuffing properties', () => {
  it('server encode then client decode gives the content back, for any chunking', () =>
    fc.assert(
      fc.property(content, cuts, cuts, (data, encCuts, decCuts) => {
        const wire = encodeAll(splitAt(data, encCuts));
        const decoded = decodeAll(splitAt(wire, decCuts));
        const endsWithCrlf = data.length === 0 || str(data).endsWith('\r\n');
        expect(decoded.done).toBe(true);
        expect(decoded.consumed).toBe(wire.length);
        expect(str(decoded.content)).toBe(endsWithCrlf ? str(data) : `${str(data)}\r\n`);
      }),
      { numRuns: 300 },
    ));

  it('encoding does not depend on how the content was split', () =>
    fc.assert(
      fc.property(content, cuts, (data, c) => {
        expect(str(encodeAll(splitAt(data, c)))).toBe(str(encodeAll([data])));
      }),
      { numRuns: 300 },
    ));

  it('no line of the encoded body is a lone "." before the end', () =>
    fc.assert(
      fc.property(content, (data) => {
        const wire = str(encodeAll([data]));
        const lines = wire.split('\n');
        expect(lines.slice(0, -2).some((l) => l === '.' || l === '.\r')).toBe(false);
      }),
      { numRuns: 300 },
    ));
});
