// Our Pop3Client against our Pop3Server: every login method, STLS with the server's certificate
// as CA, pipelined retrMany, TOP, DELE/RSET/QUIT, and bytes equal to the stored messages.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pop3Client } from 'mailstack';
import { message, startTestServer, USERS, type TestServer } from './harness.js';

async function collect(body: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('latin1');
}

let t: TestServer;
const COUNT = 40;
beforeAll(async () => {
  t = await startTestServer();
  for (let n = 1; n <= COUNT; n++) await t.deliver('alice', message(n, `line\n.${'z'.repeat(n * 50)}\n`).lf);
  await t.deliver('bob', message(1).lf);
});
afterAll(() => t.stop());

describe('Pop3Client against Pop3Server', () => {
  it.each([
    ['alice', 'auto', 'SCRAM-SHA-256'],
    ['alice', 'CRAM-MD5', 'CRAM-MD5'],
    ['alice', 'apop', 'apop'],
    ['alice', 'LOGIN', 'LOGIN'],
    ['bob', 'PLAIN', 'PLAIN'],
    ['bob', 'user', 'user'],
  ] as const)('%s logs in with %s', async (user, method, used) => {
    const client = await Pop3Client.connect({ host: '127.0.0.1', port: t.port });
    expect(await client.login(user, USERS[user], method)).toBe(used);
    expect((await client.stat()).count).toBe(user === 'alice' ? COUNT : 1);
    await client.quit();
  });

  it('a crypt user cannot use SCRAM/CRAM/APOP: auth-failed with the same answer', async () => {
    for (const method of ['SCRAM-SHA-256', 'apop'] as const) {
      const client = await Pop3Client.connect({ host: '127.0.0.1', port: t.port });
      await expect(client.login('bob', USERS.bob, method)).rejects.toMatchObject({ code: 'auth-failed', response: { code: 'AUTH', text: 'Authentication failed' } });
      client.close();
    }
  });

  it('STLS with the server certificate as CA, then pipelined retrMany and TOP give the stored bytes', async () => {
    const client = await Pop3Client.connect({ host: '127.0.0.1', port: t.port, tls: 'stls', ca: readFileSync(t.cert.certFile), servername: 'localhost' });
    expect(client.tls).toBe(true);
    expect(client.capabilities?.has('STLS')).toBe(false);
    await client.login('alice', USERS.alice);
    const msgs = Array.from({ length: COUNT }, (_, i) => i + 1);
    const got: string[] = [];
    for await (const { body } of client.retrMany(msgs, 8)) got.push(await collect(body));
    expect(got).toEqual(msgs.map((n) => message(n, `line\n.${'z'.repeat(n * 50)}\n`).crlf));
    expect(await collect(client.top(3, 1))).toBe(message(3, 'line\n').crlf);
    const listed = await client.list();
    expect(listed[4]).toEqual({ msg: 5, sizeBytes: got[4]!.length });
    await client.quit();
  });

  it('pop3s, DELE + RSET keeps, DELE + QUIT removes', async () => {
    const open = async (): Promise<Pop3Client> => {
      const c = await Pop3Client.connect({ host: '127.0.0.1', port: t.pop3sPort, tls: 'implicit', rejectUnauthorized: false });
      await c.login('bob', USERS.bob, 'user');
      return c;
    };
    let c = await open();
    await c.dele(1);
    await c.rset();
    await c.quit();
    c = await open();
    expect((await c.uidl()).length).toBe(1);
    await c.dele(1);
    await c.quit();
    c = await open();
    expect(await c.stat()).toEqual({ count: 0, sizeBytes: 0 });
    await c.quit();
  });
});
