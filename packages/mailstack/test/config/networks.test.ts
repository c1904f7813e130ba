import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetworkList, parseDuration, parseIp, parseListenAddress, parseNetwork, parseNextHop } from 'mailstack';

const list = (...entries: string[]) => new NetworkList(entries.map((e) => parseNetwork(e)!));

describe('networks', () => {
  it('parses IPv6 forms to the same bytes', () => {
    const hex = (ip: string) => Buffer.from(parseIp(ip)!).toString('hex');
    expect(hex('::1')).toBe('00000000000000000000000000000001');
    expect(hex('2001:db8::8:800:200c:417a')).toBe('20010db80000000000080800200c417a');
    expect(hex('::ffff:192.0.2.1')).toBe(hex('192.0.2.1'));
    expect(hex('fe80::1%eth0')).toBe(hex('fe80::1'));
    expect(parseIp('1.2.3')).toBeUndefined();
    expect(parseIp('::g')).toBeUndefined();
  });

  it('matches prefixes that do not end on a byte boundary', () => {
    const net = list('172.16.0.0/12', '2001:db8:8000::/33');
    expect(net.inNetworks('172.31.255.255')).toBe(true);
    expect(net.inNetworks('172.32.0.0')).toBe(false);
    expect(net.inNetworks('2001:db8:ffff::1')).toBe(true);
    expect(net.inNetworks('2001:db8:7fff::1')).toBe(false);
  });

  it('0.0.0.0/0 matches all IPv4 (mapped too) but no native IPv6; ::/0 matches everything', () => {
    expect(list('0.0.0.0/0').inNetworks('::ffff:8.8.8.8')).toBe(true);
    expect(list('0.0.0.0/0').inNetworks('2001:db8::1')).toBe(false);
    expect(list('::/0').inNetworks('8.8.8.8')).toBe(true);
  });

  it('a bare address is a host network; bad prefixes are refused', () => {
    expect(list('192.0.2.7').inNetworks('192.0.2.7')).toBe(true);
    expect(list('192.0.2.7').inNetworks('192.0.2.8')).toBe(false);
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/8/8', 'host/8', '10.0.0.0/-1']) expect(parseNetwork(bad)).toBeUndefined();
  });

  it('an IPv4 address is in a /n network iff its first n bits match (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), fc.integer({ min: 0, max: 32 }), (a, b, bits) => {
        const toInt = (ip: string) => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
        const mask = bits === 0 ? 0 : 2 ** 32 - 2 ** (32 - bits);
        const same = Math.floor(toInt(a) / 2 ** (32 - bits)) === Math.floor(toInt(b) / 2 ** (32 - bits)) || mask === 0;
        expect(list(`${a}/${bits}`).inNetworks(b)).toBe(same);
      }),
      { numRuns: 200 },
    );
  });
});

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
