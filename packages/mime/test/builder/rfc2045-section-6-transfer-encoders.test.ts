import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBase64Encoder } from '../../src/transfer/encode-base64.js';
import { createQuotedPrintableEncoder } from '../../src/transfer/encode-quoted-printable.js';
import { type TransferEncoder, encodeStream } from '../../src/transfer/encode-transfer.js';
import { createTransferDecoder } from '../../src/transfer/decode-transfer.js';

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const bytesOf = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** Encodes `input` cut at `cuts` (offsets), so that chunk boundaries fall anywhere. */
function encodeChunked(encoder: TransferEncoder, input: Uint8Array, cuts: number[]): string {
  const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  let out = '';
  let last = 0;
  for (const p of [...points, input.length]) {
    out += latin1(encoder.update(input.subarray(last, p)));
    last = p;
  }
  return out + latin1(encoder.finish());
}

/** The parser's streaming decoder, an independent implementation, fed the whole text. */
function decodeWithParser(encoding: 'base64' | 'quoted-printable', text: string): Uint8Array {
  const decoder = createTransferDecoder(encoding);
  if (decoder === undefined || decoder === 'unknown') throw new Error(`no decoder for ${encoding}`);
  const out = Buffer.concat([decoder.update(bytesOf(text)), decoder.finish()]);
  expect(decoder.malformed).toBe(false);
  return new Uint8Array(out);
}

/** Reference decoder for the tests: strict RFC 2045 §6.7 (soft breaks, =XX). */
function decodeQp(text: string): Uint8Array {
  return bytesOf(text.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))));
}

const mimeish = fc.array(fc.constantFrom(0x20, 0x09, 0x0d, 0x0a, 0x3d, 0x2e, 0x41, 0x62, 0x00, 0xe9, 0xff), { maxLength: 400 })
  .map((a) => Uint8Array.from(a));
const bytes = fc.oneof(fc.uint8Array({ maxLength: 600 }), mimeish);
const cuts = fc.array(fc.nat({ max: 700 }), { maxLength: 8 });

describe('RFC 2045 §6.8 base64', () => {
  it('writes 76-character lines separated by CRLF, without a trailing CRLF', () => {
    const input = new Uint8Array(200).map((_, i) => i);
    const out = encodeChunked(createBase64Encoder(), input, []);
    const lines = out.split('\r\n');
    expect(lines.slice(0, -1).every((l) => l.length === 76)).toBe(true);
    expect(lines.at(-1)?.length).toBeLessThanOrEqual(76);
    expect(out.endsWith('\r\n')).toBe(false);
    expect(Buffer.from(out, 'base64')).toEqual(Buffer.from(input));
  });
  it('encodes empty input as nothing', () => {
    expect(encodeChunked(createBase64Encoder(), new Uint8Array(0), [])).toBe('');
  });
  it('Buffer decodes it back, and the output does not depend on chunking', () => {
    fc.assert(fc.property(bytes, cuts, (input, at) => {
      const whole = encodeChunked(createBase64Encoder(), input, []);
      expect(encodeChunked(createBase64Encoder(), input, at)).toBe(whole);
      expect(new Uint8Array(Buffer.from(whole, 'base64'))).toEqual(input);
      expect(decodeWithParser('base64', whole)).toEqual(input);
      for (const line of whole.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    }), { numRuns: 200 });
  });
});

describe('RFC 2045 §6.7 quoted-printable', () => {
  const qp = (s: string, text = true): string => encodeChunked(createQuotedPrintableEncoder({ text }), bytesOf(s), []);
  it('rule 1 and 2: "=" and non-printables are =XX, printables literal', () => {
    expect(qp('a=b\x00\xe9~!')).toBe('a=3Db=00=E9~!');
  });
  it('rule 3: white space is encoded only at the end of a line', () => {
    expect(qp('a b \r\nc\t\r\nd ')).toBe('a b=20\r\nc=09\r\nd=20');
    expect(qp('a  b')).toBe('a  b');
  });
  it('rule 4: CRLF is a line break in text mode; lone CR and LF are encoded', () => {
    expect(qp('a\r\nb')).toBe('a\r\nb');
    expect(qp('a\rb\nc')).toBe('a=0Db=0Ac');
    expect(qp('a\r\nb', false)).toBe('a=0D=0Ab');
  });
  it('rule 5: soft line breaks keep lines within 76 characters', () => {
    const out = qp('x'.repeat(200));
    for (const line of out.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(out.split('\r\n')[0]).toBe(`${'x'.repeat(75)}=`);
  });
  it('leaves a leading dot and "From " alone', () => {
    expect(qp('.\r\nFrom me')).toBe('.\r\nFrom me');
  });
  it('decodes back exactly, in text and binary mode, whatever the chunking', () => {
    fc.assert(fc.property(bytes, cuts, fc.boolean(), (input, at, text) => {
      const whole = encodeChunked(createQuotedPrintableEncoder({ text }), input, []);
      expect(encodeChunked(createQuotedPrintableEncoder({ text }), input, at)).toBe(whole);
      expect(new Uint8Array(decodeQp(whole))).toEqual(input);
      expect(decodeWithParser('quoted-printable', whole)).toEqual(input);
      for (const line of whole.split('\r\n')) {
        expect(line.length).toBeLessThanOrEqual(76);
        expect(line).not.toMatch(/[ \t]$/);
        expect(line).toMatch(/^[\x21-\x7e \t]*$/);
      }
    }), { numRuns: 200 });
  });
});

describe('encodeStream', () => {
  it('pipes an async source through an encoder', async () => {
    async function* source(): AsyncIterable<Uint8Array> {
      yield bytesOf('hello ');
      yield bytesOf('world');
    }
    let out = '';
    for await (const chunk of encodeStream(source(), createBase64Encoder())) out += latin1(chunk);
    expect(out).toBe(Buffer.from('hello world').toString('base64'));
  });
});
