import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEncodedWords, encodeEncodedWords, encodePhraseWords } from '../../src/headers/encoded-words.js';
import { foldHeader } from '../../src/headers/fold.js';

const wordy = fc.array(fc.constantFrom('a', 'Zz', ' ', '  ', 'é', 'ß', '日本', '😀', '=?', '?=', '_', '=', '?', '\t', 'x'.repeat(40), 'y'.repeat(500)), { maxLength: 30 })
  .map((a) => a.join(''));
const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 200 }), wordy);

describe('RFC 2047 properties', () => {
  it('decode(encode(x)) is x, words are at most 75 characters, folded Subject lines at most 78', () => {
    fc.assert(fc.property(text, (s) => {
      const encoded = encodeEncodedWords(s);
      expect(decodeEncodedWords(encoded)).toBe(s);
      for (const word of encoded.match(/=\?[^?]+\?[QB]\?[^?]*\?=/g) ?? []) expect(word.length).toBeLessThanOrEqual(75);
      if (encoded !== s) {
        for (const line of foldHeader('Subject', encoded).replace(/\r\n$/, '').split('\r\n')) {
          expect(line.length).toBeLessThanOrEqual(78);
        }
      }
    }), { numRuns: 300 });
  });
  it('phrase encoding decodes back and leaves no bare specials', () => {
    fc.assert(fc.property(text, (s) => {
      const encoded = encodePhraseWords(s);
      expect(decodeEncodedWords(encoded)).toBe(s);
      expect(encoded.replace(/=\?[^?]+\?[QB]\?[^?]*\?=/g, '').trim()).toBe('');
    }), { numRuns: 300 });
  });
  it('decoding never throws on strings biased to encoded-word syntax', () => {
    const alphabet = fc.constantFrom('=?', '?=', '?Q?', '?B?', 'utf-8', 'x-foo', '=E2', '=8', '_', ' ', 'QUJD', '=', '?');
    fc.assert(fc.property(fc.oneof(fc.string(), fc.array(alphabet, { maxLength: 60 }).map((a) => a.join(''))), (s) => {
      expect(typeof decodeEncodedWords(s)).toBe('string');
    }), { numRuns: 300 });
  });
});
