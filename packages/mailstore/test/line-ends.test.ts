import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrlfExpander, LfNormalizer, expandToCrlf } from '@mailstack/mailstore';

const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
const textOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
// Random messages biased toward line ends: CR, LF and a few letters.
const arbMessage = fc.array(fc.constantFrom('\r', '\n', 'a', 'b', '.', ' ', '\u00ff'), { maxLength: 200 }).map((cs) => cs.join(''));
const arbCuts = fc.array(fc.nat({ max: 200 }), { maxLength: 6 });

function splitAt(text: string, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const point of [...points, text.length]) {
    chunks.push(bytesOf(text.slice(from, point)));
    from = point;
  }
  return chunks;
}

function normalize(chunks: Uint8Array[]): { text: string; normalizer: LfNormalizer } {
  const normalizer = new LfNormalizer();
  const parts = chunks.map((chunk) => textOf(normalizer.push(chunk)));
  parts.push(textOf(normalizer.end()));
  return { text: parts.join(''), normalizer };
}

describe('LfNormalizer', () => {
  it('turns each line end (CRs then LF) into LF, wherever the chunks are cut', () =>
    fc.assert(
      fc.property(arbMessage, arbCuts, (message, cuts) => {
        const { text, normalizer } = normalize(splitAt(message, cuts));
        const expected = message.replace(/\r*\n/g, '\n');
        expect(text).toBe(expected);
        expect(normalizer.sizeBytes).toBe(expected.length);
        expect(normalizer.crlfSizeBytes).toBe(expected.replace(/\n/g, '\r\n').length);
      }),
      { numRuns: 300 },
    ));
  it('keeps a CR that ends the message', () => {
    expect(normalize([bytesOf('a\r'), bytesOf('\r')]).text).toBe('a\r\r');
  });
  it('convertAll gives what push() per part and end() give, in one buffer, with the same counts', () =>
    fc.assert(
      fc.property(arbMessage, arbCuts, (message, cuts) => {
        const parts = splitAt(message, cuts);
        const whole = new LfNormalizer();
        const out = whole.convertAll(parts);
        const streamed = normalize(parts);
        expect(textOf(out)).toBe(streamed.text);
        expect(whole.sizeBytes).toBe(streamed.normalizer.sizeBytes);
        expect(whole.crlfSizeBytes).toBe(streamed.normalizer.crlfSizeBytes);
        expect(textOf(whole.end())).toBe(''); // nothing is held back after it
      }),
      { numRuns: 300 },
    ));
});

describe('CrlfExpander', () => {
  it('adds CR only before bare LFs, wherever the chunks are cut', () =>
    fc.assert(
      fc.property(arbMessage, arbCuts, (message, cuts) => {
        const expander = new CrlfExpander();
        const out = splitAt(message, cuts).map((chunk) => textOf(expander.push(chunk))).join('');
        expect(out).toBe(message.replace(/(?<!\r)\n/g, '\r\n'));
        expect(expander.sizeBytes).toBe(out.length);
      }),
      { numRuns: 300 },
    ));
  it('streams through expandToCrlf', async () => {
    async function* source() {
      yield bytesOf('a\nb\r');
      yield bytesOf('\nc\n');
    }
    const parts: string[] = [];
    for await (const chunk of expandToCrlf(source())) parts.push(textOf(chunk));
    expect(parts.join('')).toBe('a\r\nb\r\nc\r\n');
  });
});
