// The README's POP3 example, run as written (with its files made up here, and the output collected
// instead of printed).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createSecureContext } from 'node:tls';
import { expect, it } from 'vitest';
import { MaildirFolder } from '@mailstack/mailstore';
import { AuthFailureDelay, Pop3Client, Pop3Server, UserDirectory } from 'mailstack';
import { selfSignedCert } from '../peers/index.js';
import { scratchDir } from '../scratch-dir.js';

it('README example: serve a Maildir, fetch and delete over STLS with SCRAM-SHA-256', async () => {
  const dataDir = scratchDir('mailstack-pop3-readme');
  const usersFile = join(dataDir, 'users');
  writeFileSync(usersFile, 'alice:{PLAIN}secret\n');
  const { certFile, keyFile } = await selfSignedCert(dataDir);
  const inbox = await MaildirFolder.open(join(dataDir, 'home', 'alice', 'Maildir'));
  await inbox.deliver(Readable.from([Buffer.from('Subject: hello\n\n.dot\nbody\n')]));
  const printed: Buffer[] = [];
  const logs: string[] = [];

  const users = await UserDirectory.open({ file: usersFile, domains: ['example.test'], dataDir });
  const server = new Pop3Server({
    hostname: 'pop.example.test',
    users,
    tls: createSecureContext({ cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.2' }),
    failureDelay: new AuthFailureDelay({ baseMs: 2000, maxMs: 15000 }),
    logger: (record) => logs.push(record.message),
  });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  const pop3s = await server.listen({ host: '127.0.0.1', port: 0, implicitTls: true });

  const client = await Pop3Client.connect({ host: '127.0.0.1', port, tls: 'stls', ca: readFileSync(certFile), servername: 'localhost' });
  expect(await client.login('alice', 'secret')).toBe('SCRAM-SHA-256');
  const fetched: number[] = [];
  for await (const { msg, body } of client.retrMany((await client.list()).map((e) => e.msg))) {
    for await (const chunk of body) printed.push(Buffer.from(chunk));
    fetched.push(msg);
  }
  for (const msg of fetched) await client.dele(msg);
  await client.quit();
  await server.close();

  expect(pop3s.implicitTls).toBe(true);
  expect(Buffer.concat(printed).toString()).toBe('Subject: hello\r\n\r\n.dot\r\nbody\r\n');
  expect((await inbox.snapshot()).messages).toEqual([]);
  expect(logs.at(-1)).toMatch(/disconnect user=<alice> rip=127\.0\.0\.1 retr=1\/\d+ del=1\/\d+ \(QUIT\)$/);
});
