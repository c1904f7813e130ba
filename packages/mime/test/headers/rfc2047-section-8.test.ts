import { describe, expect, it } from 'vitest';
import { decodeCharset } from '../../src/charset.js';
import { decodeEncodedWords, encodeEncodedWords } from '../../src/headers/encoded-words.js';
import { parseContentType } from '../../src/headers/params.js';

describe('RFC 2047 §8 examples', () => {
  it.each([
    ['=?US-ASCII?Q?Keith_Moore?=', 'Keith Moore'],
    ['=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=', 'Keld Jørn Simonsen'],
    ['=?ISO-8859-1?Q?Andr=E9?= Pirard', 'André Pirard'],
    [
      '=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=',
      'If you can read this you understand the example.',
    ],
    ['=?ISO-8859-1?Q?Olle_J=E4rnefors?=', 'Olle Järnefors'],
    ['=?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?=', 'Patrik Fältström'],
    ['=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=', 'םולש ןב ילטפנ'],
    ['(=?ISO-8859-1?Q?a?=)', '(a)'],
    ['(=?ISO-8859-1?Q?a?= b)', '(a b)'],
    ['(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)', '(ab)'],
    ['(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)', '(ab)'],
    ['(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)', '(ab)'],
    ['(=?ISO-8859-1?Q?a_b?=)', '(a b)'],
    ['(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)', '(a b)'],
  ])('%s decodes to %s', (encoded, text) => {
    expect(decodeEncodedWords(encoded)).toBe(text);
  });

  it('RFC 2231 §5: a language suffix on the charset is ignored', () => {
    expect(decodeEncodedWords('=?US-ASCII*EN?Q?Keith_Moore?=')).toBe('Keith Moore');
  });
});

describe('RFC 2047 decoding of what real mail contains', () => {
  it('joins a UTF-8 sequence split across two B words', () => {
    expect(decodeEncodedWords('=?UTF-8?B?4oI=?= =?UTF-8?B?rA==?=')).toBe('€');
  });
  it('joins a UTF-8 sequence split across two Q words without a separating space', () => {
    expect(decodeEncodedWords('=?UTF-8?Q?=E2=82?==?UTF-8?Q?=AC?=')).toBe('€');
  });
  it('decodes an encoded word inside a quoted display name', () => {
    expect(decodeEncodedWords('"=?UTF-8?Q?J=C3=B6rg?=" <j@example.org>')).toBe('"Jörg" <j@example.org>');
  });
  it('decodes an unknown charset as UTF-8 when the bytes are UTF-8, else windows-1252', () => {
    expect(decodeEncodedWords('=?x-unknown?Q?=C3=A9t=C3=A9?=')).toBe('été');
    expect(decodeEncodedWords('=?x-unknown?Q?=E9t=E9?=')).toBe('été');
  });
  it('decodes CJK charsets', () => {
    expect(decodeEncodedWords('=?ISO-2022-JP?B?GyRCJEgkJCQmGyhC?=')).toBe('という');
    expect(decodeEncodedWords('=?gb2312?B?1tDOxA==?=')).toBe('中文');
  });
  it('converts charsets exactly as bodies do (src/charset.ts): aliases, UTF-7, language suffix', () => {
    const latin1 = Uint8Array.of(0x80, 0x20, 0xe9); // labelled Latin-1, really cp1252
    expect(decodeEncodedWords('=?iso-8859-1?Q?=80_=E9?=')).toBe(decodeCharset(latin1, 'iso-8859-1'));
    expect(decodeEncodedWords('=?iso-8859-1?Q?=80_=E9?=')).toBe('€ é');
    expect(decodeEncodedWords('=?gbk?B?xOO6ww==?=')).toBe('你好');
    expect(decodeEncodedWords('=?unicode-1-1-utf-7?Q?Hi_+AKM-1?=')).toBe('Hi £1');
    expect(decodeEncodedWords('=?us-ascii?Q?gr=C3=BC=C3=9Fe?=')).toBe('grüße'); // 8-bit "us-ascii"
    expect(parseContentType("text/plain; name*=latin1''%80uro").params['name']).toBe('€uro');
    expect(parseContentType("text/plain; name*=gbk''%C4%E3%BA%C3").params['name']).toBe('你好');
  });
  it('keeps raw UTF-8 in a Q word (RFC 6532 header) and joins words of one charset only', () => {
    expect(decodeEncodedWords('=?utf-8?Q?caf=C3=A9_d\u00e9j\u00e0?=')).toBe('café déjà');
    expect(decodeEncodedWords('=?utf-8?Q?=C3?= =?iso-8859-1?Q?=A9?=')).toBe('\ufffd©');
  });
  it('leaves a broken encoded word as it is', () => {
    expect(decodeEncodedWords('=?utf-8?b?unterminated')).toBe('=?utf-8?b?unterminated');
    expect(decodeEncodedWords('plain text')).toBe('plain text');
  });
});

describe('RFC 2047 §5(1) encoding of unstructured text', () => {
  it('leaves printable ASCII alone', () => {
    expect(encodeEncodedWords('Re: RFC-HDR care and feeding')).toBe('Re: RFC-HDR care and feeding');
  });
  it('encodes non-ASCII into words of at most 75 characters that decode back', () => {
    const text = 'Jörg Müller long text here with a lot of characters ääää öööö üüüü';
    const encoded = encodeEncodedWords(text);
    expect(encoded).toMatch(/^=\?UTF-8\?Q\?/);
    for (const word of encoded.split(' ')) expect(word.length).toBeLessThanOrEqual(75);
    expect(decodeEncodedWords(encoded)).toBe(text);
  });
  it('uses B for mostly non-ASCII text', () => {
    const text = '日本語の件名はとても長いです'.repeat(3);
    const encoded = encodeEncodedWords(text);
    expect(encoded).toMatch(/^=\?UTF-8\?B\?/);
    expect(decodeEncodedWords(encoded)).toBe(text);
  });
  it('encodes a word too long for the 998-octet limit, and leaves shorter long words alone', () => {
    const huge = 'x'.repeat(1000);
    expect(encodeEncodedWords(huge)).not.toBe(huge);
    expect(decodeEncodedWords(encodeEncodedWords(huge))).toBe(huge);
    expect(encodeEncodedWords('y'.repeat(100))).toBe('y'.repeat(100));
  });
  it('encodes ASCII text that would otherwise be mistaken for an encoded word', () => {
    const text = 'x =?foo?q?bar?= y';
    expect(encodeEncodedWords(text)).not.toBe(text);
    expect(decodeEncodedWords(encodeEncodedWords(text))).toBe(text);
  });
});
