import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type PeerCertificate } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadTlsMaterial, type TlsMaterial } from 'mailstack';

let dir: string;
let first: TlsMaterial;
const NOW = new Date('2026-11-26T12:00:00Z');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailstack-tls-'));
  first = await loadTlsMaterial({ tls: undefined, dataDir: dir, hostname: 'mail.example.test' }, { now: NOW });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function handshake(material: TlsMaterial, clientOptions: { maxVersion?: 'TLSv1.1' } = {}): Promise<PeerCertificate> {
  const server = createServer(material.options, (socket) => socket.end('220 ready\r\n'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'mail.example.test', ...clientOptions });
    await once(socket, 'secureConnect');
    const certificate = socket.getPeerCertificate();
    socket.destroy();
    return certificate;
  } finally {
    server.close();
  }
}

describe('generated self-signed certificate', () => {
  it('is written to dataDir/tls with the key readable by the owner only', async () => {
    expect(first.generated).toBe(true);
    expect(first.certFile).toBe(join(dir, 'tls', 'cert.pem'));
    expect(first.keyFile).toBe(join(dir, 'tls', 'key.pem'));
    expect((await stat(first.keyFile)).mode & 0o777).toBe(0o600);
    expect(await readFile(first.certFile, 'utf8')).toBe(first.options.cert);
    expect(first.options.minVersion).toBe('TLSv1.2');
  });

  it('serves a TLS handshake whose peer certificate names the host (CN and SAN)', async () => {
    const peer = await handshake(first);
    expect(peer.subject.CN).toBe('mail.example.test');
    expect(peer.subjectaltname).toBe('DNS:mail.example.test, DNS:localhost');
  });

  it('refuses TLS 1.1 clients', async () => {
    await expect(handshake(first, { maxVersion: 'TLSv1.1' })).rejects.toThrow();
  });

  it('is reused on the next start', async () => {
    const again = await loadTlsMaterial({ tls: undefined, dataDir: dir, hostname: 'mail.example.test' }, { now: NOW });
    expect(again.generated).toBe(false);
    expect(again.options.cert).toBe(first.options.cert);
  });

  it('is replaced when the host name changes or it is about to expire', async () => {
    const renamed = await loadTlsMaterial({ tls: undefined, dataDir: dir, hostname: 'other.example.test' }, { now: NOW });
    expect(renamed.generated).toBe(true);
    expect(new X509Certificate(renamed.options.cert).checkHost('other.example.test')).toBe('other.example.test');
    const later = new Date(NOW.getTime() + 900 * 86_400_000);
    const renewed = await loadTlsMaterial({ tls: undefined, dataDir: dir, hostname: 'other.example.test' }, { now: later });
    expect(renewed.generated).toBe(true);
    expect(new Date(new X509Certificate(renewed.options.cert).validTo).getTime()).toBeGreaterThan(later.getTime());
  });
});

describe('configured certificate', () => {
  it('loads the files and serves them', async () => {
    const material = await loadTlsMaterial({ tls: { cert: first.certFile, key: first.keyFile }, dataDir: '/nonexistent', hostname: 'x.test' });
    expect(material).toMatchObject({ generated: false, certFile: first.certFile, keyFile: first.keyFile });
    expect((await handshake(material)).subject.CN).toBeTypeOf('string');
  });

  it('names the missing, unparsable or mismatched file', async () => {
    const missing = join(dir, 'missing.pem');
    const garbage = join(dir, 'garbage.pem');
    await writeFile(garbage, 'not a certificate\n');
    const other = await loadTlsMaterial({ tls: undefined, dataDir: join(dir, 'other'), hostname: 'mail.example.test' });
    const cases: Array<[{ cert: string; key: string }, string, string, RegExp]> = [
      [{ cert: missing, key: first.keyFile }, missing, 'io', /cannot read TLS certificate/],
      [{ cert: first.certFile, key: missing }, missing, 'io', /cannot read TLS key/],
      [{ cert: garbage, key: first.keyFile }, garbage, 'invalid-value', /not a PEM certificate/],
      [{ cert: first.certFile, key: garbage }, garbage, 'invalid-value', /not a PEM private key/],
      [{ cert: first.certFile, key: other.keyFile }, other.keyFile, 'invalid-value', /key does not match certificate/],
    ];
    for (const [tls, file, code, message] of cases) {
      const error = await loadTlsMaterial({ tls, dataDir: dir, hostname: 'x.test' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ file, code });
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message.startsWith(`${file}: `)).toBe(true);
    }
  });
});
