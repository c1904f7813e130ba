// The Resolver contract against Node's real c-ares resolver: a tiny authoritative DNS server on
// 127.0.0.1 answers with NOERROR, NXDOMAIN, NODATA, SERVFAIL and a null MX, and the router must
// classify Node's actual error codes as resolver.ts assumes (ENOTFOUND, ENODATA, ESERVFAIL).
import { createSocket, type Socket } from 'node:dgram';
import { Resolver as NodeResolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Router, type Resolver } from '@mailstack/mta';

type Rr = { type: 'A'; address: string } | { type: 'MX'; preference: number; exchange: string };
const ZONE: Record<string, Rr[] | 'servfail'> = {
  'mx.test': [
    { type: 'MX', preference: 20, exchange: 'backup.mx.test' },
    { type: 'MX', preference: 10, exchange: 'mail.mx.test' },
  ],
  'mail.mx.test': [{ type: 'A', address: '127.0.0.1' }],
  'backup.mx.test': [{ type: 'A', address: '127.0.0.2' }],
  'implicit.test': [{ type: 'A', address: '127.0.0.3' }],
  'nullmx.test': [{ type: 'MX', preference: 0, exchange: '' }],
  'nodata.test': [],
  'servfail.test': 'servfail',
};
const TYPES = { A: 1, MX: 15 } as const;

function encodeName(name: string): Buffer {
  const labels = name === '' ? [] : name.split('.');
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
}

function answer(query: Buffer): Buffer {
  let at = 12;
  const labels: string[] = [];
  while ((query[at] ?? 0) > 0) {
    const len = query[at] ?? 0;
    labels.push(query.subarray(at + 1, at + 1 + len).toString().toLowerCase());
    at += len + 1;
  }
  const qtype = query.readUInt16BE(at + 1);
  const question = query.subarray(12, at + 5);
  const records = ZONE[labels.join('.')];
  const rcode = records === undefined ? 3 : records === 'servfail' ? 2 : 0;
  const matching = Array.isArray(records) ? records.filter((r) => TYPES[r.type] === qtype) : [];
  const answers = matching.map((r) => {
    const rdata = r.type === 'A' ? Buffer.from(r.address.split('.').map(Number)) : Buffer.concat([Buffer.from([r.preference >> 8, r.preference & 0xff]), encodeName(r.exchange)]);
    const head = Buffer.alloc(12);
    head.writeUInt16BE(0xc00c, 0);
    head.writeUInt16BE(qtype, 2);
    head.writeUInt16BE(1, 4);
    head.writeUInt32BE(60, 6);
    head.writeUInt16BE(rdata.length, 10);
    return Buffer.concat([head, rdata]);
  });
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8400 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, question, ...answers]);
}

let server: Socket;
let resolver: Resolver;

beforeAll(async () => {
  server = createSocket('udp4');
  server.on('message', (msg, peer) => server.send(answer(msg), peer.port, peer.address));
  await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
  const node = new NodeResolver({ timeout: 1000, tries: 1 });
  node.setServers([`127.0.0.1:${server.address().port}`]);
  resolver = node;
});
afterAll(() => server.close());

describe('Router over node:dns/promises (real c-ares error codes)', () => {
  const router = (): Router =>
    new Router({ hostname: 'me.test', localDomains: ['local.test'], isLocalUser: () => true, resolver, random: () => 0 });

  it('orders MX hosts and resolves their addresses', async () => {
    expect(await router().route('u@mx.test')).toEqual({
      kind: 'remote',
      destination: 'mx.test',
      hops: [
        { host: 'mail.mx.test', port: 25, address: '127.0.0.1', preference: 10 },
        { host: 'backup.mx.test', port: 25, address: '127.0.0.2', preference: 20 },
      ],
    });
  });

  it('uses the implicit MX on NODATA, and classifies NXDOMAIN, SERVFAIL and null MX', async () => {
    expect(await router().route('u@implicit.test')).toMatchObject({ kind: 'remote', hops: [{ host: 'implicit.test', address: '127.0.0.3' }] });
    expect(await router().route('u@nullmx.test')).toMatchObject({ kind: 'failed', reply: { code: 556, enhanced: '5.1.10' } });
    expect(await router().route('u@nx.test')).toMatchObject({ kind: 'failed', reply: { code: 550, enhanced: '5.1.2' } });
    expect(await router().route('u@nodata.test')).toMatchObject({ kind: 'failed', reply: { code: 550, enhanced: '5.4.4' } });
    expect(await router().route('u@servfail.test')).toMatchObject({ kind: 'failed', reply: { code: 451, enhanced: '4.4.3' } });
  });
});
