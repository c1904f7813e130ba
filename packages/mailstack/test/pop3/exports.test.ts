// The POP3 exports by package name, and the server API's misuse errors.
import { describe, expect, it } from 'vitest';
import { DEFAULT_POP3_MECHANISMS, Pop3Server, Pop3ServerError, UserDirectory } from 'mailstack';
import { scratchDir } from '../scratch-dir.js';

async function users(): Promise<UserDirectory> {
  const dir = scratchDir('mailstack-pop3-exports');
  return UserDirectory.open({ file: `${dir}/users`, domains: [], dataDir: dir });
}

describe('POP3 exports', () => {
  it('DEFAULT_POP3_MECHANISMS is SPEC.md §6 plus SCRAM-SHA-256', () => {
    expect(DEFAULT_POP3_MECHANISMS).toEqual(['PLAIN', 'LOGIN', 'CRAM-MD5', 'SCRAM-SHA-256']);
  });

  it('Pop3ServerError: pop3s without a certificate, listen after close, an autologout under 10 minutes', async () => {
    const directory = await users();
    const server = new Pop3Server({ hostname: 'pop.example.test', users: directory });
    await expect(server.listen({ host: '127.0.0.1', port: 0, implicitTls: true })).rejects.toMatchObject({ name: 'Pop3ServerError', code: 'no-tls' });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const clash = new Pop3Server({ hostname: 'pop.example.test', users: directory });
    await expect(clash.listen({ host: '127.0.0.1', port })).rejects.toMatchObject({ code: 'listen-failed' });
    await server.close();
    await expect(server.listen({ host: '127.0.0.1', port: 0 })).rejects.toBeInstanceOf(Pop3ServerError);
    expect(() => new Pop3Server({ hostname: 'h', users: directory, timeouts: { idleMs: 60_000 } })).toThrow(/at least 600000 \(RFC 1939 §3\)/);
  });
});
