// RFC 2045 §6.7: quoted-printable decoding, streaming.
import { createTransferDecoder, type TransferDecoder } from '@mailstack/mime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes, splitAt, text } from './helpers.js';

const qp = (): TransferDecoder => createTransferDecoder('quoted-printable') as TransferDecoder;
const decodeChunks = (chunks: Uint8Array[]): { out: string; malformed: boolean } => {
  const d = qp();
  const parts = chunks.map((c) => text(d.update(c)));
  parts.push(text(d.finish()));
  return { out: parts.join(''), malformed: d.malformed };
};
const decode = (s: string) => decodeChunks([bytes(s)]);

describe('RFC 2045 §6.7 quoted-printable', () => {
  it('rule 1: =XX is an octet; lower-case hex is accepted', () => {
    expect(decode('caf=C3=A9 =3d =3D =e9')).toEqual({ out: 'caf\xc3\xa9 = = \xe9', malformed: false });
  });

  it('rule 3: trailing whitespace on a line is transport padding and is deleted', () => {
    expect(decode('a  \r\nb\t\nc =20\r\n').out).toBe('a\r\nb\nc  \r\n');
  });

  it('rule 5: "=" [whitespace] line break is a soft break', () => {
    expect(decode('long=\r\nline= \t\r\nend=\nx').out).toBe('longlineendx');
  });

  it('a final "=" at the end of the body is a soft break', () => {
    expect(decode('no newline=').out).toBe('no newline');
  });

  it('lenient: a bad escape is kept literally and marks the decoder malformed', () => {
    expect(decode('a=ZZb =4 c==41')).toEqual({ out: 'a=ZZb =4 c=A', malformed: true });
    expect(decode('x=4')).toEqual({ out: 'x=4', malformed: true });
  });

  it('gives the same output for any chunking (soft breaks and escapes split across chunks)', () => {
    const alphabet = fc.constantFrom(...'ab =\r\n\t3DFz'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 80 }), fc.array(fc.nat({ max: 100 }), { maxLength: 8 }), (cs, cuts) => {
        const input = bytes(cs.join(''));
        expect(decodeChunks(splitAt(input, cuts))).toEqual(decodeChunks([input]));
      }),
      { numRuns: 300 },
    );
  });

  it('decodes what Buffer-based encoders produce (round trip through Python-style QP)', () => {
    const original = 'Grüße, naïve café – 東京\r\nline 2 with trailing space \r\n'.repeat(3);
    const encoded = Buffer.from(original, 'utf8')
      .toString('latin1')
      .replace(/[^\x21-\x3c\x3e-\x7e \r\n]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
      .replace(/ \r\n/g, '=20\r\n');
    expect(Buffer.from(qp().update(bytes(encoded))).toString('utf8')).toBe(original);
  });
});
