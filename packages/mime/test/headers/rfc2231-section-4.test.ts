import { describe, expect, it } from 'vitest';
import { parseContentDisposition, parseContentType } from '../../src/headers/params.js';

describe('RFC 2231 §4 parameter value character set and language', () => {
  it('decodes the §4 example', () => {
    expect(parseContentType("application/x-stuff;\r\n title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A").params)
      .toEqual({ title: 'This is ***fun***' });
  });
  it('decodes UTF-8 and ISO-8859-1 file names', () => {
    expect(parseContentDisposition("attachment; filename*=utf-8'en'%E2%82%AC%20rates.pdf")?.params.filename)
      .toBe('€ rates.pdf');
    expect(parseContentDisposition("attachment; filename*=iso-8859-1''r%E9sum%E9.doc")?.params.filename)
      .toBe('résumé.doc');
  });
  it('accepts an empty charset and language', () => {
    expect(parseContentType("a/b; t*=''abc%21").params).toEqual({ t: 'abc!' });
  });
  it('prefers name* over name whichever comes first (the Outlook fallback pair)', () => {
    expect(parseContentType("a/b; name=\"=?UTF-8?Q?x?=\"; name*=utf-8''%C3%A9").params).toEqual({ name: 'é' });
    expect(parseContentType("a/b; name*=utf-8''%C3%A9; name=\"plain\"").params).toEqual({ name: 'é' });
  });
  it('Lenient: a * value without charset\'language\' is taken as percent-encoded UTF-8', () => {
    expect(parseContentType('a/b; f*=%C3%A9t%C3%A9.txt').params).toEqual({ f: 'été.txt' });
  });
  it('Lenient: a bad percent escape stays literal', () => {
    expect(parseContentType("a/b; f*=utf-8''100%zz").params).toEqual({ f: '100%zz' });
  });
});
