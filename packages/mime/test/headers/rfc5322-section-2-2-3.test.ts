import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldHeader } from '../../src/headers/fold.js';
import { MimeError } from '../../src/errors.js';

const unfold = (field: string): string => field.replace(/\r\n$/, '').replace(/\r\n(?=[ \t])/g, '');

describe('RFC 5322 §2.2.3 long header fields', () => {
  it('leaves a short field on one line', () => {
    expect(foldHeader('Subject', 'Saying Hello')).toBe('Subject: Saying Hello\r\n');
    expect(foldHeader('Subject', `${'x'.repeat(68)} `)).toBe(`Subject: ${'x'.repeat(68)} \r\n`); // 78 characters
    expect(foldHeader('Subject', 'a\t\tb  ')).toBe('Subject: a\t\tb  \r\n');
  });
  it('a short value with white space first starts after one space; an empty one leaves none', () => {
    expect(foldHeader('Subject', '  \ta b')).toBe('Subject: a b\r\n');
    expect(foldHeader('Subject', ' ')).toBe('Subject: \r\n');
    expect(foldHeader('Subject', '')).toBe('Subject:\r\n');
  });
  it('folds at white space so that lines stay within 78 characters', () => {
    const value = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const field = foldHeader('Subject', value);
    const lines = field.replace(/\r\n$/, '').split('\r\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(78);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ \S/);
    expect(unfold(field)).toBe(`Subject: ${value}`);
  });
  it('trailing white space goes with the last word: folded together, never past 78 on its own', () => {
    const value = `${'x'.repeat(60)} ${'y'.repeat(8)} `; // 78 characters up to the last space
    const field = foldHeader('Subject', value);
    expect(field).toBe(`Subject: ${'x'.repeat(60)}\r\n ${'y'.repeat(8)} \r\n`);
    expect(unfold(field)).toBe(`Subject: ${value}`);
  });
  it('keeps a word longer than a line whole', () => {
    const long = 'x'.repeat(120);
    expect(foldHeader('X-Long', `a ${long} b`)).toBe(`X-Long: a\r\n ${long}\r\n b\r\n`);
  });
  it('turns bare CR and LF into spaces (no header injection), keeps existing folds', () => {
    expect(foldHeader('Subject', 'a\r\nBcc: victim@x.test')).toBe('Subject: a Bcc: victim@x.test\r\n');
    expect(foldHeader('Subject', 'a\r\n b')).toBe('Subject: a b\r\n');
  });
  it('rejects field names RFC 5322 §3.6.8 does not allow', () => {
    expect(() => foldHeader('Bad Name', 'x')).toThrow(MimeError);
    expect(() => foldHeader('Bad:Name', 'x')).toThrow(MimeError);
    expect(() => foldHeader('', 'x')).toThrow(MimeError);
  });
  it('unfolding gives the value back and every line fits unless a word cannot', () => {
    const word = fc.stringMatching(/^[!-~]{1,20}$/);
    const value = fc.array(fc.tuple(fc.constantFrom(' ', '  ', '\t'), word), { maxLength: 40 })
      .map((ws) => ws.map(([s, w], i) => (i === 0 ? w : s + w)).join(''));
    fc.assert(fc.property(value, (v) => {
      const field = foldHeader('X-Test', v);
      expect(unfold(field)).toBe(v === '' ? 'X-Test:' : `X-Test: ${v}`);
      for (const line of field.replace(/\r\n$/, '').split('\r\n')) {
        expect(line.length <= 78 || !/\S\s+\S/.test(line.trim())).toBe(true);
      }
    }), { numRuns: 300 });
  });
});
