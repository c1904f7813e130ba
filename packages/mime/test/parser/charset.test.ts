// Charset labels (RFC 2045 §5.1 charset parameter, RFC 2978 names, WHATWG Encoding aliases).
import { createCharsetDecoder, decodeCharset, resolveCharset } from '@mailstack/mime';
import { describe, expect, it } from 'vitest';

describe('charset decoding', () => {
  it('normalises labels the way browsers and mailparser do', () => {
    expect(resolveCharset('ISO-8859-1')).toEqual({ name: 'windows-1252', known: true });
    expect(resolveCharset('"latin1"')).toEqual({ name: 'windows-1252', known: true });
    expect(resolveCharset('GB2312').name).toBe('gb18030');
    expect(resolveCharset('ks_c_5601-1987').name).toBe('cp949');
    expect(resolveCharset('x-sjis').name).toBe('shift_jis');
    expect(resolveCharset('unicode-1-1-utf-7').name).toBe('utf-7');
    expect(resolveCharset('x-no-such-charset')).toEqual({ name: 'fallback', known: false });
  });

  it('decodes latin1-labelled cp1252 bytes as windows-1252 (0x80 is the euro sign)', () => {
    expect(decodeCharset(Uint8Array.of(0x80, 0x20, 0xe9), 'iso-8859-1')).toBe('€ é');
  });

  it('decodes ISO-2022-JP, GB18030, Big5, KOI8-R, UTF-7', () => {
    expect(decodeCharset(Buffer.from('1b2442244b245b24731b2842', 'hex'), 'ISO-2022-JP')).toBe('にほん');
    expect(decodeCharset(Buffer.from('c4e3bac3', 'hex'), 'gb2312')).toBe('你好');
    expect(decodeCharset(Buffer.from('a741a66e', 'hex'), 'big5')).toBe('你好');
    expect(decodeCharset(Buffer.from('f0d2c9d7c5d4', 'hex'), 'koi8-r')).toBe('Привет');
    expect(decodeCharset(Buffer.from('Hi +AKM-1', 'latin1'), 'utf-7')).toBe('Hi £1');
  });

  it('falls back to UTF-8 when valid, else windows-1252, for unknown labels', () => {
    expect(decodeCharset(Buffer.from('grüße', 'utf8'), 'x-unknown')).toBe('grüße');
    expect(decodeCharset(Uint8Array.of(0x67, 0xfc, 0x80), 'x-unknown')).toBe('gü€');
  });

  it('streams: a multi-byte sequence split across writes decodes once', () => {
    const bytes = Buffer.from('東京', 'utf8');
    const d = createCharsetDecoder('utf-8');
    expect(d.write(bytes.subarray(0, 2)) + d.write(bytes.subarray(2, 4)) + d.write(bytes.subarray(4)) + d.end()).toBe('東京');
    const j = createCharsetDecoder('iso-2022-jp');
    const jis = Buffer.from('1b2442244b245b24731b2842', 'hex');
    expect(j.write(jis.subarray(0, 4)) + j.write(jis.subarray(4)) + j.end()).toBe('にほん');
  });
});
