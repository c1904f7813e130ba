import { describe, expect, it } from 'vitest';
import { parseAliases, Router, type RouterOptions } from '@mailstack/mta';
import { fakeResolver, type Zone } from './fake-resolver.js';

const USERS = new Set(['alice', 'bob']);

function router(zone: Zone, extra: Partial<RouterOptions> = {}): Router {
  return new Router({
    hostname: 'mail.example.test',
    localDomains: ['example.test', 'mail.example.test'],
    isLocalUser: (n) => USERS.has(n),
    aliases: parseAliases('sales: alice\ninfo+news: bob\n', 'aliases'),
    resolver: fakeResolver(zone),
    random: () => 0,
    ...extra,
  });
}

describe('Router.checkRecipient (RCPT TO)', () => {
  const r = router({});
  it.each([
    ['alice@example.test', 'local'],
    ['ALICE@Example.Test', 'local'],
    ['alice+tag@example.test', 'local'],
    ['"alice"@example.test', 'local'],
    ['sales@mail.example.test', 'local'],
    ['sales+q3@example.test', 'local'],
    ['info+news@example.test', 'local'],
    ['"Info+News"@example.test', 'local'],
    ['PostMaster@example.test', 'local'],
    ['postmaster', 'local'],
    ['someone@elsewhere.example', 'remote'],
  ])('%s is %s', (address, kind) => {
    expect(r.checkRecipient(address)).toEqual({ kind });
  });

  it('rejects unknown local users with 550 5.1.1 (SPEC.md §7)', () => {
    for (const address of ['carol@example.test', 'info@example.test', 'info+other@example.test', '+alice@example.test']) {
      expect(r.checkRecipient(address)).toEqual({
        kind: 'rejected',
        reply: {
          code: 550,
          enhanced: '5.1.1',
          text: `<${address}>: Recipient address rejected: User unknown in local recipient table`,
        },
      });
    }
  });

  it('uses the configured recipient delimiters, or none', () => {
    expect(router({}, { recipientDelimiter: '-' }).checkRecipient('alice-x@example.test')).toEqual({ kind: 'local' });
    expect(router({}, { recipientDelimiter: '-' }).checkRecipient('alice+x@example.test').kind).toBe('rejected');
    expect(router({}, { recipientDelimiter: '' }).checkRecipient('alice+x@example.test').kind).toBe('rejected');
  });
});

