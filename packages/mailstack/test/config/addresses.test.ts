import { describe, expect, it } from 'vitest';
import { parseDuration, parseListenAddress, parseNextHop } from 'mailstack';

describe('addresses and durations', () => {
  it('listen addresses', () => {
    expect(parseListenAddress('[::1]:2525')).toEqual({ host: '::1', port: 2525 });
    expect(parseListenAddress('localhost:25')).toEqual({ host: 'localhost', port: 25 });
    expect(parseListenAddress('[127.0.0.1]:25')).toMatch(/bad host/);
  });

  it('next hops', () => {
    expect(parseNextHop('[127.0.0.1]:2626')).toEqual({ host: '127.0.0.1', port: 2626, mxLookup: false });
    expect(parseNextHop('[mx.example.test]')).toEqual({ host: 'mx.example.test', port: 25, mxLookup: false });
    expect(parseNextHop('[::1]:25')).toEqual({ host: '::1', port: 25, mxLookup: false });
    expect(parseNextHop('::1')).toMatch(/expected/);
  });

  it('durations', () => {
    expect(parseDuration('300s')).toBe(300_000);
    expect(parseDuration(300)).toBe(300_000);
    expect(parseDuration('1w')).toBe(604_800_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('5 minutes')).toBeUndefined();
    expect(parseDuration(-1)).toBeUndefined();
  });
});
