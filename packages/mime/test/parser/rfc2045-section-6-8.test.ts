// RFC 2045 §6.8: base64 decoding, streaming and lenient.
import { createTransferDecoder, type TransferDecoder } from '@mailstack/mime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes, splitAt } from './helpers.js';

const b64 = (): TransferDecoder => createTransferDecoder('base64') as TransferDecoder;
const decodeChunks = (chunks: Uint8Array[]): { out: Buffer; malformed: boolean } => {
  const d = b64();
  const out = Buffer.concat([...chunks.map((c) => d.update(c)), d.finish()]);
  return { out, malformed: d.malformed };
};

describe('RFC 2045 §6.8 base64', () => {
  it('decodes 76-character lines with CRLF', () => {
    const data = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
    const wire = data.toString('base64').replace(/.{76}/g, '$&\r\n');
    expect(decodeChunks([bytes(wire)])).toEqual({ out: data, malformed: false });
  });

  it('accepts missing padding', () => {
    expect(decodeChunks([bytes('aGVsbG8')]).out.toString()).toBe('hello');
    expect(decodeChunks([bytes('aGVsbA')]).out.toString()).toBe('hell');
  });

  it('ignores characters outside the alphabet and reports them', () => {
    expect(decodeChunks([bytes('aGV*sbG8=\r\n')])).toEqual({ out: Buffer.from('hello'), malformed: true });
  });

  it('decodes data after padding as a new quantum (concatenated encodings)', () => {
    expect(decodeChunks([bytes('aGk=aGk=')]).out.toString()).toBe('hihi');
  });

  it('matches Buffer.from(..., "base64") for any data, line length and chunking', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 4, max: 80 }), fc.array(fc.nat({ max: 400 }), { maxLength: 6 }), (data, width, cuts) => {
        const wire = bytes(Buffer.from(data).toString('base64').replace(new RegExp(`.{${width}}`, 'g'), '$&\r\n'));
        expect(decodeChunks(splitAt(wire, cuts))).toEqual({ out: Buffer.from(data), malformed: false });
      }),
      { numRuns: 200 },
    );
  });

  it('large bodies (native fast path) decode like small ones, with junk, either line end, any chunking', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 3000, maxLength: 20_000 }),
        fc.constantFrom(76, 64, 60, 10),
        fc.constantFrom('\r\n', '\n'),
        fc.option(fc.tuple(fc.nat(), fc.constantFrom('*', ' ', '!')), { nil: undefined }),
        fc.array(fc.nat({ max: 30_000 }), { maxLength: 4 }),
        (data, width, eol, junk, cuts) => {
          let wire = Buffer.from(data).toString('base64').replace(new RegExp(`.{${width}}`, 'g'), `$&${eol}`);
          if (junk) wire = wire.slice(0, junk[0] % wire.length) + junk[1] + wire.slice(junk[0] % wire.length);
          const result = decodeChunks(splitAt(bytes(wire), cuts));
          expect(result.out.equals(Buffer.from(data))).toBe(true);
          expect(result.malformed).toBe(junk !== undefined && junk[1] !== ' ');
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reports junk in a large chunk that starts with the LF of a CRLF split across chunks', () => {
    // Found by the property above: one junk character offset the CR missing before the chunk's
    // first LF, so the native fast path's length check passed and `malformed` stayed false.
    const data = Buffer.from(Array.from({ length: 6000 }, (_, i) => (i * 7919) & 0xff));
    const lines = data.toString('base64').replace(/.{76}/g, '$&\r\n');
    const split = lines.indexOf('\r\n') + 1;
    const wire = `${lines.slice(0, split + 200)}!${lines.slice(split + 200)}`;
    const result = decodeChunks([bytes(wire.slice(0, split)), bytes(wire.slice(split))]);
    expect(result.out.equals(data)).toBe(true);
    expect(result.malformed).toBe(true);
  });

  it('identity encodings pass through and unknown ones are flagged', () => {
    expect(createTransferDecoder('8bit')).toBeUndefined();
    expect(createTransferDecoder('binary')).toBeUndefined();
    expect(createTransferDecoder('x-uuencode')).toBe('unknown');
  });
});
