import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDate, parseDate } from '../../src/headers/dates.js';
import { MimeError } from '../../src/errors.js';

const iso = (v: string): string | undefined => parseDate(v)?.toISOString();

describe('RFC 5322 §3.3 date and time specification', () => {
  it('reads the current syntax with numeric zones', () => {
    expect(iso('Fri, 21 Nov 1997 09:55:06 -0600')).toBe('1997-11-21T15:55:06.000Z');
    expect(iso('Tue, 1 Jul 2003 10:52:37 +0200')).toBe('2003-07-01T08:52:37.000Z');
  });
  it('the day of week is optional, seconds are optional', () => {
    expect(iso('21 Nov 1997 09:55 +0000')).toBe('1997-11-21T09:55:00.000Z');
  });
  it('rejects impossible dates and times', () => {
    expect(parseDate('31 Feb 2024 10:00:00 +0000')).toBeUndefined();
    expect(parseDate('1 Jan 2024 24:00:00 +0000')).toBeUndefined();
    expect(parseDate('1 Jan 2024 +0000')).toBeUndefined();
    expect(parseDate('not a date')).toBeUndefined();
    expect(parseDate('')).toBeUndefined();
    expect(parseDate('1 Jan 0050 10:00:00 +0000')).toBeUndefined();
    expect(parseDate('1 Jan 1899 10:00:00 +0000')).toBeUndefined();
  });
  it('a leap second is kept as :59', () => {
    expect(iso('31 Dec 2016 23:59:60 +0000')).toBe('2016-12-31T23:59:59.000Z');
  });
});

describe('RFC 5322 §4.3 obsolete date and time', () => {
  it.each([
    ['Fri, 21 Nov 1997 09:55:06 UT', '1997-11-21T09:55:06.000Z'],
    ['Fri, 21 Nov 1997 09:55:06 GMT', '1997-11-21T09:55:06.000Z'],
    ['Fri, 21 Nov 1997 09:55:06 EST', '1997-11-21T14:55:06.000Z'],
    ['Fri, 21 Nov 1997 09:55:06 EDT', '1997-11-21T13:55:06.000Z'],
    ['Fri, 21 Nov 1997 09:55:06 CST', '1997-11-21T15:55:06.000Z'],
    ['Fri, 21 Nov 1997 09:55:06 CDT', '1997-11-21T14:55:06.000Z'],
    ['Fri, 21 Nov 1997 09:55:06 MST', '1997-11-21T16:55:06.000Z'],
    ['Fri, 21 Nov 1997 09:55:06 MDT', '1997-11-21T15:55:06.000Z'],
    ['Fri, 21 Nov 1997 09:55:06 PST', '1997-11-21T17:55:06.000Z'],
    ['Fri, 21 Nov 1997 09:55:06 PDT', '1997-11-21T16:55:06.000Z'],
    ['Fri, 21 Nov 1997 09:55:06 Q', '1997-11-21T09:55:06.000Z'], // military zones are -0000
    ['Fri, 21 Nov 1997 09:55:06 XYZ', '1997-11-21T09:55:06.000Z'], // unknown zones too
    ['Fri, 21 Nov 1997 09:55:06', '1997-11-21T09:55:06.000Z'], // missing zone
    ['Fri, 21 Nov 1997 09:55:06 +0popular', '1997-11-21T09:55:06.000Z'], // garbage zone
    ['Fri, 21 Nov 1997 09:55:06 +0199', '1997-11-21T09:55:06.000Z'], // minutes over 59: no zone
  ])('%s', (value, expected) => {
    expect(iso(value)).toBe(expected);
  });
  it('two- and three-digit years', () => {
    expect(iso('21 Nov 97 09:55:06 GMT')).toBe('1997-11-21T09:55:06.000Z');
    expect(iso('21 Nov 03 09:55:06 GMT')).toBe('2003-11-21T09:55:06.000Z');
    expect(iso('21 Nov 103 09:55:06 GMT')).toBe('2003-11-21T09:55:06.000Z');
  });
  it('Lenient: a wrong day of week, a trailing zone comment, asctime order', () => {
    expect(iso('Mon, 21 Nov 1997 09:55:06 +0000')).toBe('1997-11-21T09:55:06.000Z');
    expect(iso('Fri, 21 Nov 1997 09:55:06 +0000 (UTC)')).toBe('1997-11-21T09:55:06.000Z');
    expect(iso('Fri Nov 21 09:55:06 1997')).toBe('1997-11-21T09:55:06.000Z');
  });
  it('Lenient: a zone glued to the time, with or without seconds', () => {
    expect(iso('01 Jan 2001 00:01+0000')).toBe('2001-01-01T00:01:00.000Z');
    expect(iso('01 Jan 2001 00:01-0130')).toBe('2001-01-01T01:31:00.000Z');
    expect(iso('21 Nov 1997 09:55:06EST')).toBe('1997-11-21T14:55:06.000Z');
    expect(iso('21 Nov 1997 09:55:06+99')).toBeUndefined();
  });
});

describe('formatDate', () => {
  it('writes the RFC 5322 form in UTC by default', () => {
    expect(formatDate(new Date('1997-11-21T15:55:06Z'))).toBe('Fri, 21 Nov 1997 15:55:06 +0000');
  });
  it('writes a given zone offset', () => {
    expect(formatDate(new Date('1997-11-21T15:55:06Z'), -360)).toBe('Fri, 21 Nov 1997 09:55:06 -0600');
    expect(formatDate(new Date('1969-02-14T03:02:00Z'), -210)).toBe('Thu, 13 Feb 1969 23:32:00 -0330');
  });
  it('throws MimeError for an invalid Date', () => {
    expect(() => formatDate(new Date(Number.NaN))).toThrow(MimeError);
  });
  it('parseDate(formatDate(d, offset)) is d (to the second)', () => {
    fc.assert(fc.property(
      fc.date({ min: new Date('1900-01-02T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }),
      fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
      (d, offset) => {
        const seconds = Math.floor(d.getTime() / 1000) * 1000;
        expect(parseDate(formatDate(d, offset))?.getTime()).toBe(seconds);
      },
    ), { numRuns: 300 });
  });
  it('random strings never throw', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const d = parseDate(s);
      expect(d === undefined || !Number.isNaN(d.getTime())).toBe(true);
    }), { numRuns: 300 });
  });
});
