import { describe, expect, it } from 'vitest';
import { compareDeliveryOrder, formatInfo, maildirName, normalizeFlags, parseInfo, parseSizeFields, withSizeFields } from '@mailstack/mailstore';

describe('maildirName', () => {
  it('gives time, microseconds, pid, counter and host', () => {
    expect(maildirName({ now: 1_700_000_000_123.456, host: 'mx1', pid: 4711, seq: 3 })).toBe('1700000000.M123456P4711Q3.mx1');
  });
  it('escapes / and : as Dovecot does, and , and \\ as well', () => {
    expect(maildirName({ now: 0, host: 'a/b:c,d\\e', pid: 1, seq: 1 })).toBe('0.M0P1Q1.a\\057b\\072c\\054d\\134e');
  });
});

describe('parseInfo / formatInfo', () => {
  it('splits off the flags of a :2, info', () => {
    expect(parseInfo('1700000000.P4711Q3.mx1:2,FS')).toEqual({ unique: '1700000000.P4711Q3.mx1', flags: 'FS' });
    expect(parseInfo('1700000000.P4711Q3.mx1')).toEqual({ unique: '1700000000.P4711Q3.mx1', flags: '' });
    expect(parseInfo('x:1,experimental')).toEqual({ unique: 'x', flags: '' });
  });
  it('sorts flags in ASCII order without duplicates', () => {
    expect(formatInfo('u', 'TSRFDS')).toBe('u:2,DFRST');
    expect(normalizeFlags('ba')).toBe('ab');
    expect(() => normalizeFlags('S,')).toThrow(RangeError);
  });
  it('reads the size fields Dovecot writes', () => {
    const unique = withSizeFields('1.M2P3Q4.h', 10, 12);
    expect(unique).toBe('1.M2P3Q4.h,S=10,W=12');
    expect(parseSizeFields(unique)).toEqual({ sizeBytes: 10, crlfSizeBytes: 12 });
    expect(parseSizeFields('1.M2P3Q4.h')).toEqual({});
  });
});

describe('compareDeliveryOrder', () => {
  it('orders by seconds, then microseconds, then text', () => {
    const names = ['1700000001.M1P1Q1.h', '999999999.M9P1Q1.h', '1700000000.M123P1Q1.h', '1700000000.M5P1Q2.h', 'odd-name', '1700000000.M5P1Q1.h'];
    expect([...names].sort(compareDeliveryOrder)).toEqual([
      '999999999.M9P1Q1.h',
      '1700000000.M5P1Q1.h',
      '1700000000.M5P1Q2.h',
      '1700000000.M123P1Q1.h',
      '1700000001.M1P1Q1.h',
      'odd-name',
    ]);
  });
});
