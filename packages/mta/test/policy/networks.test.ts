import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIp, MtaConfigError, NetworkList, parseIp } from '@mailstack/mta';

describe('parseIp', () => {
  it.each([
    ['127.0.0.1', 4, 0x7f000001n],
    ['::1', 6, 1n],
    ['::', 6, 0n],
    ['2001:db8::ff00:42:8329', 6, 0x20010db8000000000000ff0000428329n],
    ['2001:DB8:0:0:0:0:0:1', 6, 0x20010db8000000000000000000000001n],
    ['::ffff:192.0.2.1', 4, 0xc0000201n],
    ['fe80::1%eth0', 6, 0xfe800000000000000000000000000001n],
    ['64:ff9b::192.0.2.33', 6, 0x0064ff9b0000000000000000c0000221n],
  ])('%s', (text, family, value) => {
    expect(parseIp(text)).toEqual({ family, value });
  });

  it.each([['256.0.0.1'], ['1.2.3'], ['1:2:3:4:5:6:7:8:9'], ['1::2::3'], ['12345::'], ['a.b.c.d'], [''], ['1:2:3:4:5:6:7::8']])(
    'rejects %j',
    (text) => expect(parseIp(text)).toBeUndefined(),
  );

  it('formats addresses back', () => {
    expect(formatIp({ family: 4, value: 0xc0000201n })).toBe('192.0.2.1');
    expect(formatIp({ family: 6, value: 1n })).toBe('0:0:0:0:0:0:0:1');
    // The top octet uses the 32nd bit, where a signed 32-bit shift would go negative.
    expect(formatIp({ family: 4, value: 0xffffffffn })).toBe('255.255.255.255');
    expect(parseIp('255.255.255.255')).toEqual({ family: 4, value: 0xffffffffn });
    expect(parseIp('0.0.0.0')).toEqual({ family: 4, value: 0n });
    const ip = parseIp('2001:db8::42');
    expect(ip && parseIp(formatIp(ip))).toEqual(ip);
  });

  it('reads back every IPv6 address printed in full form', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), (groups) => {
        const value = groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
        const parsed = parseIp(groups.map((g) => g.toString(16)).join(':'));
        if (value >> 32n === 0xffffn) expect(parsed).toEqual({ family: 4, value: value & 0xffffffffn });
        else expect(parsed).toEqual({ family: 6, value });
      }),
      { numRuns: 200 },
    );
  });
});

describe('NetworkList (mynetworks)', () => {
  const list = new NetworkList(['127.0.0.0/8', '[::1]/128', '192.0.2.16/28', '2001:db8::/32', '198.51.100.7']);

  it.each([
    ['127.1.2.3', true],
    ['::ffff:127.0.0.1', true],
    ['::1', true],
    ['[::1]', true],
    ['192.0.2.17', true],
    ['192.0.2.31', true],
    ['192.0.2.32', false],
    ['192.0.2.15', false],
    ['2001:db8:ffff::1', true],
    ['2001:db9::1', false],
    ['198.51.100.7', true],
    ['198.51.100.8', false],
    ['not-an-ip', false],
  ])('%s → %s', (address, inside) => {
    expect(list.contains(address)).toBe(inside);
  });

  it('an empty list trusts nobody, 0.0.0.0/0 everybody of that family', () => {
    expect(new NetworkList([]).contains('127.0.0.1')).toBe(false);
    const all4 = new NetworkList(['0.0.0.0/0']);
    expect(all4.contains('203.0.113.9')).toBe(true);
    expect(all4.contains('2001:db8::1')).toBe(false);
  });

  it('an IPv4 address is in a /n network iff its first n bits match (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), fc.integer({ min: 0, max: 32 }), (network, client, bits) => {
        const toInt = (ip: string) => ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
        const prefixOf = (ip: string) => (bits === 0 ? 0 : Math.floor(toInt(ip) / 2 ** (32 - bits)));
        const base = prefixOf(network) * 2 ** (32 - bits); // the network with its host bits cleared
        const text = `${base >>> 24}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.${base & 255}/${bits}`;
        expect(new NetworkList([text]).contains(client)).toBe(prefixOf(client) === prefixOf(network));
        expect(new NetworkList([text]).contains(`::ffff:${client}`)).toBe(prefixOf(client) === prefixOf(network));
      }),
      { numRuns: 300 },
    );
  });

  it('answers the same for an address asked again, also after more distinct addresses than it remembers', () => {
    const list = new NetworkList(['10.0.0.0/16']);
    const address = (i: number) => `10.${i % 2 === 0 ? 0 : 1}.${(i >> 8) & 255}.${i & 255}`;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5000; i++) expect(list.contains(address(i))).toBe(i % 2 === 0);
    }
    expect(list.contains('10.1.0.1')).toBe(false);
    expect(list.contains('10.0.0.1')).toBe(true);
  });

  it.each([['192.0.2.1/24', 'non-null host address bits'], ['10.0.0.0/33', 'bad prefix length'], ['10.0.0/8', 'bad network'], ['::1/129', 'bad prefix length']])(
    'rejects %j',
    (entry, message) => {
      expect(() => new NetworkList([entry])).toThrow(MtaConfigError);
      expect(() => new NetworkList([entry])).toThrow(`mynetworks: ${message}`);
    },
  );
});
