import { describe, expect, it } from 'vitest';
import { MtaConfigError, parseNextHop, TransportMap } from '@mailstack/mta';

describe('parseNextHop (transport(5) values)', () => {
  it.each([
    ['[127.0.0.1]:2626', { kind: 'smtp', host: '127.0.0.1', port: 2626, mxLookup: false }],
    ['[mail.example.org]', { kind: 'smtp', host: 'mail.example.org', port: 25, mxLookup: false }],
    ['[IPv6:::1]:2525', { kind: 'smtp', host: '::1', port: 2525, mxLookup: false }],
    ['[::1]', { kind: 'smtp', host: '::1', port: 25, mxLookup: false }],
    ['Relay.Example.ORG:587', { kind: 'smtp', host: 'relay.example.org', port: 587, mxLookup: true }],
    ['smtp:[10.0.0.1]:25', { kind: 'smtp', host: '10.0.0.1', port: 25, mxLookup: false }],
    ['relay:gw.example', { kind: 'smtp', host: 'gw.example', port: 25, mxLookup: true }],
    ['smtp:', { kind: 'direct' }],
    ['local:', { kind: 'local' }],
    ['error:5.7.1 no mail here', { kind: 'error', permanent: true, enhanced: '5.7.1', text: 'no mail here' }],
    ['error:go away', { kind: 'error', permanent: true, enhanced: '5.0.0', text: 'go away' }],
    ['retry:4.4.1 maintenance', { kind: 'error', permanent: false, enhanced: '4.4.1', text: 'maintenance' }],
    ['retry:', { kind: 'error', permanent: false, enhanced: '4.0.0', text: 'mail for this destination is refused' }],
  ])('%s', (value, expected) => {
    expect(parseNextHop(value, 'transport: x')).toEqual(expected);
  });

  it.each([['[host]:0'], ['host:99999'], ['bad host'], [''], ['[a b]'], ['host:port']])('rejects %j naming the entry', (value) => {
    expect(() => parseNextHop(value, 'transport: remote.test')).toThrow(MtaConfigError);
    expect(() => parseNextHop(value, 'transport: remote.test')).toThrow(/^transport: remote\.test: /);
  });
});

describe('TransportMap.lookup', () => {
  const map = new TransportMap({
    'example.org': '[exact.example]',
    '.example.org': '[sub.example]',
    '.deep.example.org': '[deeper.example]',
    '*': '[wild.example]',
  });
  const host = (domain: string, wildcard?: boolean): string | undefined => {
    const hop = map.lookup(domain, wildcard);
    return hop?.kind === 'smtp' ? hop.host : hop?.kind;
  };

  it('matches the exact domain, then the nearest .parent, then *', () => {
    expect(host('example.org')).toBe('exact.example');
    expect(host('a.example.org')).toBe('sub.example');
    expect(host('a.deep.example.org')).toBe('deeper.example');
    expect(host('deep.example.org')).toBe('sub.example');
    expect(host('other.test')).toBe('wild.example');
    expect(host('other.test', false)).toBeUndefined();
  });

  it('keys are case-insensitive', () => {
    expect(new TransportMap({ 'Remote.TEST': '[127.0.0.1]:2626' }).lookup('remote.test')).toEqual({
      kind: 'smtp',
      host: '127.0.0.1',
      port: 2626,
      mxLookup: false,
    });
  });
});
