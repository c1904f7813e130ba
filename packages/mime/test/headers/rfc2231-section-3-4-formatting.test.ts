import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseContentDisposition, parseContentType } from '../../src/headers/params.js';
import { formatParam, formatParams } from '../../src/headers/params-format.js';
import { foldHeader } from '../../src/headers/fold.js';

describe('writing parameters (RFC 2045 §5.1, RFC 2231 §3-4)', () => {
  it('tokens bare, other ASCII quoted', () => {
    expect(formatParam('charset', 'utf-8')).toEqual(['charset=utf-8']);
    expect(formatParam('filename', 'my file (1).txt')).toEqual(['filename="my file (1).txt"']);
    expect(formatParam('x', 'a"b\\c')).toEqual(['x="a\\"b\\\\c"']);
  });
  it('non-ASCII as RFC 2231 §4 UTF-8 with percent escapes', () => {
    expect(formatParam('filename', 'résumé €.pdf')).toEqual(["filename*=utf-8''r%C3%A9sum%C3%A9%20%E2%82%AC.pdf"]);
  });
  it('long values as RFC 2231 §3 sections, never cutting an escape', () => {
    const long = formatParam('filename', 'ü'.repeat(40));
    expect(long.length).toBeGreaterThan(1);
    expect(long[0]).toMatch(/^filename\*0\*=utf-8''(%C3%BC)+$/);
    expect(long[1]).toMatch(/^filename\*1\*=(%C3%BC)+$/);
    expect(formatParam('filename', 'a'.repeat(100))).toEqual([`filename*0="${'a'.repeat(60)}"`, `filename*1="${'a'.repeat(40)}"`]);
  });
  it('a literal "=?" is percent-encoded so that it is not read as an RFC 2047 word', () => {
    expect(formatParam('filename', '=?utf-8?q?x?=')).toEqual(["filename*=utf-8''%3D%3Futf-8%3Fq%3Fx%3F%3D"]);
    expect(parseContentDisposition(formatParams('attachment', { filename: '=?utf-8?q?x?=' }))?.params.filename).toBe('=?utf-8?q?x?=');
  });
  it('the Content-Type name= fallback is an RFC 2047 word in quotes', () => {
    expect(formatParams('application/pdf', { name: 'é.pdf' }, ['name'])).toBe('application/pdf; name="=?UTF-8?Q?=C3=A9=2Epdf?="');
  });
  it('folded fields stay within 78 characters', () => {
    const field = foldHeader('Content-Disposition', formatParams('attachment', { filename: '日本語のファイル名'.repeat(5) }));
    for (const line of field.replace(/\r\n$/, '').split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
  });
  it('parse(format(x)) is x for any value', () => {
    const wordish = fc.array(fc.constantFrom('=?', 'utf-8', '?q?', '?B?', 'x', '?=', ' ', 'é'), { maxLength: 12 }).map((a) => a.join(''));
    const value = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 150 }), wordish);
    fc.assert(fc.property(value, fc.oneof(fc.string({ maxLength: 80 }), wordish), (filename, other) => {
      const value = formatParams('attachment', { filename, other });
      expect(parseContentDisposition(value)).toEqual({ type: 'attachment', params: { filename, other } });
      const ct = formatParams('application/pdf', { name: filename }, ['name']);
      expect(parseContentType(ct).params).toEqual({ name: filename });
    }), { numRuns: 200 });
  });
});