describe('Router.route', () => {
  const zone: Zone = {
    mx: {
      'remote.example': [
        { exchange: 'mx2.remote.example', priority: 20 },
        { exchange: 'mx1.remote.example', priority: 10 },
      ],
      'nullmx.example': [{ exchange: '', priority: 0 }],
      'dotmx.example': [{ exchange: '.', priority: 0 }],
      'loop.example': [
        { exchange: 'mx.other.example', priority: 5 },
        { exchange: 'MAIL.example.test.', priority: 10 },
        { exchange: 'backup.other.example', priority: 20 },
      ],
      'selfonly.example': [{ exchange: 'mail.example.test', priority: 10 }],
      'noaddr.example': [{ exchange: 'ghost.example', priority: 10 }],
      'relay.example': [{ exchange: 'mx.relay.example', priority: 10 }],
    },
    a: {
      'mx1.remote.example': ['192.0.2.1'],
      'mx2.remote.example': ['192.0.2.2'],
      'implicit.example': ['192.0.2.3'],
      'mx.other.example': ['192.0.2.5'],
      'backup.other.example': ['192.0.2.6'],
      'mx.relay.example': ['192.0.2.7'],
    },
    aaaa: { 'mx1.remote.example': ['2001:db8::1'], 'implicit.example': ['2001:db8::3'] },
    exists: ['empty.example'],
    fail: { 'broken.example': 'ESERVFAIL', 'slow.example': 'ETIMEOUT' },
  };

  it('routes local domains locally', async () => {
    expect(await router(zone).route('alice@example.test')).toEqual({ kind: 'local', address: 'alice@example.test' });
    expect(await router(zone).route('postmaster')).toEqual({ kind: 'local', address: 'postmaster' });
  });

  it('orders MX hosts by preference with their addresses (RFC 5321 §5.1)', async () => {
    expect(await router(zone).route('u@remote.example')).toEqual({
      kind: 'remote',
      destination: 'remote.example',
      hops: [
        { host: 'mx1.remote.example', port: 25, address: '192.0.2.1', preference: 10 },
        { host: 'mx1.remote.example', port: 25, address: '2001:db8::1', preference: 10 },
        { host: 'mx2.remote.example', port: 25, address: '192.0.2.2', preference: 20 },
      ],
    });
    const v6 = await router(zone, { addressPreference: 'ipv6', maxAddresses: 1 }).route('u@remote.example');
    expect(v6).toMatchObject({ hops: [{ address: '2001:db8::1' }] });
  });

  it('falls back to the implicit MX when the domain has no MX records', async () => {
    expect(await router(zone).route('u@implicit.example')).toMatchObject({
      kind: 'remote',
      hops: [
        { host: 'implicit.example', address: '192.0.2.3', preference: 0 },
        { host: 'implicit.example', address: '2001:db8::3', preference: 0 },
      ],
    });
  });

  it('null MX is a permanent 556 5.1.10 (RFC 7505)', async () => {
    for (const domain of ['nullmx.example', 'dotmx.example']) {
      expect(await router(zone).route(`u@${domain}`)).toEqual({
        kind: 'failed',
        reply: { code: 556, enhanced: '5.1.10', text: `Domain ${domain} does not accept mail (nullMX)` },
      });
    }
  });

  it('NXDOMAIN is permanent, SERVFAIL and timeouts are transient', async () => {
    expect(await router(zone).route('u@nowhere.example')).toMatchObject({ kind: 'failed', reply: { code: 550, enhanced: '5.1.2' } });
    expect(await router(zone).route('u@broken.example')).toMatchObject({ kind: 'failed', reply: { code: 451, enhanced: '4.4.3' } });
    expect(await router(zone).route('u@slow.example')).toMatchObject({ kind: 'failed', reply: { code: 451, enhanced: '4.4.3' } });
    expect(await router(zone).route('u@empty.example')).toMatchObject({ kind: 'failed', reply: { code: 550, enhanced: '5.4.4' } });
    expect(await router(zone).route('u@noaddr.example')).toMatchObject({ kind: 'failed', reply: { code: 550, enhanced: '5.4.4' } });
  });

  it('drops our own MX host and every less preferred one; only ourselves is a loop', async () => {
    expect(await router(zone).route('u@loop.example')).toMatchObject({
      kind: 'remote',
      hops: [{ host: 'mx.other.example', address: '192.0.2.5' }],
    });
    expect(await router(zone).route('u@selfonly.example')).toEqual({
      kind: 'failed',
      reply: { code: 550, enhanced: '5.4.6', text: 'mail for selfonly.example loops back to myself' },
    });
  });

  it('shuffles MX hosts of equal preference with the injected random', async () => {
    const equal: Zone = {
      mx: { 'eq.example': ['a', 'b', 'c'].map((h) => ({ exchange: `${h}.eq.example`, priority: 10 })) },
      a: { 'a.eq.example': ['192.0.2.10'], 'b.eq.example': ['192.0.2.11'], 'c.eq.example': ['192.0.2.12'] },
    };
    const order = async (random: () => number): Promise<string[]> => {
      const route = await router(equal, { random }).route('u@eq.example');
      return route.kind === 'remote' ? route.hops.map((h) => h.host[0] ?? '') : [];
    };
    expect(await order(() => 0)).toEqual(['b', 'c', 'a']);
    expect(await order(() => 0.999)).toEqual(['a', 'b', 'c']);
    const seen = new Set<string>();
    let seed = 1;
    for (let i = 0; i < 40; i++) {
      seen.add((await order(() => ((seed = (seed * 16807) % 2147483647) / 2147483647))).join(''));
    }
    expect(seen.size).toBe(6);
  });

  it('follows the transport map: [host]:port without MX, host with MX, error:, local:', async () => {
    const r = router(zone, {
      transport: {
        'remote.test': '[127.0.0.1]:2626',
        '.corp.example': 'relay.example:2525',
        'blocked.example': 'error:5.7.1 we do not send there',
        'later.example': 'retry:maintenance',
        'example.test': '[10.9.9.9]',
        'inside.example': 'local:',
      },
    });
    expect(await r.route('u@remote.test')).toEqual({
      kind: 'remote',
      destination: '[127.0.0.1]:2626',
      hops: [{ host: '127.0.0.1', port: 2626, address: '127.0.0.1', preference: 0 }],
    });
    expect(await r.route('u@x.corp.example')).toEqual({
      kind: 'remote',
      destination: 'relay.example:2525',
      hops: [{ host: 'mx.relay.example', port: 2525, address: '192.0.2.7', preference: 10 }],
    });
    expect(await r.route('u@blocked.example')).toEqual({
      kind: 'failed',
      reply: { code: 550, enhanced: '5.7.1', text: 'we do not send there' },
    });
    expect(await r.route('u@later.example')).toMatchObject({ kind: 'failed', reply: { code: 450, enhanced: '4.0.0' } });
    expect(await r.route('alice@example.test')).toMatchObject({ kind: 'remote', destination: '[10.9.9.9]:25' });
    expect(r.isLocalDomain('example.test')).toBe(false);
    expect(await r.route('u@inside.example')).toEqual({ kind: 'local', address: 'u@inside.example' });
    expect(r.checkRecipient('alice@inside.example')).toEqual({ kind: 'local' });
  });

  it('a "*" entry and the relayhost take non-local mail only', async () => {
    const wild = router(zone, { transport: { '*': '[127.0.0.1]:2626' } });
    expect(await wild.route('u@remote.example')).toMatchObject({ destination: '[127.0.0.1]:2626' });
    expect(await wild.route('alice@example.test')).toEqual({ kind: 'local', address: 'alice@example.test' });
    const relayed = router(zone, { relayhost: '[smarthost.example]:587' , resolver: fakeResolver({ a: { 'smarthost.example': ['192.0.2.99'] } }) });
    expect(await relayed.route('u@remote.example')).toEqual({
      kind: 'remote',
      destination: '[smarthost.example]:587',
      hops: [{ host: 'smarthost.example', port: 587, address: '192.0.2.99', preference: 0 }],
    });
    expect(await relayed.route('alice@example.test')).toEqual({ kind: 'local', address: 'alice@example.test' });
  });

  it('a configured next hop that does not resolve is transient, not a bounce', async () => {
    const r = router({}, { relayhost: 'gone.example' });
    expect(await r.route('u@remote.example')).toMatchObject({ kind: 'failed', reply: { code: 451, enhanced: '4.4.3' } });
  });

  it('routes address literals directly', async () => {
    expect(await router({}).route('u@[192.0.2.50]')).toEqual({
      kind: 'remote',
      destination: '[192.0.2.50]',
      hops: [{ host: '[192.0.2.50]', port: 25, address: '192.0.2.50', preference: 0 }],
    });
    expect(await router({}).route('u@[IPv6:2001:DB8::5]')).toMatchObject({ hops: [{ address: '2001:db8::5' }] });
  });

  it('expands local recipients through its aliases', async () => {
    expect(await router(zone).expandRecipient('sales+x@example.test')).toEqual({
      targets: [{ kind: 'mailbox', user: 'alice', extension: 'x' }],
      failures: [],
    });
  });
});

describe('Router.destinationOf (scheduling key, no DNS)', () => {
  it('names local, transport, relayhost, error and MX destinations', () => {
    const r = router({}, { transport: { 'remote.test': '[127.0.0.1]:2626', 'no.example': 'error:nope' } });
    expect(r.destinationOf('alice@example.test')).toBe('local');
    expect(r.destinationOf('postmaster')).toBe('local');
    expect(r.destinationOf('u@remote.test')).toBe('[127.0.0.1]:2626');
    expect(r.destinationOf('u@no.example')).toBe('error:no.example');
    expect(r.destinationOf('u@Some.Example')).toBe('some.example');
    expect(router({}, { relayhost: 'smart.example' }).destinationOf('u@some.example')).toBe('smart.example:25');
  });
});
