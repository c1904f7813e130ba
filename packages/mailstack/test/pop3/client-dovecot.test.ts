// Our Pop3Client against a private Dovecot (the reference POP3 server): APOP, USER/PASS,
// CRAM-MD5 chosen by 'auto', STLS, pop3s with certificate checking, UIDL, RETR of delivered bytes,
// pipelined retrMany, DELE + QUIT.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pop3Client, Pop3ClientError } from 'mailstack';
import { startDovecot, type DovecotInstance } from '../peers/index.js';

const PASSWORD = 'dove-secret';
const messages = Array.from({ length: 6 }, (_, i) => `Subject: dovecot ${i + 1}\r\nFrom: a@example.test\r\n\r\nline one\r\n.dot line\r\n${'x'.repeat(i * 3000)}\r\n`);

async function collect(body: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('latin1');
}

let dovecot: DovecotInstance;
beforeAll(async () => {
  dovecot = await startDovecot({ users: [{ name: 'alice', password: PASSWORD }, { name: 'carol', password: PASSWORD }] });
  for (const m of messages) dovecot.deliver('alice', m);
  dovecot.deliver('carol', messages[0]!);
}, 60_000);
afterAll(() => dovecot?.stop());

describe('Pop3Client against Dovecot', () => {
  it('APOP, STAT, UIDL, RETR give the delivered bytes', async () => {
    const client = await Pop3Client.connect({ host: '127.0.0.1', port: dovecot.ports.pop3 });
    expect(await client.login('alice', PASSWORD, 'apop')).toBe('apop');
    expect(await client.stat()).toEqual({ count: 6, sizeBytes: messages.reduce((n, m) => n + m.length, 0) });
    const uidl = await client.uidl();
    expect(uidl.map((u) => u.msg)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(uidl.map((u) => u.uidl)).size).toBe(6);
    expect(await client.uidl(2)).toEqual([uidl[1]]);
    expect(await collect(client.retr(3))).toBe(messages[2]);
    await client.quit();
  });

  it('USER/PASS, and a wrong password is an auth-failed error', async () => {
    const client = await Pop3Client.connect({ host: '127.0.0.1', port: dovecot.ports.pop3 });
    await expect(client.login('alice', 'wrong', 'user')).rejects.toMatchObject({ code: 'auth-failed' });
    client.close();
    const again = await Pop3Client.connect({ host: '127.0.0.1', port: dovecot.ports.pop3 });
    expect(await again.login('alice', PASSWORD, 'user')).toBe('user');
    expect((await again.list()).length).toBe(6);
    await again.quit();
  });

  it("'auto' picks CRAM-MD5 from Dovecot's SASL list", async () => {
    const client = await Pop3Client.connect({ host: '127.0.0.1', port: dovecot.ports.pop3 });
    expect(client.capabilities?.get('SASL')).toContain('CRAM-MD5');
    expect(await client.login('alice', PASSWORD)).toBe('CRAM-MD5');
    await client.noop();
    await client.quit();
  });

  it('STLS upgrades in place and re-reads CAPA; pop3s checks the certificate against a given CA', async () => {
    const stls = await Pop3Client.connect({ host: '127.0.0.1', port: dovecot.ports.pop3, tls: 'stls', rejectUnauthorized: false });
    expect(stls.tls).toBe(true);
    expect(stls.capabilities?.has('STLS')).toBe(false);
    await stls.login('alice', PASSWORD, 'PLAIN');
    expect(await collect(stls.retr(1))).toBe(messages[0]);
    await stls.quit();

    await expect(Pop3Client.connect({ host: '127.0.0.1', port: dovecot.ports.pop3s, tls: 'implicit' })).rejects.toMatchObject({ code: 'tls-failed' });
    const ca = readFileSync(dovecot.tls.certFile);
    const secure = await Pop3Client.connect({ host: '127.0.0.1', port: dovecot.ports.pop3s, tls: 'implicit', ca, servername: 'localhost' });
    await secure.login('alice', PASSWORD, 'user');
    expect((await secure.stat()).count).toBe(6);
    await secure.quit();
  });

  it('retrMany pipelines RETRs (PIPELINING) and gives every message in order, even when a body is left unread', async () => {
    const client = await Pop3Client.connect({ host: '127.0.0.1', port: dovecot.ports.pop3 });
    expect(client.capabilities?.has('PIPELINING')).toBe(true);
    await client.login('alice', PASSWORD, 'user');
    const got: string[] = [];
    for await (const { msg, body } of client.retrMany([1, 2, 3, 4, 5, 6], 4)) {
      if (msg === 2) continue; // not read: the client drops it and stays in step
      got.push(await collect(body));
    }
    expect(got).toEqual(messages.filter((_, i) => i !== 1));
    expect(await collect(client.top(6, 1))).toBe('Subject: dovecot 6\r\nFrom: a@example.test\r\n\r\nline one\r\n');
    await client.quit();
  });

  it('DELE + QUIT removes the message; a RETR of a missing message is command-failed', async () => {
    const client = await Pop3Client.connect({ host: '127.0.0.1', port: dovecot.ports.pop3 });
    await client.login('carol', PASSWORD, 'user');
    await client.dele(1);
    const error = await collect(client.retr(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Pop3ClientError);
    expect((error as Pop3ClientError).code).toBe('command-failed');
    await client.quit();
    const after = await Pop3Client.connect({ host: '127.0.0.1', port: dovecot.ports.pop3 });
    await after.login('carol', PASSWORD, 'user');
    expect(await after.stat()).toEqual({ count: 0, sizeBytes: 0 });
    await after.quit();
  });
});
