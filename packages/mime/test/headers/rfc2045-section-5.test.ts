import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseContentDisposition, parseContentType } from '../../src/headers/params.js';

describe('RFC 2045 §5.1 Content-Type syntax', () => {
  it('lower-cases type, subtype and parameter names but not values', () => {
    expect(parseContentType('Text/HTML; CharSet="UTF-8"')).toEqual({
      mediaType: 'text/html', type: 'text', subtype: 'html', params: { charset: 'UTF-8' },
    });
  });
  it('reads quoted strings with quoted-pairs, tspecials and spaces', () => {
    expect(parseContentType('multipart/mixed; boundary="a \\"b\\" ;=c"').params).toEqual({ boundary: 'a "b" ;=c' });
  });
  it('drops comments outside quoted strings (RFC 2045 §5.1 example)', () => {
    expect(parseContentType('text/plain; charset=us-ascii (Plain text)').params).toEqual({ charset: 'us-ascii' });
    expect(parseContentType('text/plain; charset="us-ascii (not a comment)"').params)
      .toEqual({ charset: 'us-ascii (not a comment)' });
    expect(parseContentType('text/plain (a (nested) comment); x=1').params).toEqual({ x: '1' });
  });
  it('tolerates white space around "/" and "="', () => {
    expect(parseContentType(' text / plain ; charset = utf-8 ').params).toEqual({ charset: 'utf-8' });
    expect(parseContentType(' text / plain ; charset = utf-8 ').mediaType).toBe('text/plain');
  });
});

describe('RFC 2045 §5.2 Content-Type defaults', () => {
  it('an absent field is text/plain; charset=us-ascii', () => {
    expect(parseContentType(undefined)).toEqual({
      mediaType: 'text/plain', type: 'text', subtype: 'plain', params: { charset: 'us-ascii' },
    });
  });
  it.each(['text', '', 'text/plain/extra', '/plain', 'te xt/plain', '@/#'])('an invalid field %j gets the default', (v) => {
    expect(parseContentType(v).mediaType).toBe('text/plain');
    expect(parseContentType(v).params).toEqual({ charset: 'us-ascii' });
  });
  it('a present text/plain without charset keeps its parameters as written', () => {
    expect(parseContentType('text/plain').params).toEqual({});
  });
});

describe('parameters as seen in the wild', () => {
  it('unquoted values with spaces', () => {
    expect(parseContentDisposition('attachment; filename=my file.pdf; size=3')?.params)
      .toEqual({ filename: 'my file.pdf', size: '3' });
  });
  it('encoded words inside a quoted file name, but not in other parameters', () => {
    expect(parseContentType('application/pdf; name="=?UTF-8?B?w6l0w6kucGRm?="').params.name).toBe('été.pdf');
    expect(parseContentDisposition('attachment; filename="=?UTF-8?Q?=C3=A9?="')?.params.filename).toBe('é');
    expect(parseContentType('multipart/mixed; boundary="=?x?q?y?="').params.boundary).toBe('=?x?q?y?=');
  });
  it('missing semicolons', () => {
    expect(parseContentType('text/plain charset=utf-8 format=flowed').params)
      .toEqual({ charset: 'utf-8', format: 'flowed' });
  });
  it('duplicate parameters: the first wins', () => {
    expect(parseContentType('multipart/mixed; boundary=a; boundary=b').params).toEqual({ boundary: 'a' });
  });
  it('an unterminated quoted string runs to the end', () => {
    expect(parseContentType('text/plain; charset="utf-8').params).toEqual({ charset: 'utf-8' });
  });
  it('stray semicolons and bare words carry no parameters', () => {
    expect(parseContentType('text/plain;; ; junk; charset=utf-8;').params).toEqual({ charset: 'utf-8' });
  });
  it('raw UTF-8 in a quoted value (RFC 6532)', () => {
    expect(parseContentDisposition('attachment; filename="日本.txt"')?.params).toEqual({ filename: '日本.txt' });
  });
  it('parameter names like __proto__ stay plain data', () => {
    const params = parseContentType('a/b; __proto__=x; constructor=y').params;
    expect(params['__proto__']).toBe('x');
    expect(Object.keys(params)).toEqual(['__proto__', 'constructor']);
  });
});

describe('RFC 2183 Content-Disposition', () => {
  it('parses type and parameters (RFC 2183 §2 example)', () => {
    expect(parseContentDisposition('attachment; filename=genome.jpeg;\r\n modification-date="Wed, 12 Feb 1997 16:29:51 -0500";'))
      .toEqual({ type: 'attachment', params: { filename: 'genome.jpeg', 'modification-date': 'Wed, 12 Feb 1997 16:29:51 -0500' } });
  });
  it('is undefined when absent or empty', () => {
    expect(parseContentDisposition(undefined)).toBeUndefined();
    expect(parseContentDisposition('  ')).toBeUndefined();
  });
  it('Lenient: a missing type with a file name is an attachment', () => {
    expect(parseContentDisposition('; filename="a.txt"')).toEqual({ type: 'attachment', params: { filename: 'a.txt' } });
  });
});

describe('parameter parsing never throws', () => {
  const alphabet = fc.constantFrom(...'abc/;="\'*%0( )\\=?Qé\r\n\t'.split(''));
  it('on random strings biased to the parameter alphabet', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.array(alphabet, { maxLength: 200 }).map((a) => a.join(''))), (s) => {
      const ct = parseContentType(s);
      expect(ct.mediaType).toBe(`${ct.type}/${ct.subtype}`);
      parseContentDisposition(s);
    }), { numRuns: 300 });
  });
});
