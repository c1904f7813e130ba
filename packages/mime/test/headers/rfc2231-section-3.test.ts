import { describe, expect, it } from 'vitest';
import { parseContentType } from '../../src/headers/params.js';

describe('RFC 2231 §3 parameter value continuations', () => {
  it('joins URL*0 and URL*1 (the §3 example)', () => {
    const ct = parseContentType(
      'message/external-body; access-type=URL;\r\n URL*0="ftp://";\r\n URL*1="cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"',
    );
    expect(ct.mediaType).toBe('message/external-body');
    expect(ct.params).toEqual({
      'access-type': 'URL',
      url: 'ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar',
    });
  });
  it('orders sections by number, not by position', () => {
    expect(parseContentType('a/b; n*2=c; n*0=a; n*1=b').params).toEqual({ n: 'abc' });
    expect(parseContentType('a/b; n*10=k; n*9=j; n*0=a').params).toEqual({ n: 'ajk' });
  });
  it('Lenient: joins the sections present when one is missing', () => {
    expect(parseContentType('a/b; n*0=a; n*2=c').params).toEqual({ n: 'ac' });
  });
});

describe('RFC 2231 §4.1 combining continuations and charsets', () => {
  it('decodes the §4.1 example (which has no semicolons)', () => {
    const ct = parseContentType(
      "application/x-stuff\r\n title*0*=us-ascii'en'This%20is%20even%20more%20\r\n title*1*=%2A%2A%2Afun%2A%2A%2A%20\r\n title*2=\"isn't it!\"",
    );
    expect(ct.mediaType).toBe('application/x-stuff');
    expect(ct.params).toEqual({ title: "This is even more ***fun*** isn't it!" });
  });
  it('joins a UTF-8 sequence split across sections before decoding', () => {
    expect(parseContentType("a/b; f*0*=utf-8''%E2%82; f*1*=%AC.txt").params).toEqual({ f: '€.txt' });
  });
});
